/**
 * The one object-storage interface every backend implements (filesystem, s3, gcs, azure, swift),
 * plus the key rules they all share. Keys are `/`-separated relative paths such as
 * `<tenant>/phlaredb/<ULID>/meta.json`; listings behave like S3's (string prefixes, optional `/` delimiter).
 */
import { Readable } from "node:stream";
import { InvalidArgumentError, NotFoundError } from "../model/errors.js";

/** One object in a listing; `size` is in bytes. */
export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
}

/** Size (bytes) and modification time of one object. */
export interface ObjectAttributes {
  size: number;
  lastModified: Date;
}

/** Options of `Bucket.list`. */
export interface ListOptions {
  /** With "/", keys below the next "/" after the prefix are rolled up into `prefixes` (one level). */
  delimiter?: "/";
}

/** A complete listing: every page was followed. */
export interface ListResult {
  /** Objects directly matching (all of them under the prefix when there is no delimiter). */
  objects: ObjectInfo[];
  /** Common prefixes ending in "/", only with a delimiter. */
  prefixes: string[];
}

/**
 * Opens the body of an upload. It is called again for every attempt, so a retried upload reads
 * its body from the start (e.g. `() => createReadStream(path)`).
 */
export type BodySource = () => Readable | AsyncIterable<Uint8Array>;

/** Options of `Bucket.upload`. */
export interface UploadOptions {
  /** Size of the body in bytes, when known; lets backends pick single-request or multipart uploads. */
  sizeBytes?: number;
}

/** An object store holding whole immutable objects. Every method retries transient failures itself. */
export interface Bucket {
  /** Backend name, for logs: "filesystem", "s3", "gcs", "azure", "swift" (or "prefixed(...)"). */
  readonly kind: string;
  /** The whole object; NotFoundError when it does not exist. */
  get(key: string): Promise<Uint8Array>;
  /**
   * Bytes [offset, offset+length) of the object, cut short at its end; empty when offset is at or past
   * the end. NotFoundError when the object does not exist.
   */
  getRange(key: string, offset: number, length: number): Promise<Uint8Array>;
  /** Stores the object, replacing any previous one; readers see the old or the new bytes, never a mix. */
  put(key: string, body: Uint8Array): Promise<void>;
  /** Stores a body read from a stream (multipart where the backend has it), replacing any previous object. */
  upload(key: string, open: BodySource, options?: UploadOptions): Promise<void>;
  /** Whether the object exists. */
  exists(key: string): Promise<boolean>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Every object (and, with a delimiter, every common prefix) under `prefix`, following all pages. */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** Size and modification time; NotFoundError when the object does not exist. */
  attributes(key: string): Promise<ObjectAttributes>;
  /** Releases connections and other resources; the bucket is unusable afterwards. */
  close(): Promise<void>;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// S3's limit; the other backends allow at least this much.
const MAX_KEY_BYTES = 1024;

function invalid(message: string): InvalidArgumentError {
  return new InvalidArgumentError("invalid_request", message);
}

function checkSegments(what: string, value: string, segments: string[]): void {
  for (const segment of segments) {
    if (segment === "" || segment === "." || segment === "..") {
      throw invalid(`${what} ${JSON.stringify(value)} has an empty, "." or ".." path segment`);
    }
  }
}

function checkCharacters(what: string, value: string): void {
  if (value.startsWith("/")) throw invalid(`${what} ${JSON.stringify(value)} starts with "/"`);
  if (value.includes("\0")) throw invalid(`${what} ${JSON.stringify(value)} contains a NUL character`);
  if (value.includes("\\")) throw invalid(`${what} ${JSON.stringify(value)} contains a backslash`);
  if (LONE_SURROGATE.test(value)) throw invalid(`${what} ${JSON.stringify(value)} is not well-formed Unicode`);
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes > MAX_KEY_BYTES) throw invalid(`${what} is ${bytes} bytes, limit is ${MAX_KEY_BYTES}`);
}

/** Checks an object key: non-empty relative `/`-path, no empty, "." or ".." segments, no trailing "/". */
export function validateKey(key: string): string {
  if (key === "") throw invalid("object key is empty");
  checkCharacters("object key", key);
  checkSegments("object key", key, key.split("/"));
  return key;
}

/** Checks a listing prefix: "" or a key-like string that may end in "/" or in part of a segment. */
export function validatePrefix(prefix: string): string {
  if (prefix === "") return prefix;
  checkCharacters("list prefix", prefix);
  const segments = prefix.split("/");
  const last = segments.pop() as string;
  checkSegments("list prefix", prefix, segments);
  if (last === "." || last === "..") throw invalid(`list prefix ${JSON.stringify(prefix)} ends in "${last}"`);
  return prefix;
}

/** Checks getRange arguments: integer offset ≥ 0 and length ≥ 0. */
export function validateRange(offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) throw invalid(`range offset ${offset} must be an integer ≥ 0`);
  if (!Number.isSafeInteger(length) || length < 0) throw invalid(`range length ${length} must be an integer ≥ 0`);
}

/** Orders keys as object stores list them: by their UTF-8 bytes. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** The same bytes as a plain Uint8Array view (no copy), so callers never get a Buffer from one backend only. */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads a whole upload body into memory (for backends without streaming uploads). */
export async function readBody(open: BodySource): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of open()) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
}

/** Opens an upload body as a Readable of Buffers (some SDKs call Buffer methods on each chunk). */
export function openBodyStream(open: BodySource): Readable {
  const source = open();
  return Readable.from(
    (async function* () {
      for await (const chunk of source) {
        if (typeof chunk === "string") yield Buffer.from(chunk);
        else if (Buffer.isBuffer(chunk)) yield chunk;
        else yield Buffer.from((chunk as Uint8Array).buffer, (chunk as Uint8Array).byteOffset, (chunk as Uint8Array).byteLength);
      }
    })(),
    { objectMode: false },
  );
}

/** Wraps bytes as an upload body source. */
export function bytesSource(body: Uint8Array): BodySource {
  return async function* () {
    yield body;
  };
}

/**
 * getRange of a network backend: checks the arguments; a zero-length range only checks
 * that the object exists (HTTP cannot ask for zero bytes); otherwise `read(last)` fetches
 * bytes offset..last inclusive, as an HTTP Range header counts them.
 */
export async function readRange(
  bucket: Bucket,
  key: string,
  offset: number,
  length: number,
  read: (last: number) => Promise<Uint8Array>,
): Promise<Uint8Array> {
  validateKey(key);
  validateRange(offset, length);
  if (length === 0) {
    await bucket.attributes(key);
    return new Uint8Array();
  }
  return read(offset + length - 1);
}

/** exists() for a backend whose existence check is reading the attributes. */
export async function existsByAttributes(bucket: Bucket, key: string): Promise<boolean> {
  try {
    await bucket.attributes(key);
    return true;
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}

/** Awaits a delete; deleting a missing object is not an error. */
export async function deleteIgnoringMissing(done: Promise<unknown>): Promise<void> {
  try {
    await done;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}
