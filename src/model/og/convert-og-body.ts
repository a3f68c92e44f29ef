/**
 * One /ingest body in a legacy (non-pprof, non-JFR) format → the profiles to push. The
 * caller has gunzipped the body, parsed the key and chosen the format; this picks the
 * parser and builds one FlatProfile per resulting series.
 */
import { InvalidArgumentError } from "../errors.js";
import { parseFolded, parseLines } from "./folded.js";
import type { OgProfileType } from "./og-profile-type.js";
import { convertSpeedscope } from "./speedscope.js";
import type { OgConverted } from "./speedscope.js";
import { StackSink } from "./stack-sink.js";
import type { OgLimits } from "./stack-sink.js";
import { parseTree } from "./tree.js";
import { parseTrie } from "./trie.js";

/** The body formats convertOgBody() reads (`format=` of /ingest; "folded" is Pyroscope's default "groups"). */
export type OgFormat = "folded" | "lines" | "trie" | "tree" | "speedscope";

const POSITION: Readonly<Record<Exclude<OgFormat, "speedscope">, string>> = {
  folded: "line",
  lines: "line",
  trie: "byte",
  tree: "byte",
};

/**
 * Converts one /ingest body (already gunzipped) to profiles. Folded, lines, trie and tree
 * bodies give exactly one profile of `type`, values multiplied by `type.scale`; a
 * speedscope body gives one per profile it holds, typed by its own unit. Bad input throws
 * InvalidArgumentError("invalid_profile") saying what was wrong and at which line, byte or
 * sample; work and memory stay linear in the body (see StackSink for the budgets).
 */
export function convertOgBody(
  format: OgFormat,
  body: Uint8Array,
  type: OgProfileType,
  timeNanos: bigint,
  durationNanos: bigint,
  limits: OgLimits,
): OgConverted[] {
  if (format === "speedscope") return convertSpeedscope(body, type, timeNanos, durationNanos, limits);
  const posName = Object.hasOwn(POSITION, format) ? POSITION[format] : undefined;
  if (posName === undefined) throw new InvalidArgumentError("invalid_request", `unknown format ${JSON.stringify(String(format))}`);
  if (!Number.isSafeInteger(type.scale) || type.scale < 1) {
    throw new InvalidArgumentError("invalid_request", `scale ${type.scale} is not a positive integer`);
  }
  const sink = new StackSink(type, type.scale, limits, format, posName, body.length);
  switch (format) {
    case "folded":
      parseFolded(body, sink, limits.maxStacks);
      break;
    case "lines":
      parseLines(body, sink, limits.maxStacks);
      break;
    case "trie":
      parseTrie(body, sink);
      break;
    case "tree":
      parseTree(body, sink);
      break;
  }
  return [{ metricName: type.metricName, profile: sink.build(timeNanos, durationNanos), labels: [] }];
}
