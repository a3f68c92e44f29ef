/**
 * Label selectors (`{name="value", other=~"re.*"}`) as the query input edits them: where
 * the cursor is (typing a label name or a value), what a picked suggestion turns the text
 * into, and adding one matcher to a selector for the tag explorer's drill-down.
 */

/** One matcher of a selector. */
export interface Matcher {
  name: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
}

/** What the cursor is on: a label name, or the value of `name`. */
export type CompletionContext =
  | { kind: "name"; prefix: string; start: number; end: number }
  | { kind: "value"; name: string; prefix: string; start: number; end: number; quoted: boolean };

const NAME_CHARS = /[A-Za-z0-9_]/;

function insideQuotes(text: string): boolean {
  let inside = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\" && inside) i++;
    else if (c === '"') inside = !inside;
  }
  return inside;
}

/** The completion context at `cursor` in `text`, or null where nothing can be suggested. */
export function completionContext(text: string, cursor: number): CompletionContext | null {
  const before = text.slice(0, cursor);
  if (insideQuotes(before)) {
    const m = /([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)$/.exec(before);
    if (!m) return null;
    let end = cursor;
    while (end < text.length && text[end] !== '"') end++;
    return { kind: "value", name: m[1]!, prefix: m[2]!, start: cursor - m[2]!.length, end, quoted: true };
  }
  const op = /([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)\s*$/.exec(before);
  if (op) return { kind: "value", name: op[1]!, prefix: "", start: cursor, end: cursor, quoted: false };
  const name = /(?:^|[{,])\s*([A-Za-z_][A-Za-z0-9_]*)?$/.exec(before);
  if (!name) return null;
  const prefix = name[1] ?? "";
  let end = cursor;
  while (end < text.length && NAME_CHARS.test(text[end]!)) end++;
  return { kind: "name", prefix, start: cursor - prefix.length, end };
}

/** Escapes a label value for a double-quoted selector string. */
export function quoteValue(v: string): string {
  return `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/**
 * Applies a picked suggestion. A name becomes `name="` (the value is typed next); a value
 * is quoted and closed, and a missing `{` or `}` is added so the result is a selector.
 */
export function applyCompletion(text: string, ctx: CompletionContext, item: string): { text: string; cursor: number } {
  let head = text.slice(0, ctx.start);
  let tail = text.slice(ctx.end);
  let insert: string;
  if (ctx.kind === "name") {
    if (!head.includes("{")) head = `{${head.trimStart()}`;
    insert = `${item}="`;
  } else {
    const quoted = quoteValue(item);
    insert = ctx.quoted ? quoted.slice(1) : quoted;
    if (ctx.quoted && tail.startsWith('"')) tail = tail.slice(1);
  }
  if (!tail.includes("}")) tail = `${tail}}`;
  const cursor = head.length + insert.length;
  return { text: head + insert + tail, cursor };
}

/** Suggestions matching `prefix` (case-insensitive substring), prefix matches first; `__…` labels are hidden. */
export function filterSuggestions(items: readonly string[], prefix: string, kind: CompletionContext["kind"]): string[] {
  const p = prefix.toLowerCase();
  const shown = items.filter((i) => (kind !== "name" || !i.startsWith("__")) && i.toLowerCase().includes(p) && i !== prefix);
  return shown.sort((a, b) => Number(!a.toLowerCase().startsWith(p)) - Number(!b.toLowerCase().startsWith(p)) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Parses `{…}` into matchers; undefined when it is not a plain selector. */
export function parseMatchers(selector: string): Matcher[] | undefined {
  const s = selector.trim();
  if (!s.startsWith("{") || !s.endsWith("}")) return undefined;
  const body = s.slice(1, -1);
  const out: Matcher[] = [];
  const re = /\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;
  let pos = 0;
  while (pos < body.length) {
    if (body.slice(pos).trim() === "") break;
    re.lastIndex = pos;
    const m = re.exec(body);
    if (!m) return undefined;
    out.push({ name: m[1]!, op: m[2] as Matcher["op"], value: m[3]!.replace(/\\(.)/g, "$1") });
    pos = re.lastIndex;
    if (m[4] === "") break;
  }
  return out;
}

/** Writes matchers back as `{a="x", b=~"y"}`. */
export function formatSelector(matchers: readonly Matcher[]): string {
  return `{${matchers.map((m) => `${m.name}${m.op}${quoteValue(m.value)}`).join(", ")}}`;
}

/**
 * `selector` narrowed to `name="value"`: an existing matcher on `name` is replaced.
 * A selector that does not parse gets the matcher appended textually.
 */
export function withMatcher(selector: string, name: string, value: string): string {
  const ms = parseMatchers(selector);
  if (ms === undefined) {
    const body = selector.trim().replace(/^\{|\}$/g, "").trim();
    return `{${body ? `${body}, ` : ""}${name}=${quoteValue(value)}}`;
  }
  return formatSelector([...ms.filter((m) => m.name !== name), { name, op: "=", value }]);
}
