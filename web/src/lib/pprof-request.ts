/**
 * Encodes querier.v1.SelectMergeProfileRequest by hand: the pprof export is the one call
 * the UI makes in binary Connect, and four fields do not justify a protobuf runtime.
 * Fields: 1 profile_typeID (string), 2 label_selector (string), 3 start, 4 end (int64 ms).
 */

/** The request's fields; times are Unix milliseconds. */
export interface SelectMergeProfileRequest {
  profileTypeID: string;
  labelSelector: string;
  startMs: number;
  endMs: number;
}

function varint(out: number[], value: bigint): void {
  // int64 on the wire is the two's complement as an unsigned 64-bit varint.
  let v = BigInt.asUintN(64, value);
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
}

function stringField(out: number[], field: number, s: string): void {
  if (s === "") return;
  const bytes = new TextEncoder().encode(s);
  varint(out, BigInt((field << 3) | 2));
  varint(out, BigInt(bytes.length));
  for (const b of bytes) out.push(b);
}

function int64Field(out: number[], field: number, v: number): void {
  if (v === 0) return;
  varint(out, BigInt(field << 3));
  varint(out, BigInt(Math.trunc(v)));
}

/** The request as protobuf bytes (proto3: zero values are left out). */
export function encodeSelectMergeProfileRequest(r: SelectMergeProfileRequest): Uint8Array<ArrayBuffer> {
  const out: number[] = [];
  stringField(out, 1, r.profileTypeID);
  stringField(out, 2, r.labelSelector);
  int64Field(out, 3, r.startMs);
  int64Field(out, 4, r.endMs);
  return new Uint8Array(out);
}
