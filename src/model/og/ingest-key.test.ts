import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../errors.js";
import { testdataDir } from "../pprof/test-corpus.js";
import { parseIngestKey } from "./ingest-key.js";
import type { IngestKey } from "./ingest-key.js";

const key = (appName: string, profileType: string, labels: Array<[string, string]> = []): IngestKey => ({ appName, profileType, labels });

describe("parseIngestKey", () => {
  const cases: Array<[string, string, IngestKey]> = [
    ["bare app name, default type", "foo", key("foo", "cpu")],
    ["type suffix", "foo.cpu", key("foo", "cpu")],
    ["dotted app name: the last segment is the type", "my.app", key("my", "app")],
    ["dotted app name with a type", "my.app.alloc_space", key("my.app", "alloc_space")],
    ["labels", "foo.cpu{bar=1,baz=2}", key("foo", "cpu", [["bar", "1"], ["baz", "2"]])],
    ["unsorted labels keep their order", "foo{zed=1,alpha=2}", key("foo", "cpu", [["zed", "1"], ["alpha", "2"]])],
    ["spaces around everything", " foo { bar = 1 , baz = 2 } ", key("foo", "cpu", [["bar", "1"], ["baz", "2"]])],
    ["empty label set", "foo.wall{}", key("foo", "wall")],
    ["empty app name (nodejs SDK without appName)", "{env=test}", key("", "cpu", [["env", "test"]])],
    ["empty app name with a type", ".wall{env=test}", key("", "wall", [["env", "test"]])],
    ["keys with dots", "app.cpu{otel.scope.name=com.grafana.pyroscope/go,process.runtime.name=go}",
      key("app", "cpu", [["otel.scope.name", "com.grafana.pyroscope/go"], ["process.runtime.name", "go"]])],
    ["private keys are parsed (dropped later)", "app{__session_id__=5c7f}", key("app", "cpu", [["__session_id__", "5c7f"]])],
    ["duplicate key: last value wins at the first position", "app{a=1,b=2,a=3}", key("app", "cpu", [["a", "3"], ["b", "2"]])],
    ["trailing comma", "app{a=1,}", key("app", "cpu", [["a", "1"]])],
    ["'=' and '{' inside a value", "app{q=a=b{c}", key("app", "cpu", [["q", "a=b{c"]])],
    ["empty value", "app{a=}", key("app", "cpu", [["a", ""]])],
    ["__name__ inside the braces sets the app name", "ignored.cpu{__name__=other.wall,x=1}", key("other", "wall", [["x", "1"]])],
    ["app name characters - / _", "team/svc-a_b.cpu", key("team/svc-a_b", "cpu")],
    ["trailing dot: empty type (rejected later by ogProfileType)", "app.", key("app", "")],
    ["unicode in values", "app{region=zürich}", key("app", "cpu", [["region", "zürich"]])],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => assert.deepEqual(parseIngestKey(input), want));
  }

  it("parses the name the @pyroscope/nodejs SDK sent (captured request)", () => {
    const req = JSON.parse(readFileSync(`${testdataDir}/captures/nodejs-0.6.4-wall.request.json`, "utf8")) as { url: string };
    const name = new URL(req.url, "http://x").searchParams.get("name")!;
    assert.deepEqual(
      parseIngestKey(name),
      key("nodejs-demo", "cpu", [
        ["otel.scope.name", "com.grafana.pyroscope/nodejs"],
        ["otel.scope.version", "0.6.4"],
        ["process.runtime.name", "nodejs"],
        ["process.runtime.version", "20.20.2"],
        ["region", "eu-north"],
        ["env", "test"],
      ]),
    );
  });

  const bad: Array<[string, string, RegExp]> = [
    ["empty", "", /the name is required/],
    ["blank", "   ", /the name is required/],
    ["no closing brace", "app{a=b", /no closing '}'/],
    ["no closing brace after a comma", "app{a=b,", /no closing '}'/],
    ["key without '='", "app{a}", /label "a" has no '='/],
    ["key without '=' after a pair", "app{a=1,b}", /label "b" has no '='/],
    ["missing label name", "app{=b}", /label name is missing/],
    ["space inside a label name", "app{a b=c}", /label name "a b" has the character " "/],
    ["double comma", "app{a=b,,c=d}", /label name ",c"/],
    ["double opening brace", "app{{a=b}", /label name "\{a"/],
    ["text after the label set", "app{a=b}x", /unexpected "x" after the label set/],
    ["two label sets", "app{a=b}{c=d}", /unexpected "\{c=d\}"/],
    ["closing brace first", "app}{a=b}", /app name "app}" has the character "}"/],
    ["space inside the app name", "my app.cpu", /app name "my app.cpu" has the character " "/],
    ["colon in the app name", "svc:1", /character ":"/],
    ["bad __name__ value", "app{__name__=a b}", /app name "a b"/],
  ];
  for (const [name, input, msg] of bad) {
    it(`rejects: ${name}`, () => {
      assert.throws(
        () => parseIngestKey(input),
        (err: unknown) => err instanceof InvalidArgumentError && err.reason === "invalid_request" && msg.test(err.message),
      );
    });
  }

  it("shortens a huge name in the message", () => {
    assert.throws(
      () => parseIngestKey(`${"x".repeat(10_000)} y`),
      (err: unknown) => err instanceof Error && err.message.length < 700,
    );
  });
});
