/**
 * Ring tokens: random generation, and the tokens file that lets a restarted instance take back
 * the same ranges (`-ingester.tokens-file-path`). The file is dskit's: JSON `{"tokens":[…]}`,
 * uint32 ascending, replaced atomically (written beside, then renamed).
 */
import { randomFillSync } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { normalizeTokens } from "./desc.js";

/** `count` random uint32 tokens, unique and not in `taken`, ascending. */
export function generateTokens(count: number, taken: Iterable<number>): number[] {
  const used = new Set(taken);
  const out: number[] = [];
  const batch = new Uint32Array(Math.max(count, 1));
  while (out.length < count) {
    randomFillSync(batch);
    for (const candidate of batch) {
      if (out.length === count) break;
      if (used.has(candidate)) continue;
      used.add(candidate);
      out.push(candidate);
    }
  }
  return out.sort((a, b) => a - b);
}

/** Reads a tokens file; undefined when it does not exist, an Error when it is not a tokens file. */
export async function loadTokensFile(path: string): Promise<number[] | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`read tokens file ${path}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`tokens file ${path} is not JSON`, { cause: err });
  }
  const tokens = typeof raw === "object" && raw !== null ? (raw as { tokens?: unknown }).tokens : undefined;
  const isUint32 = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
  if (tokens === null || tokens === undefined) return [];
  if (!Array.isArray(tokens) || !tokens.every(isUint32)) throw new Error(`tokens file ${path}: "tokens" is not a list of uint32`);
  // Older writers did not sort.
  return normalizeTokens(tokens);
}

/** Writes a tokens file: to `<path>.tmp`, then renamed over `path`, so a crash leaves the old or the new file. */
export async function storeTokensFile(path: string, tokens: readonly number[]): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, JSON.stringify({ tokens }));
  await rename(tmp, path);
}
