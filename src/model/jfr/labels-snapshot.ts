/**
 * The `labels` part of a Java agent's JFR upload: a protobuf `LabelsSnapshot` mapping the
 * context ids that events carry (`contextId`) to label sets, with every label name and
 * value interned as an id into a string table.
 *
 *   LabelsSnapshot { map<int64, Context> contexts = 1; map<int64, string> strings = 2; }
 *   Context        { map<int64, int64> labels = 1; }   // name string id → value string id
 *
 * A protobuf map field is a repeated entry message { key = 1; value = 2; }.
 */
import { InvalidArgumentError } from "../errors.js";
import { ProtoReader, malformed } from "../pprof/reader.js";

/** A decoded LabelsSnapshot. */
export interface LabelsSnapshot {
  /** Context id → [name string id, value string id] pairs. */
  contexts: Map<number, Array<[number, number]>>;
  /** String id → string. */
  strings: Map<number, string>;
}

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const utf8 = new TextDecoder("utf-8");

function fieldOf(tag: number): number {
  return tag >>> 3;
}

/** Reads a map entry { key = 1 (int64); value = 2 } ending at `end`; `onValue` reads field 2. */
function readEntry(r: ProtoReader, end: number, what: string, onValue: (tag: number, at: number) => void): number {
  let key = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    if (fieldOf(tag) === 1 && (tag & 7) === WIRE_VARINT) key = r.int();
    else if (fieldOf(tag) === 2) onValue(tag, at);
    else r.skip(tag, end, what, at);
    if (r.pos > end) malformed(`${what}: field ${fieldOf(tag)} runs past the end of its entry`, at);
  }
  return key;
}

function readContext(r: ProtoReader, end: number): Array<[number, number]> {
  const labels: Array<[number, number]> = [];
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    if (tag !== ((1 << 3) | WIRE_LEN)) {
      r.skip(tag, end, "Context", at);
      continue;
    }
    const entryEnd = r.lenEnd(end, "Context.labels entry");
    let value = 0;
    const key = readEntry(r, entryEnd, "Context.labels entry", (t, a) => {
      if ((t & 7) !== WIRE_VARINT) r.badWireType(t, "Context.labels entry", a);
      value = r.int();
    });
    labels.push([key, value]);
  }
  return labels;
}

/**
 * Decodes a LabelsSnapshot (already gunzipped). Malformed bytes throw
 * InvalidArgumentError("invalid_profile") naming the labels part.
 */
export function decodeLabelsSnapshot(bytes: Uint8Array): LabelsSnapshot {
  const contexts = new Map<number, Array<[number, number]>>();
  const strings = new Map<number, string>();
  const r = new ProtoReader(bytes);
  const end = bytes.length;
  try {
    while (r.pos < end) {
      const at = r.pos;
      const tag = r.tag();
      if (tag === ((1 << 3) | WIRE_LEN)) {
        const entryEnd = r.lenEnd(end, "LabelsSnapshot.contexts entry");
        let labels: Array<[number, number]> = [];
        const key = readEntry(r, entryEnd, "LabelsSnapshot.contexts entry", (t, a) => {
          if ((t & 7) !== WIRE_LEN) r.badWireType(t, "LabelsSnapshot.contexts entry", a);
          const ctxEnd = r.lenEnd(entryEnd, "Context");
          labels = readContext(r, ctxEnd);
        });
        contexts.set(key, labels);
      } else if (tag === ((2 << 3) | WIRE_LEN)) {
        const entryEnd = r.lenEnd(end, "LabelsSnapshot.strings entry");
        let value = "";
        const key = readEntry(r, entryEnd, "LabelsSnapshot.strings entry", (t, a) => {
          if ((t & 7) !== WIRE_LEN) r.badWireType(t, "LabelsSnapshot.strings entry", a);
          const strEnd = r.lenEnd(entryEnd, "LabelsSnapshot.strings value");
          value = utf8.decode(bytes.subarray(r.pos, strEnd));
          r.pos = strEnd;
        });
        strings.set(key, value);
      } else {
        r.skip(tag, end, "LabelsSnapshot", at);
      }
    }
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    throw new InvalidArgumentError("invalid_profile", `jfr labels part: ${err.message.replace(/^malformed pprof profile: /, "")}`, { cause: err });
  }
  return { contexts, strings };
}
