/**
 * The chunks of a JFR recording. A recording is one or more self-contained chunks laid
 * end to end; each starts with a fixed 68-byte big-endian header giving its size and the
 * offsets of its metadata event and of its last constant-pool checkpoint. Event records
 * fill the rest: `size <int> · type <long> · fields…`, with the metadata (type 0) and
 * checkpoint (type 1) events among them.
 */
import { JfrByteReader, invalidJfr } from "./byte-reader.js";
import { readConstantPools } from "./constant-pool.js";
import type { ConstantPools } from "./constant-pool.js";
import { Layouts } from "./layout.js";
import { readMetadata } from "./metadata.js";
import type { JfrMetadata } from "./metadata.js";

/** Size of a chunk header in bytes. */
export const CHUNK_HEADER_BYTES = 68;
/** "FLR\0", the first four bytes of every chunk. */
export const CHUNK_MAGIC = 0x464c5200;
/** The only major version read: JDK 11+ and async-profiler write 2.x. */
export const SUPPORTED_MAJOR_VERSION = 2;
/** Bit of the header's flags: short, char, int and long are varints. */
export const FLAG_COMPRESSED_INTS = 1;
// The JDK sets the header's first flag byte to 255 while it is still writing the chunk.
const FILE_STATE_WRITING = 0xff;

/** The fixed header of a chunk; offsets are from the chunk start. */
export interface ChunkHeader {
  /** File offset of the chunk. */
  start: number;
  majorVersion: number;
  minorVersion: number;
  sizeBytes: number;
  constantPoolOffset: number;
  metadataOffset: number;
  startNanos: bigint;
  durationNanos: bigint;
  startTicks: bigint;
  ticksPerSecond: number;
  compressedInts: boolean;
}

/** One parsed chunk: its header, types and constant pools, and a reader bounded by it. */
export interface Chunk {
  header: ChunkHeader;
  metadata: JfrMetadata;
  layouts: Layouts;
  pools: ConstantPools;
  /** Positioned nowhere in particular; `end` is the chunk end and `compressed` its flag. */
  reader: JfrByteReader;
  /** File offset of the first record after the header. */
  firstEventAt: number;
  /** File offset just past the chunk. */
  end: number;
}

function offsetField(view: DataView, at: number, what: string, max: number): number {
  const v = view.getBigInt64(at);
  if (v < 0n || v > BigInt(max)) invalidJfr(`chunk ${what} ${v} is outside 0..${max}`, at);
  return Number(v);
}

/** Reads and checks the chunk header at `start`. */
export function readChunkHeader(buf: Uint8Array, start: number): ChunkHeader {
  if (start + CHUNK_HEADER_BYTES > buf.length) invalidJfr(`chunk header needs ${CHUNK_HEADER_BYTES} bytes, ${buf.length - start} remain`, start);
  const view = new DataView(buf.buffer, buf.byteOffset + start, CHUNK_HEADER_BYTES);
  const magic = view.getUint32(0);
  if (magic !== CHUNK_MAGIC) invalidJfr(`chunk magic is 0x${magic.toString(16).padStart(8, "0")}, not "FLR\\0"`, start);
  const majorVersion = view.getUint16(4);
  const minorVersion = view.getUint16(6);
  if (majorVersion !== SUPPORTED_MAJOR_VERSION) invalidJfr(`chunk version ${majorVersion}.${minorVersion} is not supported (only ${SUPPORTED_MAJOR_VERSION}.x)`, start + 4);
  const sizeBytes = offsetField(view, 8, "size", buf.length - start);
  if (sizeBytes < CHUNK_HEADER_BYTES) invalidJfr(`chunk size ${sizeBytes} is smaller than its header`, start + 8);
  const constantPoolOffset = offsetField(view, 16, "constant pool offset", sizeBytes - 1);
  const metadataOffset = offsetField(view, 24, "metadata offset", sizeBytes - 1);
  if (constantPoolOffset < CHUNK_HEADER_BYTES || metadataOffset < CHUNK_HEADER_BYTES) {
    invalidJfr(`chunk constant pool offset ${constantPoolOffset} or metadata offset ${metadataOffset} points into the header`, start + 16);
  }
  if (view.getUint8(64) === FILE_STATE_WRITING) invalidJfr("chunk is marked as still being written", start + 64);
  const ticksPerSecond = Number(view.getBigInt64(56));
  if (!(ticksPerSecond > 0)) invalidJfr(`chunk ticks per second is ${ticksPerSecond}`, start + 56);
  return {
    start,
    majorVersion,
    minorVersion,
    sizeBytes,
    constantPoolOffset,
    metadataOffset,
    startNanos: view.getBigInt64(32),
    durationNanos: view.getBigInt64(40),
    startTicks: view.getBigInt64(48),
    ticksPerSecond,
    compressedInts: (view.getUint32(64) & FLAG_COMPRESSED_INTS) !== 0,
  };
}

/** Reads the chunk at `start`: header, metadata and constant pools. */
export function readChunk(buf: Uint8Array, start: number): Chunk {
  const header = readChunkHeader(buf, start);
  const end = start + header.sizeBytes;
  const firstEventAt = start + CHUNK_HEADER_BYTES;
  const reader = new JfrByteReader(buf, start + header.metadataOffset, end, header.compressedInts);
  const metadata = readMetadata(reader);
  const layouts = new Layouts(metadata, header.compressedInts);
  const pools = readConstantPools(reader, layouts, start, firstEventAt, start + header.constantPoolOffset);
  return { header, metadata, layouts, pools, reader, firstEventAt, end };
}

/** Whether `buf` starts with the JFR chunk magic. */
export function isJfr(buf: Uint8Array): boolean {
  return buf.length >= 4 && buf[0] === 0x46 && buf[1] === 0x4c && buf[2] === 0x52 && buf[3] === 0x00;
}

/**
 * Calls `onRecord(type, at, end)` for every record of the chunk other than metadata and
 * checkpoints, with `chunk.reader.pos` just after the type id and `chunk.reader.end` the
 * record end. The callback may read any part of the record; the walk continues at `end`.
 */
export function forEachRecord(chunk: Chunk, onRecord: (type: number, at: number, end: number) => void): void {
  const r = chunk.reader;
  const chunkEnd = chunk.end;
  let at = chunk.firstEventAt;
  while (at < chunkEnd) {
    r.pos = at;
    r.end = chunkEnd;
    const size = r.int("record size");
    // A record is at least its size and type bytes, so every step moves forward.
    if (size < 2 || at + size > chunkEnd) invalidJfr(`record size ${size} runs past the chunk end ${chunkEnd}`, at);
    const end = at + size;
    r.end = end;
    const type = r.long("record type");
    if (type > 1) onRecord(type, at, end);
    at = end;
  }
  r.end = chunkEnd;
}
