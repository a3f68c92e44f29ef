import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FlagError } from "../model/errors.js";
import { applyFlag, defaultsOf, getPath } from "../config/field.js";
import { serverFields } from "./config.js";

function field(flag: string) {
  const f = serverFields.find((x) => x.flag === flag);
  assert.ok(f, flag);
  return f;
}

describe("server config", () => {
  const accepted: Array<{ flag: string; raw: string; path: string }> = [
    { flag: "log.level", raw: "debug", path: "server.log_level" },
    { flag: "log.level", raw: "warn", path: "server.log_level" },
    { flag: "log.format", raw: "json", path: "server.log_format" },
  ];
  for (const c of accepted) {
    test(`-${c.flag}=${c.raw}`, () => {
      const tree = defaultsOf(serverFields);
      applyFlag(tree, field(c.flag), c.raw);
      assert.equal(getPath(tree, c.path), c.raw);
    });
  }

  const rejected: Array<{ flag: string; raw: string; message: string }> = [
    { flag: "log.level", raw: "trace", message: 'invalid value "trace" for flag -log.level: unrecognized log level "trace"' },
    { flag: "log.format", raw: "text", message: 'invalid value "text" for flag -log.format: unrecognized log format "text"' },
  ];
  for (const c of rejected) {
    test(`rejects -${c.flag}=${c.raw}`, () => {
      assert.throws(() => applyFlag(defaultsOf(serverFields), field(c.flag), c.raw), (err: unknown) => {
        assert.ok(err instanceof FlagError);
        assert.equal(err.message, c.message);
        return true;
      });
    });
  }

  test("the gRPC port is accepted but only shown by -help-all", () => {
    assert.equal(field("server.grpc-listen-port").hidden, true);
  });

  test("api.base-url keeps Phlare's hyphenated YAML key", () => {
    assert.deepEqual(getPath(defaultsOf(serverFields), "api"), { "base-url": "" });
  });
});
