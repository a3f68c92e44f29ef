/**
 * Go orders strings byte-wise over their UTF-8 encoding; every output that must match
 * Pyroscope (sibling order, hence name indices and x offsets) depends on that order.
 * JS compares UTF-16 code units, which agrees with UTF-8 byte order except when one side
 * holds a surrogate (an astral char, UTF-8 lead byte 0xF0..0xF4) and the other a unit in
 * U+E000..U+FFFF (lead byte 0xEE/0xEF): UTF-16 puts the astral char first, UTF-8 last.
 */

const SURROGATE = /[\uD800-\uDFFF]/;

/** Compares two strings in UTF-8 byte order (Go's string order): negative, zero or positive. */
export function compareUtf8(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Lift surrogates above U+FFFF and shift U+E000..U+FFFF down into the gap they left.
      x = x < 0xe000 ? x + 0x2000 : x - 0x800;
      y = y < 0xe000 ? y + 0x2000 : y - 0x800;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * rank[id] = position of names[id] in UTF-8 byte order. `names` must hold distinct strings.
 * Without astral chars the native sort already is byte order, so the JS comparator (about
 * ten times slower) only runs when some name holds a surrogate.
 */
export function byteOrderRanks(names: readonly string[]): Int32Array {
  const n = names.length;
  const rank = new Int32Array(n);
  let astral = false;
  for (let i = 0; i < n && !astral; i++) astral = SURROGATE.test(names[i]!);
  if (astral) {
    const ids = Array.from({ length: n }, (_, i) => i);
    ids.sort((a, b) => compareUtf8(names[a]!, names[b]!));
    for (let r = 0; r < n; r++) rank[ids[r]!] = r;
    return rank;
  }
  const sorted = names.slice().sort();
  const pos = new Map<string, number>();
  for (let r = 0; r < n; r++) pos.set(sorted[r]!, r);
  for (let i = 0; i < n; i++) rank[i] = pos.get(names[i]!)!;
  return rank;
}
