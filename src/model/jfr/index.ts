/** Java Flight Recorder recordings: a bounds-checked reader and the conversion to profiles for ingestion. */
export { parseJfrIngest, DEFAULT_SAMPLE_RATE_HZ, DROPPED_CONTEXT_LABELS, FRAMES_PER_INPUT_BYTE } from "./jfr-ingest.js";
export { MAX_PROFILES } from "./sample-aggregator.js";
export type { JfrProfile, JfrOptions } from "./jfr-ingest.js";
export { JFR_PROFILE_TYPES, JFR_EVENT_MAPPINGS, JfrProfileKind } from "./profile-types.js";
export type { JfrProfileType, JfrEventMapping } from "./profile-types.js";
export { decodeLabelsSnapshot } from "./labels-snapshot.js";
export type { LabelsSnapshot } from "./labels-snapshot.js";
export { readChunk, readChunkHeader, forEachRecord, isJfr } from "./chunk.js";
export type { Chunk, ChunkHeader } from "./chunk.js";
export { javaFrameName, mergeGeneratedName } from "./frame-names.js";
