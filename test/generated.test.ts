/**
 * src/gen/ is exactly what api/*.proto generates (STYLE rule 7): regenerate into a
 * temporary folder with the project's own buf and protoc-gen-es and compare.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

const root = fileURLToPath(new URL("..", import.meta.url));

function files(dir: string, base = dir, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, base, out);
    else out.push(relative(base, p));
  }
  return out.sort();
}

describe("generated code", () => {
  it("matches a fresh generation from api/", () => {
    const out = mkdtempSync(join(tmpdir(), "phlare-gen-"));
    try {
      const bin = join(root, "node_modules", ".bin");
      const template = { version: "v2", plugins: [{ local: "protoc-gen-es", out, opt: ["target=ts", "import_extension=js"] }] };
      execFileSync(join(bin, "buf"), ["generate", "--template", JSON.stringify(template)], {
        cwd: root,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        stdio: "pipe",
      });
      const gen = join(root, "src", "gen");
      assert.deepEqual(files(out), files(gen));
      for (const f of files(gen)) {
        assert.equal(readFileSync(join(gen, f), "utf8"), readFileSync(join(out, f), "utf8"), `src/gen/${f} differs from api/: run npm run generate`);
        assert.match(readFileSync(join(gen, f), "utf8"), /@generated/, `${f} has no @generated header`);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
