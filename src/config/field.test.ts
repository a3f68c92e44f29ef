import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError, FlagError } from "../model/errors.js";
import {
  applyFlag,
  applyYaml,
  defaultsOf,
  dumpValue,
  fieldTrie,
  formatGoFloat,
  formatValue,
  getPath,
  setPath,
} from "./field.js";
import type { Field } from "./field.js";

const fields: readonly Field[] = [
  { flag: "a.name", yaml: "a.name", kind: "string", default: "x", help: "" },
  { flag: "a.port", yaml: "a.port", kind: "int", default: 1, help: "" },
  { flag: "a.rate", yaml: "a.rate", kind: "float", default: 1.5, help: "" },
  { flag: "a.on", yaml: "a.on", kind: "bool", default: true, help: "" },
  { flag: "a.timeout", yaml: "a.timeout", kind: "duration", default: 30_000, help: "" },
  { flag: "a.lookback", yaml: "a.b.lookback", kind: "model-duration", default: 86_400_000, help: "" },
  { flag: "a.list", yaml: "a.list", kind: "strings", default: ["p"], help: "" },
  { flag: "target", yaml: "target", kind: "csv", default: ["all"], help: "" },
  {
    flag: "a.level",
    yaml: "a.level",
    kind: "string",
    default: "info",
    validate: (v) => (v === "info" || v === "debug" ? undefined : `unrecognized log level ${JSON.stringify(v)}`),
    help: "",
  },
];

function field(flag: string): Field {
  const f = fields.find((x) => x.flag === flag);
  assert.ok(f, flag);
  return f;
}

describe("value tree", () => {
  test("defaultsOf nests by YAML path in table order", () => {
    const tree = defaultsOf(fields);
    assert.deepEqual(Object.keys(tree), ["a", "target"]);
    assert.deepEqual(getPath(tree, "a.b"), { lookback: 86_400_000 });
    assert.equal(getPath(tree, "a.port"), 1);
  });

  test("defaultsOf copies list defaults", () => {
    const tree = defaultsOf(fields);
    (getPath(tree, "a.list") as string[]).push("q");
    assert.deepEqual(getPath(defaultsOf(fields), "a.list"), ["p"]);
  });

  test("getPath of a missing path is undefined", () => {
    assert.equal(getPath({ a: 1 }, "a.b.c"), undefined);
    assert.equal(getPath(undefined, "a"), undefined);
  });

  test("setPath creates intermediate objects", () => {
    const obj = {};
    setPath(obj, "x.y.z", 3);
    assert.deepEqual(obj, { x: { y: { z: 3 } } });
  });

  test("fieldTrie rejects a path used twice", () => {
    assert.throws(() => fieldTrie([fields[0] as Field, fields[0] as Field]), /defined twice/);
  });

  test("fieldTrie rejects a leaf that is also a section", () => {
    const clash: Field = { flag: "c", yaml: "a.name.deeper", kind: "int", default: 0, help: "" };
    assert.throws(() => fieldTrie([fields[0] as Field, clash]), /also used as a section/);
  });
});

describe("applyFlag", () => {
  const ok: Array<{ flag: string; raw: string; want: unknown }> = [
    { flag: "a.name", raw: "hello", want: "hello" },
    { flag: "a.port", raw: "8080", want: 8080 },
    { flag: "a.port", raw: "-3", want: -3 },
    { flag: "a.port", raw: "0x10", want: 16 },
    { flag: "a.port", raw: "010", want: 8 },
    { flag: "a.port", raw: "1_000", want: 1000 },
    { flag: "a.rate", raw: "2.5", want: 2.5 },
    { flag: "a.rate", raw: "1e3", want: 1000 },
    { flag: "a.on", raw: "false", want: false },
    { flag: "a.on", raw: "T", want: true },
    { flag: "a.on", raw: "0", want: false },
    { flag: "a.timeout", raw: "1m30s", want: 90_000 },
    { flag: "a.lookback", raw: "7d", want: 604_800_000 },
    { flag: "a.list", raw: "a,b", want: ["a", "b"] },
    { flag: "target", raw: "ingester, distributor", want: ["ingester", "distributor"] },
    { flag: "a.level", raw: "debug", want: "debug" },
  ];
  for (const c of ok) {
    test(`-${c.flag}=${c.raw}`, () => {
      const tree = defaultsOf(fields);
      const f = field(c.flag);
      applyFlag(tree, f, c.raw);
      assert.deepEqual(getPath(tree, f.yaml), c.want);
    });
  }

  const bad: Array<{ flag: string; raw: string; message: string }> = [
    { flag: "a.port", raw: "abc", message: 'invalid value "abc" for flag -a.port: parse error' },
    { flag: "a.port", raw: "1.5", message: 'invalid value "1.5" for flag -a.port: parse error' },
    { flag: "a.port", raw: "9223372036854775808", message: 'invalid value "9223372036854775808" for flag -a.port: value out of range' },
    { flag: "a.rate", raw: "x1", message: 'invalid value "x1" for flag -a.rate: parse error' },
    { flag: "a.rate", raw: "1e400", message: 'invalid value "1e400" for flag -a.rate: value out of range' },
    { flag: "a.timeout", raw: "10", message: 'invalid value "10" for flag -a.timeout: parse error' },
    { flag: "a.lookback", raw: "10", message: 'invalid value "10" for flag -a.lookback: not a valid duration string: "10"' },
    { flag: "a.on", raw: "yes", message: 'invalid boolean value "yes" for -a.on: parse error' },
    { flag: "a.level", raw: "loud", message: 'invalid value "loud" for flag -a.level: unrecognized log level "loud"' },
  ];
  for (const c of bad) {
    test(`rejects -${c.flag}=${c.raw}`, () => {
      assert.throws(() => applyFlag(defaultsOf(fields), field(c.flag), c.raw), (err: unknown) => {
        assert.ok(err instanceof FlagError);
        assert.equal(err.message, c.message);
        return true;
      });
    });
  }
});

describe("applyYaml", () => {
  const ok: Array<{ name: string; yaml: unknown; path: string; want: unknown }> = [
    { name: "string", yaml: { a: { name: "y" } }, path: "a.name", want: "y" },
    { name: "number into string", yaml: { a: { name: 42 } }, path: "a.name", want: "42" },
    { name: "int", yaml: { a: { port: 9 } }, path: "a.port", want: 9 },
    { name: "int into float", yaml: { a: { rate: 3 } }, path: "a.rate", want: 3 },
    { name: "bool", yaml: { a: { on: false } }, path: "a.on", want: false },
    { name: "YAML 1.1 bool word", yaml: { a: { on: "off" } }, path: "a.on", want: false },
    { name: "duration string", yaml: { a: { timeout: "1h" } }, path: "a.timeout", want: 3_600_000 },
    { name: "model duration", yaml: { a: { b: { lookback: "1w" } } }, path: "a.b.lookback", want: 604_800_000 },
    { name: "model duration bare zero", yaml: { a: { b: { lookback: 0 } } }, path: "a.b.lookback", want: 0 },
    { name: "list", yaml: { a: { list: ["x", 1] } }, path: "a.list", want: ["x", "1"] },
    { name: "csv string", yaml: { target: "ingester,querier" }, path: "target", want: ["ingester", "querier"] },
    { name: "csv as list", yaml: { target: ["ingester"] }, path: "target", want: ["ingester"] },
    { name: "null leaf is the zero value", yaml: { a: { port: null } }, path: "a.port", want: 0 },
    { name: "null section keeps defaults", yaml: { a: null }, path: "a.port", want: 1 },
  ];
  for (const c of ok) {
    test(c.name, () => {
      const tree = defaultsOf(fields);
      applyYaml(tree, c.yaml, fields, true);
      assert.deepEqual(getPath(tree, c.path), c.want);
    });
  }

  test("keys not in the file keep their values", () => {
    const tree = defaultsOf(fields);
    applyYaml(tree, { a: { port: 2 } }, fields, true);
    assert.equal(getPath(tree, "a.name"), "x");
    assert.equal(getPath(tree, "a.timeout"), 30_000);
  });

  const bad: Array<{ name: string; yaml: unknown; message: string; path?: string }> = [
    { name: "unknown top-level key", yaml: { nope: 1 }, message: "unknown key nope", path: "nope" },
    { name: "unknown nested key", yaml: { a: { b: { nope: 1 } } }, message: "unknown key a.b.nope", path: "a.b.nope" },
    { name: "string for int", yaml: { a: { port: "80" } }, message: 'a.port: expected int, got string "80"', path: "a.port" },
    { name: "fraction for int", yaml: { a: { port: 1.5 } }, message: "a.port: expected int, got number 1.5" },
    { name: "list for string", yaml: { a: { name: ["x"] } }, message: "a.name: expected string, got list" },
    { name: "word for bool", yaml: { a: { on: "maybe" } }, message: 'a.on: expected bool, got string "maybe"' },
    { name: "number for duration", yaml: { a: { timeout: 10 } }, message: 'a.timeout: expected duration (e.g. "1h30m"), got number 10' },
    { name: "bad duration", yaml: { a: { timeout: "soon" } }, message: 'a.timeout: time: invalid duration "soon"' },
    { name: "bad model duration", yaml: { a: { b: { lookback: "1.5d" } } }, message: 'a.b.lookback: unknown unit "." in duration "1.5d"' },
    { name: "scalar for section", yaml: { a: 3 }, message: "a: expected a mapping, got number 3" },
    { name: "scalar for list", yaml: { a: { list: "x" } }, message: 'a.list: expected list of strings, got string "x"' },
    { name: "validation", yaml: { a: { level: "loud" } }, message: 'a.level: unrecognized log level "loud"' },
  ];
  for (const c of bad) {
    test(`rejects ${c.name}`, () => {
      assert.throws(() => applyYaml(defaultsOf(fields), c.yaml, fields, true), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.message, c.message);
        if (c.path !== undefined) assert.equal(err.path, c.path);
        return true;
      });
    });
  }

  test("non-strict ignores unknown keys", () => {
    const tree = defaultsOf(fields);
    applyYaml(tree, { nope: 1, a: { port: 5, extra: true } }, fields, false);
    assert.equal(getPath(tree, "a.port"), 5);
  });
});

describe("formatting", () => {
  const floats: Array<{ value: number; text: string }> = [
    { value: 4, text: "4" },
    { value: 0.5, text: "0.5" },
    { value: 123456, text: "123456" },
    { value: 1e6, text: "1e+06" },
    { value: 1.5e7, text: "1.5e+07" },
    { value: 0.0001, text: "0.0001" },
    { value: 0.00001, text: "1e-05" },
  ];
  for (const c of floats) {
    test(`Go float ${c.text}`, () => assert.equal(formatGoFloat(c.value), c.text));
  }

  test("formatValue and dumpValue use canonical strings", () => {
    assert.equal(formatValue(field("a.timeout"), 3_600_000), "1h0m0s");
    assert.equal(formatValue(field("a.lookback"), 604_800_000), "1w");
    assert.equal(formatValue(field("target"), ["a", "b"]), "a,b");
    assert.equal(dumpValue(field("target"), ["a", "b"]), "a,b");
    assert.deepEqual(dumpValue(field("a.list"), ["a", "b"]), ["a", "b"]);
    assert.equal(dumpValue(field("a.port"), 7), 7);
  });
});
