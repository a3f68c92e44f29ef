/**
 * The root config: every component's table composed into one, and the shape of the value tree.
 * Top-level keys come in the order of Phlare's Config struct, so dumps read like Phlare's.
 */
import { clientFields, parseScrapeConfigs } from "../agent/config.js";
import type { ClientConfig } from "../agent/config.js";
import { distributorFields } from "../distributor/config.js";
import type { DistributorConfig, IngesterRingConfig } from "../distributor/config.js";
import { ingesterFields } from "../ingester/config.js";
import type { PhlareDbConfig } from "../ingester/config.js";
import { querierFields } from "../querier/config.js";
import type { FrontendWorkerConfig, QuerierConfig } from "../querier/config.js";
import { serverFields } from "../server/config.js";
import type { ApiConfig, ServerConfig } from "../server/config.js";
import { compactorFields } from "../compactor/config.js";
import type { CompactorConfig } from "../compactor/config.js";
import { storageFields } from "../objstore/config.js";
import type { StorageConfig } from "../objstore/config.js";
import { storeGatewayFields } from "../store-gateway/config.js";
import type { StoreGatewayConfig } from "../store-gateway/config.js";
import { compactorRingFields, distributorRingFields, ringFields, storeGatewayRingFields } from "../ring/config.js";
import type { InstanceRingConfig, RingConfig } from "../ring/config.js";
import { querySchedulerFields } from "../query-scheduler/config.js";
import type { FrontendConfig, FrontendWorkerSchedulerConfig, QuerySchedulerConfig } from "../query-scheduler/config.js";
import { defaultsOf, splitPath } from "./field.js";
import type { Field } from "./field.js";
import { limitsFields } from "./limits.js";
import type { Limits } from "./limits.js";
import { runtimeConfigFields } from "./runtime-config.js";
import type { RuntimeConfigConfig } from "./runtime-config.js";

/** The whole config tree; property names are the YAML keys, durations are milliseconds. */
export interface Config {
  /** Modules to run (`-target`, comma-separated; default ["all"]). */
  target: string[];
  /** Where the agent pushes (when it runs without a distributor in the process). */
  client: ClientConfig;
  /** The agent's scrape jobs as written in YAML; `parseScrapeConfigs` gives them typed, with defaults. */
  scrape_configs: unknown[];
  api: ApiConfig;
  server: ServerConfig;
  distributor: DistributorConfig & { ring: InstanceRingConfig };
  querier: QuerierConfig;
  frontend: FrontendConfig;
  frontend_worker: FrontendWorkerConfig & FrontendWorkerSchedulerConfig;
  /** Limits every tenant gets unless the runtime config overrides them. */
  limits: Limits;
  query_scheduler: QuerySchedulerConfig;
  ingester: IngesterRingConfig & RingConfig;
  store_gateway: StoreGatewayConfig & { sharding_ring: InstanceRingConfig };
  phlaredb: PhlareDbConfig;
  runtime_config: RuntimeConfigConfig;
  storage: StorageConfig;
  compactor: CompactorConfig & { sharding_ring: InstanceRingConfig };
  multitenancy_enabled: boolean;
}

/** Row for `-target`; Phlare keeps it in YAML as one comma-separated string. */
export const targetField: Field = {
  flag: "target",
  yaml: "target",
  kind: "csv",
  default: ["all"],
  help:
    "Comma-separated list of Phlare modules to load. The alias 'all' can be used in the list to load a " +
    "number of core modules and will enable single-binary mode.",
};

// Phlare's Config struct order; every top-level key of the tables must appear here.
const SECTION_ORDER: readonly string[] = [
  "target",
  "client",
  "scrape_configs",
  "api",
  "server",
  "distributor",
  "querier",
  "frontend",
  "frontend_worker",
  "limits",
  "query_scheduler",
  "ingester",
  "store_gateway",
  "phlaredb",
  "runtime_config",
  "storage",
  "compactor",
  "multitenancy_enabled",
];

function sectionRank(field: Field): number {
  const rank = SECTION_ORDER.indexOf(splitPath(field.yaml)[0] as string);
  if (rank < 0) throw new Error(`config field ${field.yaml} is in no known top-level section`);
  return rank;
}

/** Every config row, grouped by top-level section in Phlare's order, each table's own order kept inside. */
export const allFields: readonly Field[] = [
  targetField,
  ...clientFields,
  ...serverFields,
  ...distributorFields,
  ...distributorRingFields,
  ...querierFields,
  ...querySchedulerFields,
  ...limitsFields,
  ...ingesterFields,
  ...ringFields,
  ...runtimeConfigFields,
  ...storeGatewayFields,
  ...storeGatewayRingFields,
  ...storageFields,
  ...compactorFields,
  ...compactorRingFields,
]
  .map((field, i) => ({ field, i, rank: sectionRank(field) }))
  .sort((a, b) => a.rank - b.rank || a.i - b.i)
  .map((x) => x.field);

/**
 * A top-level key holding structured YAML (a list of mappings) that no flag sets. The loader checks
 * it with `check`, which throws ConfigError naming the exact YAML path, and stores it as written.
 */
export interface YamlSection {
  readonly key: string;
  readonly check: (raw: unknown, path: string) => void;
}

/** The structured sections of the root config. */
export const yamlSections: readonly YamlSection[] = [
  {
    key: "scrape_configs",
    check: (raw, path) => {
      parseScrapeConfigs(raw, path);
    },
  },
];

/** Inserts each structured section's value (default: an empty list) at its place in Phlare's key order. */
export function withYamlSections(tree: object, values: ReadonlyMap<string, unknown> = new Map()): object {
  const out: Record<string, unknown> = {};
  const entries = Object.entries(tree);
  for (const key of SECTION_ORDER) {
    if (yamlSections.some((s) => s.key === key)) out[key] = values.get(key) ?? [];
    else if (Object.hasOwn(tree, key)) out[key] = (tree as Record<string, unknown>)[key];
  }
  for (const [key, value] of entries) if (!Object.hasOwn(out, key)) out[key] = value;
  return out;
}

/**
 * Turns a value tree built from allFields into a Config. The cast is sound because the tree holds
 * exactly the rows of allFields, whose paths and kinds config.test.ts checks against Config.
 */
export function asConfig(tree: object): Config {
  return tree as Config;
}

/** A fresh config holding every default. */
export function defaultConfig(): Config {
  return asConfig(withYamlSections(defaultsOf(allFields)));
}
