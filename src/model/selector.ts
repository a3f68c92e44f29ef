/**
 * Prometheus metric selectors (`name{a="b", c!="d", e=~"re", f!~"re"}`), the label
 * selector syntax of every Phlare query. Parsing follows the PromQL lexer: Go string
 * escapes, single/double quotes and raw backtick strings, `#` comments, and the
 * metric name (which may hold colons, as profile type IDs do) becomes a trailing
 * `__name__` equality matcher, as in Prometheus.
 *
 * Regexes use Go's RE2 syntax, fully anchored (`^(?:re)$`). They are translated once to
 * an equivalent JS RegExp (unicode mode); RE2 constructs JS cannot express exactly (flag
 * groups after the start, lookarounds RE2 lacks, backreferences) are rejected.
 */
import { InvalidArgumentError } from "./errors.js";

/** A label matcher operator, as in PromQL. */
export type MatchType = "=" | "!=" | "=~" | "!~";

/** One label matcher. An absent label is matched as "" (so `a=""` selects series without `a`). */
export interface Matcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
  matches(v: string): boolean;
}

/** Label that holds the metric name given before the braces. */
export const METRIC_NAME_LABEL = "__name__";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
// Regexes made only of characters that RE2 reads literally outside a class: matched by
// string equality (or set membership for alternations), which is what most
// `service_name=~"a|b|c"` queries from Grafana variables are.
const LITERAL_RE = /^[A-Za-z0-9_\-:/ ]*$/;
const LITERAL_ALTERNATION_RE = /^[A-Za-z0-9_\-:/ |]*$/;

/** Builds a matcher; throws InvalidArgumentError("invalid_query") when a regex does not compile. */
export function createMatcher(type: MatchType, name: string, value: string): Matcher {
  switch (type) {
    case "=":
      return { name, type, value, matches: (v: string) => v === value };
    case "!=":
      return { name, type, value, matches: (v: string) => v !== value };
    case "=~":
    case "!~": {
      let test: (v: string) => boolean;
      try {
        test = compileRegex(value);
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        throw new InvalidArgumentError("invalid_query", `invalid regular expression in matcher ${name}${type}${goQuote(value)}: ${detail}`, {
          cause: err,
        });
      }
      return type === "=~" ? { name, type, value, matches: test } : { name, type, value, matches: (v: string) => !test(v) };
    }
    default:
      throw new InvalidArgumentError("invalid_query", `unknown match type ${String(type)} in matcher for ${name}`);
  }
}

/** True when every matcher accepts its label's value; an absent label counts as "". */
export function matchesLabels(matchers: readonly Matcher[], get: (name: string) => string | undefined): boolean {
  for (const m of matchers) if (!m.matches(get(m.name) ?? "")) return false;
  return true;
}

/** Renders matchers as a selector that parseSelector reads back (a `__name__` equality becomes the metric name). */
export function selectorString(matchers: readonly Matcher[]): string {
  let name = "";
  const parts: string[] = [];
  for (const m of matchers) {
    if (name === "" && m.name === METRIC_NAME_LABEL && m.type === "=" && METRIC_NAME.test(m.value)) {
      name = m.value;
      continue;
    }
    parts.push(`${m.name}${m.type}${goQuote(m.value)}`);
  }
  if (name !== "" && parts.length === 0) return name;
  return `${name}{${parts.join(", ")}}`;
}

/** Parses a metric selector; `{}` matches everything. Errors are InvalidArgumentError("invalid_query", "parse error at char N: …"). */
export function parseSelector(input: string): Matcher[] {
  return new SelectorParser(input).parse();
}

const decoder = new TextDecoder("utf-8");
const encoder = new TextEncoder();

class SelectorParser {
  private pos = 0;

  constructor(private readonly input: string) {}

  parse(): Matcher[] {
    this.skipSpace();
    let name: string | undefined;
    if (isNameStart(this.peek()) || this.peek() === ":") {
      const start = this.pos;
      while (isNameChar(this.peek()) || this.peek() === ":") this.pos++;
      name = this.input.slice(start, this.pos);
      this.skipSpace();
    }
    const matchers: Matcher[] = [];
    if (this.peek() === "{") {
      this.pos++;
      this.parseMatchers(matchers);
    } else if (name === undefined) {
      this.fail(this.pos, `unexpected ${this.describe()}, expected a metric name or "{"`);
    }
    this.skipSpace();
    if (this.pos < this.input.length) this.fail(this.pos, `unexpected ${this.describe()} after the selector`);
    if (name !== undefined) {
      if (matchers.some((m) => m.name === METRIC_NAME_LABEL)) {
        this.fail(0, `metric name must not be set twice: ${goQuote(name)} and a ${METRIC_NAME_LABEL} matcher`);
      }
      matchers.push(createMatcher("=", METRIC_NAME_LABEL, name));
    }
    return matchers;
  }

  private parseMatchers(out: Matcher[]): void {
    for (;;) {
      this.skipSpace();
      if (this.peek() === "}") {
        this.pos++;
        return;
      }
      if (!isNameStart(this.peek())) this.fail(this.pos, `unexpected ${this.describe()}, expected a label name or "}"`);
      const nameStart = this.pos;
      while (isNameChar(this.peek())) this.pos++;
      const name = this.input.slice(nameStart, this.pos);
      this.skipSpace();
      const opPos = this.pos;
      let type: MatchType;
      const c = this.peek();
      const next = this.input[this.pos + 1];
      if (c === "=") type = next === "~" ? "=~" : "=";
      else if (c === "!" && next === "=") type = "!=";
      else if (c === "!" && next === "~") type = "!~";
      else this.fail(opPos, `unexpected ${this.describe()} after label name ${name}, expected one of "=", "!=", "=~", "!~"`);
      this.pos += type.length;
      this.skipSpace();
      const valuePos = this.pos;
      const value = this.parseString();
      try {
        out.push(createMatcher(type, name, value));
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        this.fail(valuePos, detail, err);
      }
      this.skipSpace();
      if (this.peek() === ",") {
        this.pos++;
      } else if (this.peek() !== "}") {
        this.fail(this.pos, `unexpected ${this.describe()} in label matchers, expected "," or "}"`);
      }
    }
  }

  private parseString(): string {
    const input = this.input;
    const start = this.pos;
    const q = this.peek();
    if (q === "`") {
      const end = input.indexOf("`", start + 1);
      if (end < 0) this.fail(start, "unterminated raw string");
      this.pos = end + 1;
      return input.slice(start + 1, end);
    }
    if (q !== '"' && q !== "'") this.fail(start, `unexpected ${this.describe()}, expected a quoted string`);
    let i = start + 1;
    let chunk = i;
    // Escapes may produce raw bytes (\xNN, octal), so an escaped value is assembled as UTF-8.
    let bytes: number[] | undefined;
    for (;;) {
      if (i >= input.length) this.fail(start, "unterminated quoted string");
      const c = input[i]!;
      if (c === q) break;
      if (c === "\n") this.fail(start, "unterminated quoted string");
      if (c !== "\\") {
        i++;
        continue;
      }
      bytes ??= [];
      for (const b of encoder.encode(input.slice(chunk, i))) bytes.push(b);
      i = this.escape(i, q, bytes);
      chunk = i;
    }
    this.pos = i + 1;
    if (bytes === undefined) return input.slice(start + 1, i);
    for (const b of encoder.encode(input.slice(chunk, i))) bytes.push(b);
    return decoder.decode(new Uint8Array(bytes));
  }

  /** Decodes the escape at input[at] == "\\" into `out`; returns the index after it. */
  private escape(at: number, quote: string, out: number[]): number {
    const input = this.input;
    const c = input[at + 1];
    if (c === undefined) this.fail(at, "escape sequence not terminated");
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) {
      out.push(simple);
      return at + 2;
    }
    if (c === quote) {
      out.push(quote.charCodeAt(0));
      return at + 2;
    }
    let digits: number;
    let base: number;
    let max: number;
    let from = at + 2;
    if (c >= "0" && c <= "7") {
      [digits, base, max, from] = [3, 8, 255, at + 1];
    } else if (c === "x") {
      [digits, base, max] = [2, 16, 255];
    } else if (c === "u") {
      [digits, base, max] = [4, 16, 0x10ffff];
    } else if (c === "U") {
      [digits, base, max] = [8, 16, 0x10ffff];
    } else {
      return this.fail(at, `unknown escape sequence "\\${c}"`);
    }
    let v = 0;
    for (let k = 0; k < digits; k++) {
      const ch = input[from + k];
      const d = ch === undefined ? -1 : parseInt(ch, base);
      if (!(d >= 0)) this.fail(from + k, ch === undefined || ch === quote ? "escape sequence not terminated" : `illegal character ${JSON.stringify(ch)} in escape sequence`);
      v = v * base + d;
    }
    if (v > max || (v >= 0xd800 && v < 0xe000)) this.fail(at, "escape sequence is an invalid Unicode code point");
    if (max === 255) out.push(v);
    else for (const b of encoder.encode(String.fromCodePoint(v))) out.push(b);
    return from + digits;
  }

  private skipSpace(): void {
    const input = this.input;
    while (this.pos < input.length) {
      const c = input[this.pos];
      if (c === " " || c === "\t" || c === "\n" || c === "\r") this.pos++;
      else if (c === "#") {
        const nl = input.indexOf("\n", this.pos);
        this.pos = nl < 0 ? input.length : nl + 1;
      } else break;
    }
  }

  private peek(): string {
    return this.input[this.pos] ?? "";
  }

  private describe(): string {
    return this.pos >= this.input.length ? "end of input" : JSON.stringify(String.fromCodePoint(this.input.codePointAt(this.pos)!));
  }

  private fail(at: number, message: string, cause?: unknown): never {
    throw new InvalidArgumentError("invalid_query", `parse error at char ${at + 1}: ${message}`, cause === undefined ? undefined : { cause });
  }
}

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, "\\": 92 };

function isNameStart(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
}

function isNameChar(c: string): boolean {
  return isNameStart(c) || (c >= "0" && c <= "9");
}

/** Double-quotes `s` the way Go's %q does for printable text, so the result parses back. */
function goQuote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (c === 10) out += "\\n";
    else if (c === 9) out += "\\t";
    else if (c === 13) out += "\\r";
    else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else if ((c >= 0x80 && c < 0xa0) || c === 0x2028 || c === 0x2029 || c === 0xfeff) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += ch;
  }
  return out + '"';
}

const GENERAL_CATEGORIES = new Set(
  "L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Cs Co Any".split(" "),
);
// Characters JS (unicode mode) accepts after a backslash as themselves.
const JS_SYNTAX = new Set("^$\\.*+?()[]{}|/".split(""));
// RE2's \s is ASCII-only and excludes \v, unlike JS's.
const RE2_SPACE = "\\t\\n\\f\\r ";

/** Compiles an RE2 regex into an anchored matcher function; throws Error with the reason. */
export function compileRegex(re: string): (v: string) => boolean {
  if (LITERAL_RE.test(re)) return (v: string) => v === re;
  if (LITERAL_ALTERNATION_RE.test(re)) {
    const set = new Set(re.split("|"));
    return (v: string) => set.has(v);
  }
  const { source, flags } = translateRe2(re);
  let js: RegExp;
  try {
    js = new RegExp(`^(?:${source})$`, flags + "u");
  } catch (err) {
    throw new Error(err instanceof Error ? err.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, "") : String(err));
  }
  return (v: string) => js.test(v);
}

/** Rewrites RE2 syntax into a JS (unicode mode) pattern with the same meaning. */
function translateRe2(re: string): { source: string; flags: string } {
  let i = 0;
  const flagSet = new Set<string>();
  for (let m = /^\(\?([a-zA-Z]+)\)/.exec(re); m; m = /^\(\?([a-zA-Z]+)\)/.exec(re.slice(i))) {
    for (const f of m[1]!) {
      if (f !== "i" && f !== "m" && f !== "s") throw new Error(`unsupported flag ${JSON.stringify(f)}`);
      flagSet.add(f);
    }
    i += m[0].length;
  }
  const dotAll = flagSet.has("s");
  let out = "";
  let inClass = false;
  while (i < re.length) {
    const c = re[i]!;
    if (c === "\\") {
      const r = translateEscape(re, i, inClass);
      out += r.text;
      i = r.next;
      continue;
    }
    if (inClass) {
      if (c === "]") {
        inClass = false;
        out += "]";
        i++;
      } else if (c === "[" && re[i + 1] === ":") {
        const end = re.indexOf(":]", i + 2);
        const cls = end < 0 ? undefined : POSIX_CLASSES[re.slice(i + 2, end)];
        if (cls === undefined) throw new Error(`unsupported character class at ${JSON.stringify(re.slice(i))}`);
        out += cls;
        i = end + 2;
      } else {
        out += c === "[" ? "\\[" : c;
        i++;
      }
      continue;
    }
    i++;
    switch (c) {
      case "[":
        inClass = true;
        out += "[";
        if (re[i] === "^") {
          out += "^";
          i++;
        }
        // A "]" right after "[" or "[^" is a literal in RE2.
        if (re[i] === "]") {
          out += "\\]";
          i++;
        }
        break;
      case ".":
        out += dotAll ? "." : "[^\\n]";
        break;
      case "(":
        if (re[i] !== "?") out += "(";
        else if (re.startsWith("?:", i)) (out += "(?:"), (i += 2);
        else if (re.startsWith("?P<", i)) (out += "(?<"), (i += 3);
        else if (re.startsWith("?<", i) && re[i + 2] !== "=" && re[i + 2] !== "!") (out += "(?<"), (i += 2);
        else throw new Error(`unsupported group syntax ${JSON.stringify(re.slice(i - 1, i + 3))}`);
        break;
      case "]":
      case "}":
        out += "\\" + c;
        break;
      case "{": {
        const rep = /^\d+(,\d*)?\}/.exec(re.slice(i));
        if (rep) (out += "{" + rep[0]), (i += rep[0].length);
        else out += "\\{";
        break;
      }
      default:
        out += c;
    }
  }
  if (inClass) throw new Error("missing closing ]");
  return { source: out, flags: [...flagSet].join("") };
}

function translateEscape(re: string, at: number, inClass: boolean): { text: string; next: number } {
  const d = re[at + 1];
  if (d === undefined) throw new Error("trailing backslash at end of expression");
  const next = at + 2;
  if (d >= "0" && d <= "9") {
    // RE2 reads \0 and \1..\7 followed by an octal digit as octal; a lone \1..\9 is a backreference.
    const m = /^(0[0-7]{0,2}|[1-7][0-7]{1,2})/.exec(re.slice(at + 1));
    if (!m) throw new Error(`invalid escape sequence \\${d} (backreferences are not supported)`);
    return { text: codePoint(parseInt(m[0], 8)), next: at + 1 + m[0].length };
  }
  switch (d) {
    case "Q": {
      const end = re.indexOf("\\E", next);
      const lit = re.slice(next, end < 0 ? re.length : end);
      let text = "";
      for (const ch of lit) text += JS_SYNTAX.has(ch) || (inClass && ch === "-") ? "\\" + ch : ch;
      return { text, next: end < 0 ? re.length : end + 2 };
    }
    case "z":
    case "A":
      if (inClass) throw new Error(`invalid escape sequence \\${d} in character class`);
      return { text: d === "z" ? "(?![^])" : "(?<![^])", next };
    case "x": {
      const m = /^\{([0-9a-fA-F]+)\}|^[0-9a-fA-F]{2}/.exec(re.slice(next));
      if (!m) throw new Error("invalid escape sequence \\x");
      const v = parseInt(m[1] ?? m[0], 16);
      if (v > 0x10ffff) throw new Error("invalid escape sequence \\x");
      return { text: codePoint(v), next: next + m[0].length };
    }
    case "p":
    case "P": {
      const m = /^\{(\^?)([A-Za-z_]+)\}|^[A-Za-z]/.exec(re.slice(next));
      if (!m) throw new Error(`invalid character class range \\${d}`);
      const name = m[2] ?? m[0];
      const negate = (d === "P") !== (m[1] === "^");
      const prop = GENERAL_CATEGORIES.has(name) ? name : `Script=${name}`;
      return { text: `\\${negate ? "P" : "p"}{${prop}}`, next: next + m[0].length };
    }
    case "s":
      return { text: inClass ? RE2_SPACE : `[${RE2_SPACE}]`, next };
    case "S":
      return { text: inClass ? "\\S" : `[^${RE2_SPACE}]`, next };
    case "a":
      return { text: "\\x07", next };
    case "d":
    case "D":
    case "w":
    case "W":
    case "b":
    case "B":
    case "f":
    case "n":
    case "r":
    case "t":
    case "v":
      return { text: "\\" + d, next };
  }
  // RE2 takes escaped ASCII punctuation literally and rejects any other escape.
  if (d.charCodeAt(0) >= 0x80 || /[A-Za-z]/.test(d)) throw new Error(`invalid escape sequence \\${d}`);
  // JS unicode mode only allows escaping syntax characters (and "-" in a class).
  if (JS_SYNTAX.has(d)) return { text: "\\" + d, next };
  if (d === "-") return { text: inClass ? "\\-" : "-", next };
  return { text: d, next };
}

function codePoint(v: number): string {
  return `\\u{${v.toString(16)}}`;
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7f",
  blank: "\\t ",
  cntrl: "\\x00-\\x1f\\x7f",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};
