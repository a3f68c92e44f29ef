/**
 * `static_configs`: target groups written in the scrape config, as in Prometheus. Group `i` has the
 * source `"<i>"`; every target must be a host:port (no URL path), every label name valid.
 */
import { ConfigError } from "../../model/errors.js";
import { isValidLabelName } from "../../model/labels.js";
import { YamlObject } from "../yaml-object.js";
import type { Discoverer, GroupSink, LabelSet, TargetGroup } from "./target-group.js";

function parseStaticConfig(raw: unknown, path: string, index: number): TargetGroup {
  if (raw === null || raw === undefined) throw new ConfigError(`${path}: empty or null section in static_configs`, path);
  const y = YamlObject.of(raw, path);
  const targets: LabelSet[] = y.strings("targets").map((address, i) => {
    // Prometheus' CheckTargetAddress: a target is an address, not a URL.
    if (address.includes("/")) y.fail(`targets.${i}`, `${JSON.stringify(address)} is not a valid hostname`);
    return new Map([["__address__", address]]);
  });
  const labels = y.stringMap("labels");
  for (const name of labels.keys()) {
    if (!isValidLabelName(name)) y.fail(`labels.${name}`, `${JSON.stringify(name)} is not a valid label name`);
  }
  y.done();
  return { source: String(index), targets, labels };
}

/** Parses `static_configs` (the raw YAML value) into groups with sources "0", "1", …; throws ConfigError with the YAML path. */
export function parseStaticConfigs(raw: unknown, path: string): TargetGroup[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError(`${path}: expected a sequence of static configs`, path);
  return raw.map((entry: unknown, i) => parseStaticConfig(entry, `${path}.${i}`, i));
}

/** Sends the static groups once, then waits for the abort. */
export class StaticDiscoverer implements Discoverer {
  constructor(private readonly groups: readonly TargetGroup[]) {}

  /** Sends every group, then resolves when `signal` aborts. */
  async run(signal: AbortSignal, sink: GroupSink): Promise<void> {
    if (signal.aborted) return;
    sink(this.groups);
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  }
}
