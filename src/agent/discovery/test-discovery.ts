/** Test helpers for discoverers: a sink that applies batches as the agent does, and polling. */
import assert from "node:assert/strict";
import { ConfigError } from "../../model/errors.js";
import type { GroupSink, TargetGroup } from "./target-group.js";

/** Applies batches like the agent does: a group replaces its source, an empty one removes it. */
export class Collector {
  readonly batches: (readonly TargetGroup[])[] = [];
  readonly state = new Map<string, TargetGroup>();
  readonly sink: GroupSink = (groups) => {
    this.batches.push(groups);
    for (const g of groups) {
      if (g.targets.length === 0) this.state.delete(g.source);
      else this.state.set(g.source, g);
    }
  };

  /** The addresses of a source's targets, or undefined when it has none. */
  addresses(source: string): string[] | undefined {
    return this.state.get(source)?.targets.map((t) => t.get("__address__") ?? "");
  }
}

/** Polls `cond` every 10 ms until it holds, failing after `timeoutMs`. */
export async function waitFor(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The ConfigError that `parse` throws; fails the test when it throws nothing or something else. */
export function configErrorOf(parse: () => unknown): ConfigError {
  try {
    parse();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a ConfigError");
}
