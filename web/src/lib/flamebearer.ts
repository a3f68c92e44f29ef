/**
 * The flamebearer JSON of /pyroscope/render and /pyroscope/render-diff, and its
 * conversion into the nested-set columns @grafana/flamegraph draws: one row per node in
 * depth-first order with its depth, name, total and self (plus the right side's total
 * and self for a diff).
 */

/** The flame graph part of a flamebearer answer; `levels` are still delta-encoded. */
export interface Flamebearer {
  names: string[];
  levels: number[][];
  numTicks: number;
  maxSelf: number;
}

/** A timeline: one sample per `durationDelta` seconds from `startTime` (Unix seconds). */
export interface FlamebearerTimeline {
  startTime: number;
  samples: number[];
  durationDelta: number;
}

/** What the server says about the values. */
export interface FlamebearerMetadata {
  format: "single" | "double";
  units: string;
  name: string;
  sampleRate: number;
  spyName: string;
}

/** A whole render or render-diff answer. */
export interface FlamebearerProfile {
  version: number;
  flamebearer: Flamebearer;
  metadata: FlamebearerMetadata;
  timeline: FlamebearerTimeline | null;
  groups: Record<string, FlamebearerTimeline> | null;
  leftTicks?: number;
  rightTicks?: number;
}

/**
 * Nested-set columns, rows in depth-first order with children in flame-graph order.
 * For a diff, `value`/`self` hold the left side only and `valueRight`/`selfRight` the
 * right side: @grafana/flamegraph adds the two to size a bar.
 */
export interface NestedSet {
  level: number[];
  label: string[];
  value: number[];
  self: number[];
  valueRight?: number[];
  selfRight?: number[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isNumberArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === "number");
}

function timeline(v: unknown): FlamebearerTimeline | null {
  if (!isRecord(v) || typeof v.startTime !== "number" || !isNumberArray(v.samples)) return null;
  return { startTime: v.startTime, samples: v.samples, durationDelta: typeof v.durationDelta === "number" ? v.durationDelta : 0 };
}

/** Checks the shape of a parsed render answer; throws naming the first member that is wrong. */
export function parseFlamebearerProfile(json: unknown): FlamebearerProfile {
  if (!isRecord(json)) throw new Error("render answer is not a JSON object");
  const fb = json.flamebearer;
  if (!isRecord(fb)) throw new Error("render answer has no flamebearer");
  if (!Array.isArray(fb.names) || !fb.names.every((n) => typeof n === "string")) throw new Error("flamebearer.names is not a string array");
  if (!Array.isArray(fb.levels) || !fb.levels.every(isNumberArray)) throw new Error("flamebearer.levels is not an array of number arrays");
  const md = isRecord(json.metadata) ? json.metadata : {};
  const format = md.format === "double" ? "double" : "single";
  const groups: Record<string, FlamebearerTimeline> = {};
  if (isRecord(json.groups)) {
    for (const [k, v] of Object.entries(json.groups)) {
      const t = timeline(v);
      if (t) groups[k] = t;
    }
  }
  return {
    version: typeof json.version === "number" ? json.version : 1,
    flamebearer: {
      names: fb.names as string[],
      levels: fb.levels as number[][],
      numTicks: typeof fb.numTicks === "number" ? fb.numTicks : 0,
      maxSelf: typeof fb.maxSelf === "number" ? fb.maxSelf : 0,
    },
    metadata: {
      format,
      units: typeof md.units === "string" ? md.units : "",
      name: typeof md.name === "string" ? md.name : "",
      sampleRate: typeof md.sampleRate === "number" ? md.sampleRate : 100,
      spyName: typeof md.spyName === "string" ? md.spyName : "",
    },
    timeline: timeline(json.timeline),
    groups: isRecord(json.groups) ? groups : null,
    ...(typeof json.leftTicks === "number" ? { leftTicks: json.leftTicks } : {}),
    ...(typeof json.rightTicks === "number" ? { rightTicks: json.rightTicks } : {}),
  };
}

interface Node {
  /** Position on the combined axis (left + right for a diff). */
  x: number;
  width: number;
  total: number;
  self: number;
  totalRight: number;
  selfRight: number;
  name: string;
  children: Node[];
}

/**
 * Undoes the delta encoding of one level: each stored x is relative to the end
 * (x + total) of the previous node of the same level, separately per side.
 */
function decodeLevel(level: number[], names: string[], diff: boolean): Node[] {
  const step = diff ? 7 : 4;
  const nodes: Node[] = [];
  let prevLeft = 0;
  let prevRight = 0;
  for (let i = 0; i + step <= level.length; i += step) {
    const lx = level[i]! + prevLeft;
    const lt = level[i + 1]!;
    prevLeft = lx + lt;
    let rx = 0;
    let rt = 0;
    if (diff) {
      rx = level[i + 3]! + prevRight;
      rt = level[i + 4]!;
      prevRight = rx + rt;
    }
    const nameIndex = level[i + (diff ? 6 : 3)]!;
    nodes.push({
      x: lx + rx,
      width: lt + rt,
      total: lt,
      self: level[i + 2]!,
      totalRight: rt,
      selfRight: diff ? level[i + 5]! : 0,
      name: names[nameIndex] ?? `<unknown name ${nameIndex}>`,
      children: [],
    });
  }
  return nodes;
}

/**
 * Hangs each node of a level under the node of the level above whose span holds its x.
 * Both levels are sorted by x, so one forward pointer suffices.
 */
function link(parents: Node[], children: Node[]): void {
  if (parents.length === 0) return;
  let p = 0;
  for (const c of children) {
    while (p + 1 < parents.length && parents[p]!.x + parents[p]!.width <= c.x && parents[p + 1]!.x <= c.x) p++;
    parents[p]!.children.push(c);
  }
}

/** Converts flamebearer levels to nested-set rows; `format` "double" reads 7-tuples. */
export function flamebearerToNestedSet(fb: Flamebearer, format: "single" | "double"): NestedSet {
  const diff = format === "double";
  const levels = fb.levels.map((l) => decodeLevel(l, fb.names, diff));
  for (let d = 1; d < levels.length; d++) link(levels[d - 1]!, levels[d]!);
  const out: NestedSet = { level: [], label: [], value: [], self: [] };
  if (diff) {
    out.valueRight = [];
    out.selfRight = [];
  }
  // Iterative pre-order walk: stacks can be deeper than is comfortable for recursion.
  const stack: Array<[Node, number]> = [];
  for (let i = (levels[0]?.length ?? 0) - 1; i >= 0; i--) stack.push([levels[0]![i]!, 0]);
  while (stack.length > 0) {
    const [n, depth] = stack.pop()!;
    out.level.push(depth);
    out.label.push(n.name);
    out.value.push(n.total);
    out.self.push(n.self);
    out.valueRight?.push(n.totalRight);
    out.selfRight?.push(n.selfRight);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push([n.children[i]!, depth + 1]);
  }
  return out;
}

/** The root's total of a nested set (left side for a diff); 0 when empty. */
export function nestedSetTotal(ns: NestedSet): number {
  let t = 0;
  for (let i = 0; i < ns.level.length; i++) if (ns.level[i] === 0) t += ns.value[i]!;
  return t;
}
