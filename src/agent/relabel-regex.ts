/**
 * Relabeling regexes: Go RE2 syntax (as Prometheus compiles it, `regexp.Compile("^(?:" + re + ")$")`)
 * translated to an equivalent JavaScript `u`-mode RegExp, plus Go's `Regexp.Expand` template
 * rules and `ReplaceAllString`.
 *
 * The translation parses RE2 the way Go's regexp/syntax does (Perl flags: one-line `^`/`$`,
 * `.` not matching `\n`, classes matching `\n`, Perl extensions, Unicode groups) and renders each
 * construct explicitly, so JavaScript's differing defaults never apply:
 * - `.` becomes `[^\n]` (JavaScript's `.` also stops at `\r`, U+2028, U+2029), `(?s).` any code point;
 * - `^`/`$` (and `\A`/`\z`) are start/end of text; under `(?m)` they become `\n`-only line lookarounds;
 * - `\d \s \w \b`, POSIX `[[:alpha:]]` classes are ASCII as in RE2; `\pL`, `\p{Greek}` use Unicode properties;
 * - `(?i)` (anywhere, also scoped `(?i:…)`) is applied by expanding literals and classes to their
 *   case-folding orbits, `(?U)` by swapping greediness; named groups become plain groups (names
 *   are kept here for `$name` templates, so Go names like `1x` work);
 * - the `u` flag is always set (and no other): RE2 matches code points, not UTF-16 units.
 * What RE2 lacks (backreferences, lookaround, `\Z`, possessive or stacked repeats) is rejected
 * with Go's error message. Known differences: `(?<name>re)` is accepted as newer Go versions do
 * (Go 1.20 only knows `(?P<name>re)`); Unicode tables are the JavaScript engine's (newer than
 * Go 1.20's); JavaScript backtracks (no linear-time guarantee); and a capture inside a repeated
 * group that did not take part in the last iteration is unset, where RE2 keeps the earlier text
 * (`(?:(a)|b)*` on "ab": RE2 `$1` = "a", here "").
 */
import { type CharSet, PERL_GROUPS, POSIX_GROUPS, addGroup, addRange, emptySet, foldOrbit, literalSource, setSource, unicodeGroup } from "./relabel-charset.js";

/** A regex that Go's regexp/syntax would reject; the message is Go's ("error parsing regexp: …"). */
export class RegexSyntaxError extends Error {
  override readonly name = "RegexSyntaxError";
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

const MAX_REPEAT = 1000;
const isOctal = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "7";
const isAlnum = (c: string): boolean => /^[0-9A-Za-z]$/.test(c);

function unhex(c: string | undefined): number {
  return c !== undefined && /^[0-9A-Fa-f]$/.test(c) ? parseInt(c, 16) : -1;
}

/** Translates one RE2 expression; `names[k]` is the name of capture group k (undefined when unnamed). */
class Translator {
  private readonly ch: string[];
  private pos = 0;
  private flags: Flags = { i: false, m: false, s: false, U: false };
  readonly names: Array<string | undefined> = [undefined];

  constructor(private readonly src: string) {
    this.ch = Array.from(src);
  }

  translate(): string {
    const out = this.alternation();
    if (this.pos < this.ch.length) this.fail("unexpected )", this.src);
    return out;
  }

  private fail(code: string, expr: string, hint = ""): never {
    throw new RegexSyntaxError(`error parsing regexp: ${code}: \`${expr}\`${hint}`);
  }

  private text(from: number, to: number): string {
    return this.ch.slice(from, to).join("");
  }

  private lit(c: number): string {
    if (!this.flags.i) return literalSource(c);
    const orbit = foldOrbit(c);
    if (orbit.length === 1) return literalSource(c);
    const set = emptySet();
    for (const o of orbit) set.ranges.push([o, o]);
    return setSource(set, false);
  }

  /** Parses alternatives up to an unmatched `)` or the end (neither consumed). */
  private alternation(): string {
    const alts: string[] = [];
    let seq: string[] = [];
    let lastRepeat = -1; // where the previous token started, when it was a repetition operator
    while (this.pos < this.ch.length) {
      const start = this.pos;
      const c = this.ch[start]!;
      let repeat = -1;
      if (c === ")") break;
      switch (c) {
        case "|":
          alts.push(seq.join(""));
          seq = [];
          this.pos++;
          break;
        case "(": {
          const group = this.openParen();
          if (group === undefined) break;
          const body = this.alternation();
          if (this.pos >= this.ch.length) this.fail("missing closing )", this.src);
          this.pos++;
          this.flags = group.saved;
          seq.push(group.capture ? `(${body})` : `(?:${body})`);
          break;
        }
        case "[":
          seq.push(this.parseClass());
          break;
        case "*":
        case "+":
        case "?":
        case "{": {
          let q: string = c;
          if (c === "{") {
            const r = this.parseRepeat();
            if (r === undefined) {
              this.pos++;
              seq.push(this.lit(0x7b));
              break;
            }
            if (r.min < 0 || r.min > MAX_REPEAT || r.max > MAX_REPEAT || (r.max >= 0 && r.min > r.max)) {
              this.fail("invalid repeat count", this.text(start, r.end));
            }
            this.pos = r.end;
            q = r.max === r.min ? `{${r.min}}` : r.max < 0 ? `{${r.min},}` : `{${r.min},${r.max}}`;
          } else {
            this.pos++;
          }
          let greedy = !this.flags.U;
          if (this.ch[this.pos] === "?") {
            this.pos++;
            greedy = !greedy;
          }
          if (lastRepeat >= 0) this.fail("invalid nested repetition operator", this.text(lastRepeat, this.pos));
          if (seq.length === 0) this.fail("missing argument to repetition operator", this.text(start, this.pos));
          seq.push(`(?:${seq.pop()!})${q}${greedy ? "" : "?"}`);
          repeat = start;
          break;
        }
        case ".":
          this.pos++;
          seq.push(this.flags.s ? "[^]" : "[^\\n]");
          break;
        case "^":
          this.pos++;
          seq.push(this.flags.m ? "(?<![^\\n])" : "^");
          break;
        case "$":
          this.pos++;
          seq.push(this.flags.m ? "(?![^\\n])" : "$");
          break;
        case "\\":
          this.backslash(seq);
          break;
        default:
          this.pos++;
          seq.push(this.lit(c.codePointAt(0)!));
      }
      lastRepeat = repeat;
    }
    alts.push(seq.join(""));
    return alts.join("|");
  }

  /**
   * Consumes `(`, `(?:`, `(?P<name>`, `(?flags)` or `(?flags:`. Returns undefined for a bare flag
   * change (which lasts to the end of the enclosing group), else the group kind and the flags to
   * restore at its `)`.
   */
  private openParen(): { capture: boolean; saved: Flags } | undefined {
    const start = this.pos;
    const saved = { ...this.flags };
    const ch = this.ch;
    if (ch[start + 1] !== "?") {
      this.pos++;
      this.names.push(undefined);
      return { capture: true, saved };
    }
    const c2 = ch[start + 2];
    if (c2 === "=" || c2 === "!") {
      this.fail("invalid or unsupported Perl syntax", this.text(start, start + 3), " (lookahead is not supported by RE2)");
    }
    if (c2 === "<" && (ch[start + 3] === "=" || ch[start + 3] === "!")) {
      this.fail("invalid or unsupported Perl syntax", this.text(start, start + 4), " (lookbehind is not supported by RE2)");
    }
    // (?P<name>re), and the (?<name>re) spelling newer Go versions accept too.
    const nameAt = c2 === "P" && ch[start + 3] === "<" && ch.length - start > 4 ? start + 4 : c2 === "<" ? start + 3 : -1;
    if (nameAt >= 0) {
      const end = ch.indexOf(">", nameAt);
      if (end < 0) this.fail("invalid named capture", this.text(start, ch.length));
      const name = this.text(nameAt, end);
      if (!/^[0-9A-Za-z_]+$/.test(name)) this.fail("invalid named capture", this.text(start, end + 1));
      this.pos = end + 1;
      this.names.push(name);
      return { capture: true, saved };
    }
    const flags = { ...this.flags };
    let sign = true;
    let sawFlag = false;
    let p = start + 2;
    while (p < ch.length) {
      const c = ch[p++]!;
      if (c === "i" || c === "m" || c === "s" || c === "U") {
        flags[c] = sign;
        sawFlag = true;
        continue;
      }
      if (c === "-" && sign) {
        sign = false;
        sawFlag = false;
        continue;
      }
      if ((c === ":" || c === ")") && (sign || sawFlag)) {
        this.pos = p;
        this.flags = flags;
        return c === ":" ? { capture: false, saved } : undefined;
      }
      break;
    }
    return this.fail("invalid or unsupported Perl syntax", this.text(start, p));
  }

  /** Go's parseRepeat on `{…}` at pos; undefined when it is a literal `{`. Numbers ≥ 1e8 read as -1. */
  private parseRepeat(): { min: number; max: number; end: number } | undefined {
    const ch = this.ch;
    let p = this.pos + 1;
    const int = (): number | undefined => {
      const from = p;
      if (!(ch[p]! >= "0" && ch[p]! <= "9")) return undefined;
      if (ch[p] === "0" && ch[p + 1]! >= "0" && ch[p + 1]! <= "9") return undefined;
      while (ch[p]! >= "0" && ch[p]! <= "9") p++;
      const n = Number(this.text(from, p));
      return n >= 1e8 ? -1 : n;
    };
    let min = int();
    if (min === undefined || p >= ch.length) return undefined;
    let max = min;
    if (ch[p] === ",") {
      p++;
      if (p >= ch.length) return undefined;
      if (ch[p] === "}") max = -1;
      else {
        const m = int();
        if (m === undefined) return undefined;
        max = m;
        if (m < 0) min = -1;
      }
    }
    if (ch[p] !== "}") return undefined;
    return { min, max, end: p + 1 };
  }

  /** A backslash outside a class: an assertion, `\Q…\E`, a class escape or a single character. */
  private backslash(seq: string[]): void {
    const start = this.pos;
    const next = this.ch[start + 1];
    switch (next) {
      case "A":
        this.pos += 2;
        seq.push("^");
        return;
      case "z":
        this.pos += 2;
        seq.push("$");
        return;
      case "b":
      case "B":
        this.pos += 2;
        seq.push(`\\${next}`);
        return;
      case "C":
        return this.fail("invalid escape sequence", "\\C");
      case "Q": {
        let end = this.pos + 2;
        while (end < this.ch.length && !(this.ch[end] === "\\" && this.ch[end + 1] === "E")) end++;
        for (let k = this.pos + 2; k < end; k++) seq.push(this.lit(this.ch[k]!.codePointAt(0)!));
        this.pos = Math.min(end + 2, this.ch.length);
        return;
      }
    }
    const set = emptySet();
    if (this.classEscape(set)) {
      seq.push(setSource(set, false));
      return;
    }
    seq.push(this.lit(this.escape()));
  }

  /** Adds `\pX`, `\p{Name}`, `\P…` or a Perl class `\d \D \s \S \w \W` at pos to `set`; false when not one. */
  private classEscape(set: CharSet): boolean {
    const start = this.pos;
    const next = this.ch[start + 1];
    if (next === undefined || this.ch[start] !== "\\") return false;
    const perl = PERL_GROUPS.get(next.toLowerCase());
    if (perl !== undefined && /[dswDSW]/.test(next)) {
      this.pos += 2;
      addGroup(set, { ranges: perl, props: [] }, next !== next.toLowerCase(), this.flags.i);
      return true;
    }
    if (next !== "p" && next !== "P") return false;
    let negated = next === "P";
    let name: string;
    if (start + 2 >= this.ch.length) {
      name = "";
      this.pos = start + 2;
    } else if (this.ch[start + 2] !== "{") {
      name = this.ch[start + 2]!;
      this.pos = start + 3;
    } else {
      const end = this.ch.indexOf("}", start);
      if (end < 0) this.fail("invalid character class range", this.text(start, this.ch.length));
      name = this.text(start + 3, end);
      this.pos = end + 1;
    }
    if (name.startsWith("^")) {
      negated = !negated;
      name = name.slice(1);
    }
    const group = unicodeGroup(name);
    if (group === undefined) this.fail("invalid character class range", this.text(start, this.pos));
    addGroup(set, group, negated, this.flags.i);
    return true;
  }

  /** Go's parseEscape: one escaped code point at pos (octal, hex, C escapes, escaped punctuation). */
  private escape(): number {
    const start = this.pos;
    const ch = this.ch;
    const c = ch[start + 1];
    if (c === undefined) this.fail("trailing backslash at end of expression", "");
    let p = start + 2;
    const bad = (hint = ""): never => this.fail("invalid escape sequence", this.text(start, p), hint);
    if (c >= "1" && c <= "9" && !(c <= "7" && isOctal(ch[p]))) bad(" (backreferences are not supported by RE2)");
    if (c >= "0" && c <= "7") {
      let r = Number(c);
      for (let k = 1; k < 3 && isOctal(ch[p]); k++) r = r * 8 + Number(ch[p++]);
      this.pos = p;
      return r;
    }
    if (c === "x") {
      if (p >= ch.length) bad();
      if (ch[p] === "{") {
        p++;
        let r = 0;
        let n = 0;
        for (;;) {
          if (p >= ch.length) bad();
          const d = ch[p++];
          if (d === "}") break;
          const v = unhex(d);
          if (v < 0) bad();
          r = r * 16 + v;
          if (r > 0x10ffff) bad();
          n++;
        }
        if (n === 0) bad();
        this.pos = p;
        return r;
      }
      const x = unhex(ch[p++]);
      const y = unhex(ch[p]);
      if (p < ch.length) p++;
      if (x < 0 || y < 0) bad();
      this.pos = p;
      return x * 16 + y;
    }
    const simple: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
    if (Object.hasOwn(simple, c)) {
      this.pos = p;
      return simple[c]!;
    }
    const cp = c.codePointAt(0)!;
    if (cp < 0x80 && !isAlnum(c)) {
      this.pos = p;
      return cp;
    }
    return bad();
  }

  /** One class character, escape included; reports a missing `]` against the class text from `wholeStart`. */
  private classChar(wholeStart: number): number {
    if (this.pos >= this.ch.length) this.fail("missing closing ]", this.text(wholeStart, this.ch.length));
    if (this.ch[this.pos] === "\\") return this.escape();
    return this.ch[this.pos++]!.codePointAt(0)!;
  }

  /** Go's parseClass: `[…]` at pos. */
  private parseClass(): string {
    const ch = this.ch;
    const wholeStart = this.pos++;
    let negated = false;
    if (ch[this.pos] === "^") {
      negated = true;
      this.pos++;
    }
    const set = emptySet();
    const fold = this.flags.i;
    let first = true;
    for (;;) {
      if (this.pos >= ch.length) this.fail("missing closing ]", this.text(wholeStart, ch.length));
      if (ch[this.pos] === "]" && !first) break;
      first = false;
      if (ch[this.pos] === "[" && ch[this.pos + 1] === ":" && ch.length - this.pos > 2) {
        const close = this.text(this.pos + 2, ch.length).indexOf(":]");
        if (close >= 0) {
          const end = this.pos + 2 + Array.from(this.text(this.pos + 2, ch.length).slice(0, close)).length + 2;
          const spelled = this.text(this.pos, end);
          const m = /^\[:(\^?)([a-z]+):\]$/.exec(spelled);
          const group = m ? POSIX_GROUPS.get(m[2]!) : undefined;
          if (m === null || group === undefined) this.fail("invalid character class range", spelled);
          addGroup(set, { ranges: group, props: [] }, m[1] === "^", fold);
          this.pos = end;
          continue;
        }
      }
      if (this.classEscape(set)) continue;
      const rangeStart = this.pos;
      const lo = this.classChar(wholeStart);
      let hi = lo;
      if (ch.length - this.pos >= 2 && ch[this.pos] === "-" && ch[this.pos + 1] !== "]") {
        this.pos++;
        hi = this.classChar(wholeStart);
        if (hi < lo) this.fail("invalid character class range", this.text(rangeStart, this.pos));
      }
      addRange(set, lo, hi, fold);
    }
    this.pos++;
    return setSource(set, negated);
  }
}

/** One capture group's text, or undefined when the group did not take part in the match. */
type Groups = ReadonlyArray<string | undefined>;

const TEMPLATE_NAME_CHAR = /^[\p{L}\p{Nd}_]$/u;

/** Go's regexp `extract`: the `name` or `{name}` after a `$`; num is -1 unless it is a group number. */
function extractTemplateName(t: string): { name: string; num: number; rest: string } | undefined {
  let i = 0;
  const brace = t.startsWith("{");
  if (brace) i = 1;
  const from = i;
  while (i < t.length) {
    const c = String.fromCodePoint(t.codePointAt(i)!);
    if (!TEMPLATE_NAME_CHAR.test(c)) break;
    i += c.length;
  }
  if (i === from) return undefined;
  const name = t.slice(from, i);
  if (brace) {
    if (t[i] !== "}") return undefined;
    i++;
  }
  let num = 0;
  for (const d of name) {
    if (d < "0" || d > "9" || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + Number(d);
  }
  if (name.length > 1 && name.startsWith("0")) num = -1; // no leading zeros
  return { name, num, rest: t.slice(i) };
}

/**
 * Go's `Regexp.Expand`: `$1`, `${1}`, `$name`, `${name}` take the group's text (empty when the
 * group is unknown or unset); a name is the longest run of letters, digits and `_`, so `$1x` is
 * the group named "1x"; `$$` is a `$`; a `$` not followed by a valid name is kept as is.
 */
export function expandTemplate(template: string, groups: Groups, names: ReadonlyArray<string | undefined>): string {
  let out = "";
  let t = template;
  for (;;) {
    const at = t.indexOf("$");
    if (at < 0) break;
    out += t.slice(0, at);
    t = t.slice(at + 1);
    if (t.startsWith("$")) {
      out += "$";
      t = t.slice(1);
      continue;
    }
    const ref = extractTemplateName(t);
    if (ref === undefined) {
      out += "$";
      continue;
    }
    t = ref.rest;
    if (ref.num >= 0) {
      out += groups[ref.num] ?? "";
      continue;
    }
    for (let k = 0; k < names.length; k++) {
      if (names[k] === ref.name && groups[k] !== undefined) {
        out += groups[k];
        break;
      }
    }
  }
  return out + t;
}

/** A relabeling regex: the configured RE2 text, fully anchored, compiled to JavaScript. */
export class RelabelRegex {
  private readonly re: RegExp;
  private readonly all: RegExp;
  /** Capture group names by group number (index 0 is the whole match). */
  readonly names: ReadonlyArray<string | undefined>;

  private constructor(
    /** The regex as written in the config, without the anchors. */
    readonly source: string,
    /** The JavaScript translation of `^(?:source)$`. */
    readonly jsSource: string,
    names: Array<string | undefined>,
  ) {
    this.re = new RegExp(jsSource, "u");
    this.all = new RegExp(jsSource, "gu");
    this.names = names;
  }

  /** Compiles `^(?:source)$` as Go would; throws RegexSyntaxError with Go's message. */
  static compile(source: string): RelabelRegex {
    const t = new Translator(`^(?:${source})$`);
    const js = t.translate();
    try {
      return new RelabelRegex(source, js, t.names);
    } catch (err) {
      throw new RegexSyntaxError(`error parsing regexp: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Go's MatchString. */
  test(s: string): boolean {
    return this.re.test(s);
  }

  /** Go's FindStringSubmatch: the groups of the first match, or undefined. */
  exec(s: string): Groups | undefined {
    const m = this.re.exec(s);
    return m === null ? undefined : Array.from(m);
  }

  /** Expands `template` (Go's Expand) with the groups of a match. */
  expand(template: string, groups: Groups): string {
    return expandTemplate(template, groups, this.names);
  }

  /** Go's ReplaceAllString: every non-overlapping match replaced by the expanded template. */
  replaceAll(src: string, template: string): string {
    let out = "";
    let lastEnd = 0;
    let searchPos = 0;
    while (searchPos <= src.length) {
      this.all.lastIndex = searchPos;
      const m = this.all.exec(src);
      if (m === null) break;
      const a0 = m.index;
      const a1 = a0 + m[0].length;
      out += src.slice(lastEnd, a0);
      // No replacement for an empty match right after the previous match.
      if (a1 > lastEnd || a0 === 0) out += this.expand(template, Array.from(m));
      lastEnd = a1;
      const width = searchPos < src.length ? (src.codePointAt(searchPos)! > 0xffff ? 2 : 1) : 1;
      searchPos = searchPos + width > a1 ? searchPos + width : a1;
    }
    return out + src.slice(lastEnd);
  }
}
