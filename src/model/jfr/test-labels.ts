/** Test helper: encodes a LabelsSnapshot as the Java agent does (see labels-snapshot.ts for the layout). */
import { ProtoWriter, WireType } from "../pprof/writer.js";

/** A LabelsSnapshot of `contexts` (context id → label name → value), strings interned from id 1. */
export function encodeLabelsSnapshot(contexts: Record<number, Record<string, string>>): Uint8Array {
  const strings = new Map<string, number>();
  const sid = (s: string): number => {
    if (!strings.has(s)) strings.set(s, strings.size + 1);
    return strings.get(s)!;
  };
  const w = new ProtoWriter();
  for (const [ctx, labels] of Object.entries(contexts)) {
    const entry = w.fork(1);
    w.int64Field(1, Number(ctx));
    const context = w.fork(2);
    for (const [k, v] of Object.entries(labels)) {
      const label = w.fork(1);
      w.tag(1, WireType.Varint);
      w.int64(sid(k));
      w.tag(2, WireType.Varint);
      w.int64(sid(v));
      w.end(label);
    }
    w.end(context);
    w.end(entry);
  }
  for (const [s, id] of strings) {
    const entry = w.fork(2);
    w.int64Field(1, id);
    w.stringField(2, s);
    w.end(entry);
  }
  return w.toBytes();
}
