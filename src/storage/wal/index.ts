/** The write-ahead log: segment files of opaque, checksummed records, group commit, replay. */
export { WalWriter, defaultWalOptions } from "./wal-writer.js";
export type { AppendResult, WalOptions } from "./wal-writer.js";
export { replayWal } from "./wal-replay.js";
export type { RecordPosition, ReplayRecordFn, ReplayResult } from "./wal-replay.js";
export { deleteSegmentsBefore, listSegments, segmentPath } from "./segment-files.js";
export { FORMAT_VERSION, segmentFileName, parseSegmentFileName } from "./segment-format.js";
export { nodeWalFileSystem } from "./wal-file-system.js";
export type { WalFile, WalFileSystem } from "./wal-file-system.js";
