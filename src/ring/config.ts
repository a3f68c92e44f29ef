/**
 * Config of the ingester ring and lifecycler (YAML `ingester.lifecycler.*`), under Phlare's flag
 * names. Phlare registers the ingester ring's KV flags with an empty prefix, so `store` and
 * `prefix` are `-ring.*` while the etcd client's are plain `-etcd.*`; the other rings of Phlare
 * (distributor, store-gateway) put every KV flag under their own prefix. `kvStoreFields` builds
 * both kinds. The replication factor (`ingester.lifecycler.ring.replication_factor`) is in
 * src/distributor/config.ts.
 */
import { hostname } from "node:os";
import { minutes, seconds } from "../config/duration.js";
import type { Field } from "../config/field.js";

/** KV stores we implement; Phlare's default, memberlist, is not one of them. */
export const KV_STORES = ["inmemory", "etcd"] as const;

/** YAML `…kvstore:`; the dial timeout is milliseconds. */
export interface KVStoreConfig {
  store: string;
  prefix: string;
  etcd: {
    endpoints: string[];
    dial_timeout: number;
    max_retries: number;
    username: string;
    password: string;
  };
}

/** YAML `ingester.lifecycler:`; durations are milliseconds. */
export interface LifecyclerConfig {
  ring: { kvstore: KVStoreConfig; heartbeat_timeout: number };
  num_tokens: number;
  heartbeat_period: number;
  heartbeat_timeout: number;
  join_after: number;
  min_ready_duration: number;
  tokens_file_path: string;
  availability_zone: string;
  unregister_on_shutdown: boolean;
  readiness_check_ring_health: boolean;
  address: string;
  port: number;
  id: string;
}

/** YAML `ingester:` as far as the ring reads it; intersect it with the distributor's IngesterRingConfig. */
export interface RingConfig {
  lifecycler: LifecyclerConfig;
}

const nonNegative = (what: string) => (v: number) => (v >= 0 ? undefined : `${what} must not be negative, got ${v}`);

/**
 * Rows of one KV store config at YAML path `yaml` (e.g. "ingester.lifecycler.ring.kvstore").
 * An empty `flagPrefix` gives the ingester ring's flags (`-ring.store`, `-etcd.endpoints`);
 * otherwise every flag is under it (`-distributor.ring.store`, `-distributor.ring.etcd.endpoints`).
 */
export function kvStoreFields(flagPrefix: string, yaml: string, hidden = false): Field[] {
  const storePrefix = flagPrefix === "" ? "ring." : flagPrefix;
  const h = hidden ? { hidden: true } : {};
  return [
    {
      flag: `${storePrefix}store`,
      yaml: `${yaml}.store`,
      kind: "string",
      default: "inmemory",
      validate: (v) => (KV_STORES.includes(v as (typeof KV_STORES)[number]) ? undefined : `unsupported KV store ${JSON.stringify(v)}; supported: ${KV_STORES.join(", ")}`),
      help:
        "Backend storage to use for the ring. Supported values are: inmemory, etcd. Phlare's default, memberlist, " +
        "is not implemented: inmemory serves a single process (-target=all); use etcd for several processes.",
      ...h,
    },
    {
      flag: `${storePrefix}prefix`,
      yaml: `${yaml}.prefix`,
      kind: "string",
      default: "collectors/",
      help: "The prefix for the keys in the store. Should end with a /.",
      ...h,
    },
    {
      flag: `${flagPrefix}etcd.endpoints`,
      yaml: `${yaml}.etcd.endpoints`,
      kind: "strings",
      default: [],
      help: "The etcd endpoints to connect to.",
      ...h,
    },
    {
      flag: `${flagPrefix}etcd.dial-timeout`,
      yaml: `${yaml}.etcd.dial_timeout`,
      kind: "duration",
      default: seconds(10),
      validate: (v) => (v > 0 ? undefined : `etcd dial timeout must be positive, got ${v}ms`),
      help: "The dial timeout for the etcd connection.",
      ...h,
    },
    {
      flag: `${flagPrefix}etcd.max-retries`,
      yaml: `${yaml}.etcd.max_retries`,
      kind: "int",
      default: 10,
      validate: (v) => (v >= 1 ? undefined : `etcd max retries must be at least 1, got ${v}`),
      help: "The maximum number of retries to do for failed ops.",
      ...h,
    },
    {
      flag: `${flagPrefix}etcd.username`,
      yaml: `${yaml}.etcd.username`,
      kind: "string",
      default: "",
      help: "Etcd username.",
      ...h,
    },
    {
      flag: `${flagPrefix}etcd.password`,
      yaml: `${yaml}.etcd.password`,
      kind: "string",
      default: "",
      secret: true,
      help: "Etcd password.",
      ...h,
    },
  ];
}

const L = "ingester.lifecycler";

/** Rows for `ingester.lifecycler.*` (the ingester ring's KV, timeouts, tokens and identity). */
export const ringFields: readonly Field[] = [
  ...kvStoreFields("", `${L}.ring.kvstore`),
  {
    flag: "ring.heartbeat-timeout",
    yaml: `${L}.ring.heartbeat_timeout`,
    kind: "duration",
    default: minutes(1),
    validate: nonNegative("heartbeat timeout"),
    help: "The heartbeat timeout after which ingesters are skipped for reads/writes. 0 = never (timeout disabled).",
  },
  {
    flag: "ingester.num-tokens",
    yaml: `${L}.num_tokens`,
    kind: "int",
    default: 128,
    validate: (v) => (v >= 1 ? undefined : `number of tokens must be at least 1, got ${v}`),
    help: "Number of tokens for each ingester.",
  },
  {
    flag: "ingester.heartbeat-period",
    yaml: `${L}.heartbeat_period`,
    kind: "duration",
    default: seconds(5),
    validate: nonNegative("heartbeat period"),
    help: "Period at which to heartbeat to the ring. 0 = disabled.",
  },
  {
    flag: "ingester.heartbeat-timeout",
    yaml: `${L}.heartbeat_timeout`,
    kind: "duration",
    default: minutes(1),
    validate: nonNegative("heartbeat timeout"),
    help: "Heartbeat timeout after which instance is assumed to be unhealthy. 0 = disabled.",
  },
  {
    flag: "ingester.join-after",
    yaml: `${L}.join_after`,
    kind: "duration",
    default: 0,
    validate: nonNegative("join after"),
    help: "Period to wait for a claim from another member; will join automatically after this.",
  },
  {
    flag: "ingester.min-ready-duration",
    yaml: `${L}.min_ready_duration`,
    kind: "duration",
    default: seconds(15),
    validate: nonNegative("min ready duration"),
    help:
      "Minimum duration to wait after the internal readiness checks have passed but before succeeding the readiness " +
      "endpoint. This is used to slowdown deployment controllers (eg. Kubernetes) after an instance is ready and before " +
      "they proceed with a rolling update, to give the rest of the cluster instances enough time to receive ring updates.",
  },
  {
    flag: "ingester.tokens-file-path",
    yaml: `${L}.tokens_file_path`,
    kind: "string",
    default: "",
    help: "File path where tokens are stored. If empty, tokens are not stored at shutdown and restored at startup.",
  },
  {
    flag: "ingester.availability-zone",
    yaml: `${L}.availability_zone`,
    kind: "string",
    default: "",
    help: "The availability zone where this instance is running.",
  },
  {
    flag: "ingester.unregister-on-shutdown",
    yaml: `${L}.unregister_on_shutdown`,
    kind: "bool",
    default: true,
    help: "Unregister from the ring upon clean shutdown.",
  },
  {
    flag: "ingester.readiness-check-ring-health",
    yaml: `${L}.readiness_check_ring_health`,
    kind: "bool",
    default: true,
    help:
      "When enabled the readiness probe succeeds only after all instances are ACTIVE and healthy in the ring, otherwise " +
      "only the instance itself is checked. This option should be disabled if in your cluster multiple instances can be " +
      "rolled out simultaneously, otherwise rolling updates may be slowed down.",
  },
  {
    flag: "ingester.lifecycler.addr",
    yaml: `${L}.address`,
    kind: "string",
    default: "",
    help: "IP address to advertise in the ring.",
  },
  {
    flag: "ingester.lifecycler.port",
    yaml: `${L}.port`,
    kind: "int",
    default: 0,
    validate: (v) => (v >= 0 && v <= 65535 ? undefined : `port must be between 0 and 65535, got ${v}`),
    help: "Port to advertise in the ring (defaults to server.http-listen-port).",
  },
  {
    flag: "ingester.lifecycler.ID",
    yaml: `${L}.id`,
    kind: "string",
    // Phlare's default too: one instance per host, and a restart keeps its ring entry.
    default: hostname(),
    help: "ID to register in the ring.",
  },
];

/** YAML of a component ring other than the ingesters' (`distributor.ring`, `store_gateway.sharding_ring`, …). */
export interface InstanceRingConfig {
  kvstore: KVStoreConfig;
  heartbeat_period: number;
  heartbeat_timeout: number;
  replication_factor: number;
  instance_id: string;
  instance_addr: string;
  instance_port: number;
}

/** Defaults of one component ring. */
export interface InstanceRingDefaults {
  heartbeatPeriodMs: number;
  heartbeatTimeoutMs: number;
  replicationFactor: number;
  hidden?: boolean;
}

/**
 * Rows of a component ring at YAML path `yaml` with flags under `flagPrefix` (ending with "."):
 * its KV store, heartbeats, replication factor and this instance's identity in it.
 */
export function instanceRingFields(flagPrefix: string, yaml: string, d: InstanceRingDefaults): Field[] {
  const h = d.hidden ? { hidden: true } : {};
  return [
    ...kvStoreFields(flagPrefix, `${yaml}.kvstore`, d.hidden),
    {
      flag: `${flagPrefix}heartbeat-period`,
      yaml: `${yaml}.heartbeat_period`,
      kind: "duration",
      default: d.heartbeatPeriodMs,
      validate: nonNegative("heartbeat period"),
      help: "Period at which to heartbeat to the ring. 0 = disabled.",
      ...h,
    },
    {
      flag: `${flagPrefix}heartbeat-timeout`,
      yaml: `${yaml}.heartbeat_timeout`,
      kind: "duration",
      default: d.heartbeatTimeoutMs,
      validate: nonNegative("heartbeat timeout"),
      help: "The heartbeat timeout after which instances are considered unhealthy within the ring. 0 = never (timeout disabled).",
      ...h,
    },
    {
      flag: `${flagPrefix}replication-factor`,
      yaml: `${yaml}.replication_factor`,
      kind: "int",
      default: d.replicationFactor,
      validate: (v) => (v >= 1 ? undefined : `replication factor must be at least 1, got ${v}`),
      help: "The replication factor to use when sharding blocks or tenants over the ring's instances.",
      ...h,
    },
    {
      flag: `${flagPrefix}instance-id`,
      yaml: `${yaml}.instance_id`,
      kind: "string",
      default: hostname(),
      help: "Instance ID to register in the ring.",
      ...h,
    },
    {
      flag: `${flagPrefix}instance-addr`,
      yaml: `${yaml}.instance_addr`,
      kind: "string",
      default: "",
      help: "IP address to advertise in the ring (default: the first non-loopback IPv4 address, else 127.0.0.1).",
      ...h,
    },
    {
      flag: `${flagPrefix}instance-port`,
      yaml: `${yaml}.instance_port`,
      kind: "int",
      default: 0,
      validate: (v) => (v >= 0 && v <= 65535 ? undefined : `port must be between 0 and 65535, got ${v}`),
      help: "Port to advertise in the ring (defaults to server.http-listen-port).",
      ...h,
    },
  ];
}

/** The distributor ring: counts healthy distributors for the global rate limit (Phlare keeps it hidden). */
export const distributorRingFields: readonly Field[] = instanceRingFields("distributor.ring.", "distributor.ring", {
  heartbeatPeriodMs: seconds(5),
  heartbeatTimeoutMs: minutes(1),
  replicationFactor: 1,
  hidden: true,
});

/** The store-gateway ring: shards bucket blocks over store-gateways (RF 3, heartbeats every 15s). */
export const storeGatewayRingFields: readonly Field[] = instanceRingFields("store-gateway.sharding-ring.", "store_gateway.sharding_ring", {
  heartbeatPeriodMs: seconds(15),
  heartbeatTimeoutMs: minutes(1),
  replicationFactor: 3,
});

/** The compactor ring: one compactor owns each tenant. */
export const compactorRingFields: readonly Field[] = instanceRingFields("compactor.ring.", "compactor.sharding_ring", {
  heartbeatPeriodMs: seconds(15),
  heartbeatTimeoutMs: minutes(1),
  replicationFactor: 1,
});
