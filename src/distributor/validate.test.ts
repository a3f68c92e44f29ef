import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultLimits } from "../config/limits.js";
import { InvalidArgumentError } from "../model/errors.js";
import { utf8Length, validateSeriesLabels } from "./validate.js";

const limits = { ...defaultLimits(), max_label_names_per_series: 4, max_label_name_length: 12, max_label_value_length: 11 };
const ls = (o: Record<string, string>) => Object.entries(o).map(([name, value]) => ({ name, value }));

describe("validateSeriesLabels", () => {
  it("defaults service_name and sorts", () => {
    assert.deepEqual(validateSeriesLabels(ls({ z: "1", __name__: "cpu" }), limits).map((l) => l.name), ["__name__", "service_name", "z"]);
  });

  const bad: [string, { name: string; value: string }[], string, RegExp][] = [
    ["no labels", [], "missing_labels", /at least one label pair/],
    ["no __name__", ls({ a: "1" }), "invalid_labels", /invalid metric name/],
    ["bad __name__", ls({ __name__: "1cpu" }), "invalid_labels", /invalid metric name/],
    ["bad label name", ls({ __name__: "cpu", "a.b": "1" }), "invalid_labels", /invalid label name 'a\.b'/],
    ["too many", ls({ __name__: "cpu", a: "1", b: "1", c: "1" }), "max_label_names_per_series", /has 5 label names; limit 4/],
    ["long name", ls({ __name__: "cpu", abcdefghijklm: "1" }), "label_name_too_long", /label name too long: 'abcdefghijklm'/],
    ["long value", ls({ __name__: "cpu", a: "123456789012" }), "label_value_too_long", /label value too long: '123456789012'/],
    ["lone surrogate", ls({ __name__: "cpu", a: "\ud800" }), "invalid_labels", /invalid label value/],
    ["duplicate", [...ls({ __name__: "cpu", a: "1" }), { name: "a", value: "2" }], "duplicate_label_names", /duplicate label name: 'a'/],
  ];
  for (const [name, input, reason, msg] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(() => validateSeriesLabels(input, limits), (e: unknown) => e instanceof InvalidArgumentError && e.reason === reason && msg.test(e.message));
    });
  }

  it("counts value length in UTF-8 bytes", () => {
    assert.equal(utf8Length("aé€😀"), 1 + 2 + 3 + 4);
  });
});
