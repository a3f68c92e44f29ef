/**
 * Reads the output of `go tool pprof -raw` (Go's profile.String): a header, then
 * "Samples:", the sample-type line, one line per sample ("v1 v2: loc loc …", then
 * optional label lines), "Locations" with one line per inlined frame, "Mappings".
 */

/** What -raw printed, reduced to what the tests compare. */
export interface RawProfile {
  /** "type/unit" per sample type, without the "[dflt]" marker. */
  sampleTypes: string[];
  /** "type unit" of the PeriodType line, or "" when absent. */
  periodType: string;
  samples: { values: number[]; locationIds: number[] }[];
  /** Location ID → function names, innermost (leaf) first; "??" for a line without a function. */
  locations: Map<number, string[]>;
}

const SAMPLE_RE = /^\s*(-?\d+(?:\s+-?\d+)*): ((?:\d+ )*)$/;
const LOCATION_RE = /^\s*(\d+): 0x[0-9a-f]+ (?:M=\d+ )?(?:\[F\] )?(.*)$/;
const INLINED_RE = /^ {13}(\S.*)$/;
// "<name> <file>:<line> s=<startLine>" with "(<systemName>)" when it differs; the file may be empty.
const FRAME_RE = /^(.*) (.*):(-?\d+) s=(-?\d+)(?:\(.*\))?$/;

function frameName(text: string): string {
  if (text === "??" || text === "") return "??";
  const m = FRAME_RE.exec(text);
  if (m === null) throw new Error(`unparsable location line ${JSON.stringify(text)}`);
  return m[1]!;
}

/** Parses -raw output; throws naming the first line it cannot place. */
export function parsePprofRaw(text: string): RawProfile {
  const lines = text.split("\n");
  const out: RawProfile = { sampleTypes: [], periodType: "", samples: [], locations: new Map() };
  let i = 0;
  for (; i < lines.length && lines[i] !== "Samples:"; i++) {
    const pt = /^PeriodType: (.*)$/.exec(lines[i]!);
    if (pt !== null) out.periodType = pt[1]!;
  }
  if (i === lines.length) throw new Error("no Samples: section");
  out.sampleTypes = (lines[++i] ?? "").split(" ").filter((t) => t !== "").map((t) => t.replace(/\[dflt\]$/, ""));
  for (i++; i < lines.length && lines[i] !== "Locations"; i++) {
    const line = lines[i]!;
    const m = SAMPLE_RE.exec(line);
    if (m !== null) {
      out.samples.push({ values: m[1]!.trim().split(/\s+/).map(Number), locationIds: m[2]!.trim().split(" ").filter((x) => x !== "").map(Number) });
    } else if (!/^\s+\{.*\}$/.test(line) && line.trim() !== "") {
      throw new Error(`unexpected line in Samples: ${JSON.stringify(line)}`);
    }
  }
  let current: string[] | undefined;
  for (i++; i < lines.length && lines[i] !== "Mappings"; i++) {
    const line = lines[i]!;
    const loc = LOCATION_RE.exec(line);
    const inl = INLINED_RE.exec(line);
    if (loc !== null) {
      current = [frameName(loc[2]!)];
      out.locations.set(Number(loc[1]), current);
    } else if (inl !== null && current !== undefined) {
      current.push(frameName(inl[1]!));
    } else if (line.trim() !== "") {
      throw new Error(`unexpected line in Locations: ${JSON.stringify(line)}`);
    }
  }
  return out;
}

/** Sum of the values of sample type `index`. */
export function rawTotal(p: RawProfile, index = 0): number {
  return p.samples.reduce((sum, s) => sum + (s.values[index] ?? 0), 0);
}

/** Leaf function names of samples whose value of sample type `index` is not zero. */
export function rawLeaves(p: RawProfile, index = 0): Set<string> {
  const out = new Set<string>();
  for (const s of p.samples) {
    if ((s.values[index] ?? 0) === 0 || s.locationIds.length === 0) continue;
    const names = p.locations.get(s.locationIds[0]!);
    if (names === undefined) throw new Error(`sample refers to unknown location ${s.locationIds[0]}`);
    out.add(names[0]!);
  }
  return out;
}
