import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { expandEnv, expandWith } from "./expand-env.js";

const env: NodeJS.ProcessEnv = { PORT: "4200", EMPTY: "", DIR: "/var/phlare", A_1: "x" };

describe("expandEnv", () => {
  const cases: Array<{ name: string; input: string; want: string }> = [
    { name: "braced", input: "port: ${PORT}", want: "port: 4200" },
    { name: "bare name", input: "port: $PORT", want: "port: 4200" },
    { name: "bare name ends at non-alphanumeric", input: "$DIR/data", want: "/var/phlare/data" },
    { name: "underscore and digits in name", input: "${A_1}$A_1", want: "xx" },
    { name: "default when unset", input: "${NOPE:4100}", want: "4100" },
    { name: "shell-style default", input: "${NOPE:-4100}", want: "4100" },
    { name: "default when empty", input: "${EMPTY:fallback}", want: "fallback" },
    { name: "set value wins over default", input: "${PORT:1}", want: "4200" },
    { name: "default may contain colons", input: "${NOPE:http://h:1}", want: "http://h:1" },
    { name: "empty default", input: "[${NOPE:}]", want: "[]" },
    { name: "unset without default is empty", input: "[${NOPE}]", want: "[]" },
    { name: "several on one line", input: "${PORT}-${DIR}", want: "4200-/var/phlare" },
    { name: "no variables", input: "plain: text", want: "plain: text" },
    { name: "trailing dollar kept", input: "cost$", want: "cost$" },
    { name: "dollar before non-name kept", input: "a $ b", want: "a $ b" },
    { name: "$$ is a special name (Go os.Expand)", input: "a$$b", want: "ab" },
    { name: "empty braces dropped (Go os.Expand)", input: "a${}b", want: "ab" },
    { name: "unclosed brace drops ${ (Go os.Expand)", input: "a${PORT", want: "aPORT" },
    { name: "multi-line text", input: "server:\n  http_listen_port: ${PORT}\n", want: "server:\n  http_listen_port: 4200\n" },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(expandEnv(c.input, env), c.want));
  }

  test("expandWith passes the whole braced text to the lookup", () => {
    const seen: string[] = [];
    expandWith("${A:b} $C ${1}", (name) => {
      seen.push(name);
      return "";
    });
    assert.deepEqual(seen, ["A:b", "C", "1"]);
  });
});
