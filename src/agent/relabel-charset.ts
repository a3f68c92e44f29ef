/**
 * Character sets for the RE2 → JavaScript regex translation in relabel-regex.ts: Go's Perl
 * (`\d \s \w`), POSIX (`[:alpha:]`) and Unicode (`\pL`, `\p{Greek}`) classes, Go's simple case
 * folding for `(?i)`, and the rendering of a set as JavaScript `u`-mode syntax.
 *
 * Every set is rendered explicitly (folded by hand when case-insensitive), so the JavaScript
 * regex never needs its own `i` flag, whose handling of negated classes (`/\P{Lu}/iu` matches
 * "A") differs from RE2's.
 */

/** An inclusive range of code points. */
export type CodeRange = readonly [number, number];

/** Code points given as explicit ranges plus JavaScript Unicode property expressions ("L", "Script=Greek"). */
export interface CharGroup {
  readonly ranges: readonly CodeRange[];
  readonly props: readonly string[];
}

/** A character class under construction: the union of its ranges, its properties and its complemented groups. */
export interface CharSet {
  ranges: CodeRange[];
  props: string[];
  /** Groups whose complement belongs to the set. */
  negs: CharGroup[];
}

const MAX_RUNE = 0x10ffff;
/** The last cased letter in Unicode 15 (ADLAM SMALL LETTER SHA); nothing above folds. */
const MAX_FOLD = 0x1e943;

const ranges = (...pairs: Array<[string, string] | string>): CodeRange[] =>
  pairs.map((p) => (typeof p === "string" ? [p.codePointAt(0)!, p.codePointAt(0)!] : [p[0].codePointAt(0)!, p[1].codePointAt(0)!]));

const DIGIT = ranges(["0", "9"]);
const WORD = ranges(["0", "9"], ["A", "Z"], ["a", "z"], "_");
/** RE2's `\s` is ASCII `[\t\n\f\r ]` (no `\v`), unlike JavaScript's Unicode `\s`. */
const PERL_SPACE = ranges("\t", "\n", "\f", "\r", " ");

/** Go's Perl classes, by the letter after the backslash; upper case is the complement. */
export const PERL_GROUPS: ReadonlyMap<string, CodeRange[]> = new Map([
  ["d", DIGIT],
  ["s", PERL_SPACE],
  ["w", WORD],
]);

/** Go's POSIX classes, by their `[:name:]` spelling (the `[:^name:]` form is their complement). */
export const POSIX_GROUPS: ReadonlyMap<string, CodeRange[]> = new Map([
  ["alnum", ranges(["0", "9"], ["A", "Z"], ["a", "z"])],
  ["alpha", ranges(["A", "Z"], ["a", "z"])],
  ["ascii", ranges(["\x00", "\x7f"])],
  ["blank", ranges("\t", " ")],
  ["cntrl", ranges(["\x00", "\x1f"], "\x7f")],
  ["digit", DIGIT],
  ["graph", ranges(["!", "~"])],
  ["lower", ranges(["a", "z"])],
  ["print", ranges([" ", "~"])],
  ["punct", ranges(["!", "/"], [":", "@"], ["[", "`"], ["{", "~"])],
  ["space", ranges(["\t", "\r"], " ")],
  ["upper", ranges(["A", "Z"])],
  ["word", WORD],
  ["xdigit", ranges(["0", "9"], ["A", "F"], ["a", "f"])],
]);

/** The general categories Go's `unicode.Categories` knows (no `Cn`, `LC` or long names). */
const GO_CATEGORIES = new Set(
  "Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs".split(" "),
);

/** Scripts whose long name is four letters, like an ISO 15924 code. */
const FOUR_LETTER_SCRIPT_NAMES = new Set(["Ahom", "Cham", "Kawi", "Lisu", "Miao", "Modi", "Newa", "Thai", "Toto"]);

/** The group Go's `\p{name}` denotes, or undefined when Go does not know the name. */
export function unicodeGroup(name: string): CharGroup | undefined {
  if (name === "Any") return { ranges: [[0, MAX_RUNE]], props: [] };
  // Go's C is Cc+Cf+Co+Cs; JavaScript's \p{C} also has the unassigned code points (Cn).
  if (name === "C") return { ranges: [], props: ["Cc", "Cf", "Co", "Cs"] };
  if (GO_CATEGORIES.has(name)) return { ranges: [], props: [name] };
  if (!/^[A-Z][A-Za-z_]*$/.test(name) || name === "Katakana_Or_Hiragana" || name === "Unknown") return undefined;
  // Go knows scripts by their long names only; JavaScript also takes the 4-letter ISO 15924 codes.
  if (/^[A-Z][a-z]{3}$/.test(name) && !FOUR_LETTER_SCRIPT_NAMES.has(name)) return undefined;
  try {
    new RegExp(`\\p{Script=${name}}`, "u");
  } catch {
    return undefined;
  }
  return { ranges: [], props: [`Script=${name}`] };
}

/** Sorts and merges ranges. */
export function normalize(rs: readonly CodeRange[]): CodeRange[] {
  const sorted = [...rs].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of sorted) {
    const last = out.at(-1);
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** The code points (0..U+10FFFF) not in `rs`. */
export function complement(rs: readonly CodeRange[]): CodeRange[] {
  const out: CodeRange[] = [];
  let next = 0;
  for (const [lo, hi] of normalize(rs)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_RUNE) out.push([next, MAX_RUNE]);
  return out;
}

function inRanges(rs: readonly CodeRange[], c: number): boolean {
  for (const [lo, hi] of rs) if (c >= lo && c <= hi) return true;
  return false;
}

let orbitCache: { list: number[][]; byCodePoint: Map<number, number[]> } | undefined;

function single(s: string): number | undefined {
  const c = s.codePointAt(0)!;
  return s.length === (c > 0xffff ? 2 : 1) ? c : undefined;
}

/**
 * The case-folding orbits (sets of code points equal under Unicode simple case folding, which is
 * what Go's `unicode.SimpleFold` walks), built once on first use. Candidates come from the
 * lower/upper case mappings; membership is confirmed by the engine's own `iu` canonicalization,
 * which is simple case folding too (this keeps U+0131 ı out of the orbit of i, as in Go).
 * Building takes about 0.1 s, paid only by the first case-insensitive regex.
 */
function orbits(): { list: number[][]; byCodePoint: Map<number, number[]> } {
  if (orbitCache) return orbitCache;
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  for (let cp = 0; cp <= MAX_FOLD; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const s = String.fromCodePoint(cp);
    const lower = s.toLowerCase();
    const upper = s.toUpperCase();
    if (lower === s && upper === s) continue;
    const cands = new Set<number>();
    for (const t of [lower, upper]) {
      const c = single(t);
      if (c === undefined) continue;
      cands.add(c);
      const t2 = String.fromCodePoint(c);
      for (const u of [t2.toLowerCase(), t2.toUpperCase()]) {
        const c2 = single(u);
        if (c2 !== undefined) cands.add(c2);
      }
    }
    cands.delete(cp);
    if (cands.size === 0) continue;
    const re = new RegExp(`^\\u{${cp.toString(16)}}$`, "iu");
    for (const c of cands) {
      if (!re.test(String.fromCodePoint(c))) continue;
      const a = find(cp);
      const b = find(c);
      if (a !== b) parent.set(a, b);
    }
  }
  const groups = new Map<number, number[]>();
  for (const x of parent.keys()) {
    const root = find(x);
    const g = groups.get(root) ?? [];
    g.push(x);
    groups.set(root, g);
  }
  const list = [...groups.values()].filter((g) => g.length > 1).map((g) => g.sort((a, b) => a - b));
  const byCodePoint = new Map<number, number[]>();
  for (const g of list) for (const c of g) byCodePoint.set(c, g);
  orbitCache = { list, byCodePoint };
  return orbitCache;
}

/** The code points that fold to `c` (itself included), sorted. */
export function foldOrbit(c: number): readonly number[] {
  return orbits().byCodePoint.get(c) ?? [c];
}

/** `rs` closed under case folding. */
export function foldRanges(rs: readonly CodeRange[]): CodeRange[] {
  const out: CodeRange[] = [...rs];
  for (const orbit of orbits().list) {
    if (orbit.some((c) => inRanges(rs, c))) for (const c of orbit) out.push([c, c]);
  }
  return normalize(out);
}

/** The code points outside the properties that fold to a code point inside them. */
function propFoldExtras(props: readonly string[]): CodeRange[] {
  const re = new RegExp(`[${props.map((p) => `\\p{${p}}`).join("")}]`, "u");
  const out: CodeRange[] = [];
  for (const orbit of orbits().list) {
    const inside = orbit.filter((c) => re.test(String.fromCodePoint(c)));
    if (inside.length === 0 || inside.length === orbit.length) continue;
    for (const c of orbit) if (!inside.includes(c)) out.push([c, c]);
  }
  return out;
}

/** A new, empty set. */
export function emptySet(): CharSet {
  return { ranges: [], props: [], negs: [] };
}

/**
 * Adds `group` (or its complement) to `set`, folded when `fold`; like Go's appendGroup, a folded
 * complement is the complement of the folded group.
 */
export function addGroup(set: CharSet, group: CharGroup, negated: boolean, fold: boolean): void {
  let rs: CodeRange[] = [...group.ranges];
  if (fold) rs = foldRanges(group.props.length > 0 ? [...rs, ...propFoldExtras(group.props)] : rs);
  if (!negated) {
    set.ranges.push(...rs);
    set.props.push(...group.props);
  } else if (group.props.length === 0) {
    set.ranges.push(...complement(rs));
  } else {
    set.negs.push({ ranges: normalize(rs), props: [...group.props] });
  }
}

/** Adds the range lo..hi, folded when `fold` (Go's appendFoldedRange). */
export function addRange(set: CharSet, lo: number, hi: number, fold: boolean): void {
  if (fold) set.ranges.push(...foldRanges([[lo, hi]]));
  else set.ranges.push([lo, hi]);
}

const hex = (c: number): string => `\\u{${c.toString(16)}}`;

function rangesSource(rs: readonly CodeRange[]): string {
  return normalize(rs)
    .map(([lo, hi]) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`))
    .join("");
}

/** A code point as a JavaScript `u`-mode literal outside classes. */
export function literalSource(c: number): string {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f) return String.fromCodePoint(c);
  return hex(c);
}

/** A JavaScript `u`-mode expression matching one code point of `set` (or of its complement). */
export function setSource(set: CharSet, negated: boolean): string {
  const simpleNegs = set.negs.filter((n) => n.ranges.length === 0 && n.props.length === 1);
  const complexNegs = set.negs.filter((n) => !simpleNegs.includes(n));
  const inner = rangesSource(set.ranges) + set.props.map((p) => `\\p{${p}}`).join("") + simpleNegs.map((n) => `\\P{${n.props[0]}}`).join("");
  if (complexNegs.length === 0) return `[${negated ? "^" : ""}${inner}]`;
  const groupSource = (g: CharGroup): string => rangesSource(g.ranges) + g.props.map((p) => `\\p{${p}}`).join("");
  if (!negated) return `(?:[${inner}]|${complexNegs.map((g) => `[^${groupSource(g)}]`).join("|")})`;
  // Not in (inner ∪ ¬G1 ∪ … ∪ ¬Gn) = not in inner, and in every Gk.
  const parts = complexNegs.map((g) => `[${groupSource(g)}]`);
  return `(?:(?![${inner}])${parts
    .slice(0, -1)
    .map((p) => `(?=${p})`)
    .join("")}${parts.at(-1)})`;
}
