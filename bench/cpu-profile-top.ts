/**
 * Top frames of a V8 .cpuprofile (from `node --cpu-prof`), by self and by inclusive
 * time, optionally counting only samples with a frame matching `--under <regex>` on
 * their stack (e.g. `pushRounds` to leave out the baseline and the set-up).
 * tsx compiles without line breaks, so frames are named by function and file only.
 *
 *   node --import tsx bench/cpu-profile-top.ts <file.cpuprofile> [--under <regex>] [--top <n>]
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** The parts of a .cpuprofile this reads. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

/** One row of the summary, in milliseconds. */
export interface FrameTime {
  frame: string;
  selfMs: number;
  totalMs: number;
}

/** Self and inclusive time per frame of `profile`, counting only stacks that pass `under`. */
export function summarize(profile: CpuProfile, under: RegExp | undefined, repoRoot: string): { frames: FrameTime[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (id: number): string => {
    const f = byId.get(id)!.callFrame;
    return `${f.functionName || "(anonymous)"} ${f.url.replace(repoRoot, "").replace(/^file:\/\//, "")}`;
  };
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const stack: string[] = [];
    for (let m: number | undefined = id; m !== undefined; m = parent.get(m)) stack.push(name(m));
    if (under !== undefined && !stack.some((f) => under.test(f))) continue;
    totalUs += us;
    self.set(stack[0]!, (self.get(stack[0]!) ?? 0) + us);
    for (const f of new Set(stack)) total.set(f, (total.get(f) ?? 0) + us);
  }
  const frames = [...total].map(([frame, us]) => ({ frame, selfMs: (self.get(frame) ?? 0) / 1e3, totalMs: us / 1e3 }));
  return { frames, totalMs: totalUs / 1e3 };
}

function main(argv: readonly string[]): void {
  const file = argv[0];
  if (file === undefined) throw new Error("usage: cpu-profile-top.ts <file.cpuprofile> [--under <regex>] [--top <n>]");
  const underAt = argv.indexOf("--under");
  const topAt = argv.indexOf("--top");
  const under = underAt >= 0 && argv[underAt + 1] !== undefined ? new RegExp(argv[underAt + 1]!) : undefined;
  const top = topAt >= 0 ? Number(argv[topAt + 1]) : 25;
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const { frames, totalMs } = summarize(profile, under, pathToFileURL(process.cwd()).href + "/");
  const pct = (ms: number): string => `${((100 * ms) / totalMs).toFixed(1).padStart(5)}%`;
  for (const [title, key] of [["self", "selfMs"], ["inclusive", "totalMs"]] as const) {
    console.log(`\n${title} time (of ${totalMs.toFixed(0)} ms${under ? ` under /${under.source}/` : ""})`);
    for (const f of [...frames].filter((x) => !x.frame.startsWith("(root)")).sort((a, b) => b[key] - a[key]).slice(0, top)) {
      console.log(`${f[key].toFixed(0).padStart(8)} ms ${pct(f[key])}  ${f.frame}`);
    }
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2));
}
