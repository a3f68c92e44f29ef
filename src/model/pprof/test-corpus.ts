/**
 * The real-profile corpus shared by the pprof tests and benchmark. Gzip is detected by
 * magic bytes, not file name: some `.pb.gz` files are raw protobuf and some files without
 * an extension are gzipped.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

/** Root of the shared test data (override with PHLARE_TESTDATA_DIR). */
export const testdataDir: string =
  process.env["PHLARE_TESTDATA_DIR"] ?? fileURLToPath(new URL("../../../testdata/", import.meta.url));

/** One corpus file, with its bytes as stored and as raw protobuf. */
export interface CorpusFile {
  /** Path relative to the test data root, e.g. "pprof/pprof_heap". */
  name: string;
  stored: Uint8Array;
  raw: Uint8Array;
}

function load(dir: string, keep: (file: string) => boolean): CorpusFile[] {
  const out: CorpusFile[] = [];
  for (const file of readdirSync(join(testdataDir, dir)).sort()) {
    if (!keep(file)) continue;
    const stored = new Uint8Array(readFileSync(join(testdataDir, dir, file)));
    const raw = stored[0] === 0x1f && stored[1] === 0x8b ? new Uint8Array(gunzipSync(stored)) : stored;
    out.push({ name: `${dir}/${file}`, stored, raw });
  }
  return out;
}

/** Every valid pprof in the corpus: all of pprof/ (minus the .st.json sidecars) and the pprof captures. */
export function validCorpus(): CorpusFile[] {
  return [
    ...load("pprof", (f) => !f.endsWith(".json")),
    ...load("captures", (f) => f.endsWith(".pb.gz") || f.endsWith(".pprof.gz")),
  ];
}

/** One file of malformed/, e.g. "invalid_utf8.pb.gz". */
export function malformedFile(file: string): CorpusFile {
  const found = load("malformed", (f) => f === file)[0];
  if (found === undefined) throw new Error(`malformed/${file} not found under ${testdataDir}`);
  return found;
}
