/**
 * The WAL record of one ingested profile: its ID, the time it was stored under,
 * its series labels and its bytes as pushed. Replaying decodes the bytes again,
 * which gives the same normalized profile (docs/format/wal.md, "Records").
 */
import { CorruptionError } from "../../model/errors.js";
import type { Labels } from "../../model/labels.js";
import { decodePprof, encodePprof, maybeGunzip, normalizePprof } from "../../model/pprof/index.js";
import type { IngestProfile } from "../../model/query.js";
import { ByteReader } from "../encoding/byte-reader.js";
import { ByteWriter } from "../encoding/byte-writer.js";

/** Version of the profile record. */
export const PROFILE_RECORD_VERSION = 1;

/** Largest decompressed profile a record may replay into. */
const MAX_PROFILE_BYTES = 256 * 1024 * 1024;

/** Encodes a profile for the WAL. */
export function encodeProfileRecord(p: IngestProfile): Uint8Array {
  const raw = p.raw ?? encodePprof(p.profile);
  const w = new ByteWriter(raw.length + 256);
  w.u8(PROFILE_RECORD_VERSION);
  w.raw(uuidBytes(p.id));
  w.varintBig(p.profile.timeNanos);
  w.uvarint(p.labels.length);
  for (const l of p.labels) w.string(l.name).string(l.value);
  w.bytes(raw);
  return w.finish();
}

/** Decodes a WAL record back into the profile that was ingested. */
export function decodeProfileRecord(record: Uint8Array, file = "wal record"): IngestProfile {
  const r = new ByteReader(record, file);
  const version = r.u8();
  if (version !== PROFILE_RECORD_VERSION) throw r.corruption(`unknown profile record version ${version}`, 0);
  const id = uuidString(r.raw(16));
  const timeNanos = r.varintBig();
  const n = r.uvarint();
  if (n > r.remaining) throw r.corruption(`${n} labels cannot fit the ${r.remaining} bytes left`);
  const labels: Labels = [];
  for (let i = 0; i < n; i++) labels.push({ name: r.string(), value: r.string() });
  const raw = r.bytes();
  let profile;
  try {
    // time_nanos 0 was stamped with the push time; passing it as "now" reproduces that.
    profile = { ...normalizePprof(decodePprof(maybeGunzip(raw, MAX_PROFILE_BYTES)), timeNanos, { mergeSamples: false }), timeNanos };
  } catch (err) {
    throw new CorruptionError(file, 0, `profile bytes do not decode: ${(err as Error).message}`, { cause: err });
  }
  return { id, labels, profile, raw };
}

function uuidBytes(id: string): Uint8Array {
  const hex = id.replace(/-/g, "");
  const out = new Uint8Array(16);
  if (/^[0-9a-fA-F]{32}$/.test(hex)) for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function uuidString(b: Uint8Array): string {
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
