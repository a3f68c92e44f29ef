import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../errors.js";
import { JfrByteReader } from "./byte-reader.js";
import { readMetadata } from "./metadata.js";
import { JfrBytes, TestJfrWriter, TestTypeId, jfrRecord } from "./test-jfr-writer.js";

/** A metadata record: strings, then a root > metadata > classes tree written by `classes`. */
function metadataRecord(strings: string[], classes: (b: JfrBytes) => void): Uint8Array {
  const b = new JfrBytes().long(0).long(0).long(0).long(1).int(strings.length);
  for (const s of strings) b.string(s);
  classes(b);
  return jfrRecord(b.finish());
}

function read(record: Uint8Array): ReturnType<typeof readMetadata> {
  return readMetadata(new JfrByteReader(record, 0, record.length));
}

describe("readMetadata", () => {
  it("reads classes, their fields in order, and field flags", () => {
    const w = new TestJfrWriter();
    w.executionSample(w.stack([]));
    const bytes = w.finish();
    const m = readMetadata(new JfrByteReader(bytes, 68, bytes.length));
    const st = m.byName.get("jdk.types.StackTrace")!;
    assert.equal(st.id, TestTypeId.StackTrace);
    assert.deepEqual(st.fields, [
      { name: "truncated", typeId: TestTypeId.Boolean, constantPool: false, array: false },
      { name: "frames", typeId: TestTypeId.StackFrame, constantPool: false, array: true },
    ]);
    assert.deepEqual(m.byName.get("jdk.ExecutionSample")!.fields.map((f) => [f.name, f.constantPool]), [
      ["startTime", false],
      ["sampledThread", true],
      ["stackTrace", true],
      ["state", true],
      ["contextId", false],
    ]);
    assert.equal(m.byId.get(TestTypeId.Long)!.name, "long");
  });

  // Strings: 0 root, 1 metadata, 2 class, 3 id, 4 name, 5 "7", 6 "Foo", 7 field, 8 class attr value "7", 9 dimension, 10 "2", 11 region
  const strings = ["root", "metadata", "class", "id", "name", "7", "Foo", "field", "class", "dimension", "2", "region", "x"];
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ["a root that is not root", metadataRecord(strings, (b) => b.int(1).int(0).int(0)), /root element is "metadata"/],
    ["a name index past the string table", metadataRecord(strings, (b) => b.int(99)), /string 99 of 13/],
    [
      "a type declared twice",
      metadataRecord(strings, (b) => {
        b.int(0).int(0).int(1).int(1).int(0).int(2);
        for (let i = 0; i < 2; i++) b.int(2).int(2).int(3).int(5).int(4).int(6).int(0);
      }),
      /type id 7 twice/,
    ],
    ["a class id that is not a number", metadataRecord(strings, (b) => b.int(0).int(0).int(1).int(1).int(0).int(1).int(2).int(2).int(3).int(12).int(4).int(6).int(0)), /id="x", not a type id/],
    [
      "a field of dimension 2",
      metadataRecord(strings, (b) => b.int(0).int(0).int(1).int(1).int(0).int(1).int(2).int(2).int(3).int(5).int(4).int(6).int(1).int(7).int(3).int(4).int(12).int(8).int(5).int(9).int(10).int(0)),
      /dimension 2/,
    ],
    ["a record of another type", jfrRecord(new JfrBytes().long(5).finish()), /metadata event has type 5/],
  ];
  for (const [what, record, message] of cases) {
    it(`rejects ${what}`, () => {
      assert.throws(() => read(record), (err: unknown) => err instanceof InvalidArgumentError && message.test(err.message));
    });
  }

  it("rejects a size that runs past the chunk", () => {
    const record = metadataRecord(strings, (b) => b.int(0).int(0).int(0));
    assert.throws(() => readMetadata(new JfrByteReader(record, 0, record.length - 1)), /metadata size \d+ runs past/);
  });
});
