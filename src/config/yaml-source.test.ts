import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError } from "../model/errors.js";
import { errorAt, parseYamlSource } from "./yaml-source.js";

const text = "server:\n  http_listen_port: 1\nlimits:\n  ingestion_rate_mb: 2\n";

describe("parseYamlSource", () => {
  test("gives the plain value", () => {
    assert.deepEqual(parseYamlSource(text, "c.yaml").value, { server: { http_listen_port: 1 }, limits: { ingestion_rate_mb: 2 } });
  });

  const positions: Array<{ path: string[]; want: string | undefined }> = [
    { path: ["server"], want: "1:1" },
    { path: ["server", "http_listen_port"], want: "2:3" },
    { path: ["limits", "ingestion_rate_mb"], want: "4:3" },
    { path: ["limits", "missing"], want: "3:1" },
    { path: ["absent"], want: undefined },
  ];
  for (const c of positions) {
    test(`position of ${c.path.join(".")}`, () => assert.equal(parseYamlSource(text, "c.yaml").position(c.path), c.want));
  }

  test("syntax errors carry file, line and column", () => {
    assert.throws(
      () => parseYamlSource("a: 1\nb: [\n", "c.yaml"),
      (err: unknown) => err instanceof ConfigError && /^c\.yaml:\d+:\d+: /.test(err.message),
    );
  });

  test("errorAt prefixes the key's position", () => {
    const source = parseYamlSource(text, "c.yaml");
    assert.throws(
      () => errorAt(source, new ConfigError("limits.ingestion_rate_mb: bad", "limits.ingestion_rate_mb")),
      { message: "c.yaml:4:3: limits.ingestion_rate_mb: bad" },
    );
    assert.throws(() => errorAt(source, new ConfigError("whole file")), { message: "c.yaml: whole file" });
    assert.throws(() => errorAt(source, new RangeError("other")), RangeError);
  });
});
