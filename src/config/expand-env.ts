/**
 * Environment expansion for `-config.expand-env`, as Phlare does it: Go's os.Expand over the raw file
 * text, where `${VAR:default}` falls back to `default` when VAR is unset or empty.
 */

// os.Expand treats these single characters after `$` as complete names ($1, $$, $?, ...).
function isShellSpecial(c: string | undefined): boolean {
  return c !== undefined && "*#$@!?-0123456789".includes(c);
}

function isAlphaNum(c: string | undefined): boolean {
  return c !== undefined && /^[A-Za-z0-9_]$/.test(c);
}

/**
 * Reads the name after a `$` as Go's getShellName does: returns the name and how many characters
 * it used. An empty name with a width means bad syntax whose characters are dropped; an empty name
 * with no width means a lone `$` that stays as is.
 */
function shellName(s: string): [string, number] {
  if (s[0] === "{") {
    if (s.length > 2 && isShellSpecial(s[1]) && s[2] === "}") return [s.slice(1, 2), 3];
    const close = s.indexOf("}", 1);
    if (close === 1) return ["", 2];
    if (close < 0) return ["", 1];
    return [s.slice(1, close), close + 1];
  }
  if (isShellSpecial(s[0])) return [s.slice(0, 1), 1];
  let i = 0;
  while (isAlphaNum(s[i])) i++;
  return [s.slice(0, i), i];
}

/** Replaces `${NAME}` / `$NAME` in `text` using `lookup`, following Go's os.Expand rules exactly. */
export function expandWith(text: string, lookup: (name: string) => string): string {
  let out = "";
  let from = 0;
  for (let j = 0; j < text.length; j++) {
    if (text[j] !== "$" || j + 1 >= text.length) continue;
    out += text.slice(from, j);
    const [name, width] = shellName(text.slice(j + 1));
    if (name === "" && width === 0) out += "$";
    else if (name !== "") out += lookup(name);
    j += width;
    from = j + 1;
  }
  return out + text.slice(from);
}

/**
 * Expands environment variables in config text. `${VAR:default}` and the shell-style
 * `${VAR:-default}` use the default when VAR is unset or empty; an unset VAR without default
 * becomes the empty string.
 */
export function expandEnv(text: string, env: NodeJS.ProcessEnv): string {
  return expandWith(text, (key) => {
    const colon = key.indexOf(":");
    const name = colon < 0 ? key : key.slice(0, colon);
    const value = env[name] ?? "";
    if (value !== "" || colon < 0) return value;
    const fallback = key.slice(colon + 1);
    return fallback.startsWith("-") ? fallback.slice(1) : fallback;
  });
}
