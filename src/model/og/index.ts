/**
 * The legacy ("OG") Pyroscope side of /ingest as pure functions: the `name` key, the type
 * suffix table, the series labels, and the folded, lines, trie, tree and speedscope bodies.
 */
export { parseIngestKey } from "./ingest-key.js";
export type { IngestKey } from "./ingest-key.js";
export { ogProfileType, knownOgSuffixes } from "./og-profile-type.js";
export type { OgProfileType, OgTypeOptions } from "./og-profile-type.js";
export { ingestSeriesLabels } from "./ingest-series-labels.js";
export { convertOgBody } from "./convert-og-body.js";
export type { OgFormat } from "./convert-og-body.js";
export type { OgConverted } from "./speedscope.js";
export type { OgLimits } from "./stack-sink.js";
