/**
 * OG body conversion on a generated 10 MB input of Go-like stacks: folded text and the
 * trie encoding of the same stacks, each against decodePprof of the pprof holding the
 * same profile (what a pprof upload of that content costs), in the same process.
 * Run directly: node --import tsx src/model/og/convert-og-body.bench.ts
 */
import { printWhenMain, round } from "../../../bench/bench-result.js";
import type { BenchOptions, BenchResult } from "../../../bench/bench-result.js";
import { decodePprof } from "../pprof/decode.js";
import { encodePprof } from "../pprof/encode.js";
import { convertOgBody } from "./convert-og-body.js";
import type { OgFormat } from "./convert-og-body.js";
import { ogProfileType } from "./og-profile-type.js";
import { encodeTrie } from "./test-og.js";

const CPU = ogProfileType("cpu", { sampleRate: 100 });
const LIMITS = { maxStacks: 1_000_000 };

/** Distinct stacks of 8–40 frames over 3000 function names, until the folded text reaches `bytes`. */
export function generateStacks(bytes: number): Array<[string, number]> {
  let s = 42;
  const rnd = (k: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % k;
  };
  const names = Array.from({ length: 3000 }, (_, i) => `github.com/acme/svc/pkg${i % 97}.(*Type${i % 13}).Method${i}`);
  const out: Array<[string, number]> = [];
  const seen = new Set<string>();
  let size = 0;
  while (size < bytes) {
    const depth = 8 + rnd(33);
    const frames: string[] = [];
    // Shared roots, as real profiles have: the first frames come from a small set.
    for (let d = 0; d < depth; d++) frames.push(names[d < 4 ? rnd(8) : rnd(names.length)]!);
    const key = frames.join(";");
    if (seen.has(key)) continue;
    seen.add(key);
    const count = 1 + rnd(500);
    out.push([key, count]);
    size += key.length + 2 + String(count).length;
  }
  return out;
}

/** Best-of-`rounds` milliseconds of `f`. */
function bestMs(f: () => void, rounds: number): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = process.hrtime.bigint();
    f();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return best;
}

/** Runs the benchmark: one row per format, value and baseline in ms per body. */
export async function run(options: BenchOptions = { quick: false }): Promise<BenchResult[]> {
  const mb = options.quick ? 2 : 10;
  const rounds = options.quick ? 2 : 5;
  const stacks = generateStacks(mb * 1_000_000);
  const inputs: Array<[OgFormat, Uint8Array]> = [
    ["folded", new TextEncoder().encode(stacks.map(([k, v]) => `${k} ${v}`).join("\n"))],
    ["trie", encodeTrie(stacks)],
  ];
  const results: BenchResult[] = [];
  for (const [format, body] of inputs) {
    const convert = (): number => convertOgBody(format, body, CPU, 0n, 0n, LIMITS)[0]!.profile.sampleCount;
    const pprof = encodePprof(convertOgBody(format, body, CPU, 0n, 0n, LIMITS)[0]!.profile);
    let n = 0;
    const value = bestMs(() => (n += convert()), rounds);
    const baseline = bestMs(() => (n += decodePprof(pprof).sampleCount), rounds);
    if (n === -1) console.log(n);
    results.push({
      name: `og ${format} convert (${(body.length / 1e6).toFixed(1)} MB, ${stacks.length} stacks) vs decodePprof of the same profile`,
      baseline: round(baseline),
      value: round(value),
      ratio: round(baseline / value),
      unit: "ms",
      note: `${round(body.length / 1e6 / (value / 1000), 1)} MB/s of ${format} body`,
    });
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return results;
}

await printWhenMain(import.meta.url, run);
