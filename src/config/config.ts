/**
 * The root config: every component's table composed into one, and the shape of the value tree.
 * Top-level keys come in the order of Phlare's Config struct, so dumps read like Phlare's.
 */
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
  api: ApiConfig;
  server: ServerConfig;
  distributor: DistributorConfig;
  querier: QuerierConfig;
  frontend_worker: FrontendWorkerConfig;
  /** Limits every tenant gets unless the runtime config overrides them. */
  limits: Limits;
  ingester: IngesterRingConfig;
  store_gateway: StoreGatewayConfig;
  phlaredb: PhlareDbConfig;
  runtime_config: RuntimeConfigConfig;
  storage: StorageConfig;
  compactor: CompactorConfig;
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
  "api",
  "server",
  "distributor",
  "querier",
  "frontend_worker",
  "limits",
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
  ...serverFields,
  ...distributorFields,
  ...querierFields,
  ...limitsFields,
  ...ingesterFields,
  ...runtimeConfigFields,
  ...storeGatewayFields,
  ...storageFields,
  ...compactorFields,
]
  .map((field, i) => ({ field, i, rank: sectionRank(field) }))
  .sort((a, b) => a.rank - b.rank || a.i - b.i)
  .map((x) => x.field);

/**
 * Turns a value tree built from allFields into a Config. The cast is sound because the tree holds
 * exactly the rows of allFields, whose paths and kinds config.test.ts checks against Config.
 */
export function asConfig(tree: object): Config {
  return tree as Config;
}

/** A fresh config holding every default. */
export function defaultConfig(): Config {
  return asConfig(defaultsOf(allFields));
}
