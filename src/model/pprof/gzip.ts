/**
 * Optional gunzip of pushed profiles. Clients send pprof gzipped or not, whatever the
 * file name or header says, so gzip is detected by its magic bytes. Inflation is capped
 * by zlib's maxOutputLength, which stops a gzip bomb as soon as it passes the cap
 * instead of after it has filled memory.
 */
import { gunzip, gunzipSync } from "node:zlib";
import { InvalidArgumentError, LimitExceededError } from "../errors.js";

/** Whether `bytes` starts with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function tooLarge(maxBytes: number): LimitExceededError {
  return new LimitExceededError("body_too_large", `decompressed profile is larger than ${maxBytes} bytes`);
}

function hasCode(err: unknown, code: string): boolean {
  return typeof err === "object" && err !== null && "code" in err && err.code === code;
}

function translate(err: unknown, maxBytes: number): Error {
  if (hasCode(err, "ERR_BUFFER_TOO_LARGE")) return tooLarge(maxBytes);
  const detail = err instanceof Error ? err.message : String(err);
  return new InvalidArgumentError("invalid_profile", `profile is not valid gzip: ${detail}`, { cause: err });
}

// zlib rejects a maxOutputLength below 1; a zero limit is enforced by the length check.
function outputCap(maxBytes: number): number {
  return Math.max(1, Math.floor(maxBytes));
}

function asUint8Array(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/**
 * Gunzips `bytes` when they carry the gzip magic, else returns them as they are. Either
 * way the result is at most `maxBytes` long, or LimitExceededError("body_too_large") is
 * thrown; corrupt or truncated gzip throws InvalidArgumentError("invalid_profile").
 */
export function maybeGunzip(bytes: Uint8Array, maxBytes: number): Uint8Array {
  if (!isGzip(bytes)) {
    if (bytes.length > maxBytes) throw tooLarge(maxBytes);
    return bytes;
  }
  let out: Buffer;
  try {
    out = gunzipSync(bytes, { maxOutputLength: outputCap(maxBytes) });
  } catch (err) {
    throw translate(err, maxBytes);
  }
  if (out.length > maxBytes) throw tooLarge(maxBytes);
  return asUint8Array(out);
}

/** maybeGunzip on the libuv thread pool, so inflating a large body does not block the event loop. */
export async function maybeGunzipAsync(bytes: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  if (!isGzip(bytes)) {
    if (bytes.length > maxBytes) throw tooLarge(maxBytes);
    return bytes;
  }
  const out = await new Promise<Buffer>((resolve, reject) => {
    gunzip(bytes, { maxOutputLength: outputCap(maxBytes) }, (err, result) => {
      if (err !== null) reject(translate(err, maxBytes));
      else resolve(result);
    });
  });
  if (out.length > maxBytes) throw tooLarge(maxBytes);
  return asUint8Array(out);
}
