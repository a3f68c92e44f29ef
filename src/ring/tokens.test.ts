import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { generateTokens, loadTokensFile, storeTokensFile } from "./tokens.js";

test("generateTokens: unique, ascending, avoiding taken ones", () => {
  const taken = generateTokens(1000, []);
  const tokens = generateTokens(500, taken);
  assert.equal(tokens.length, 500);
  assert.equal(new Set([...tokens, ...taken]).size, 1500);
  assert.deepEqual(tokens, [...tokens].sort((a, b) => a - b));
  assert.ok(tokens.every((t) => Number.isInteger(t) && t >= 0 && t <= 0xffffffff));
  assert.deepEqual(generateTokens(0, []), []);
});

test("tokens file: round trip in dskit's JSON, missing file, unsorted and bad files", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ring-tokens-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "tokens");
  assert.equal(await loadTokensFile(path), undefined);
  await storeTokensFile(path, [1, 5, 4294967295]);
  assert.equal(readFileSync(path, "utf8"), '{"tokens":[1,5,4294967295]}');
  assert.deepEqual(await loadTokensFile(path), [1, 5, 4294967295]);
  writeFileSync(path, '{"tokens":[9,2,9]}');
  assert.deepEqual(await loadTokensFile(path), [2, 9]);
  writeFileSync(path, '{"tokens":null}');
  assert.deepEqual(await loadTokensFile(path), []);
  writeFileSync(path, "{");
  await assert.rejects(loadTokensFile(path), /not JSON/);
  writeFileSync(path, '{"tokens":[-1]}');
  await assert.rejects(loadTokensFile(path), /not a list of uint32/);
});
