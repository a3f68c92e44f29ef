/** The token ring: descriptor, KV stores, read side, lifecycler, status page and config. */
export { kvStoreFields, KV_STORES, ringFields } from "./config.js";
export type { KVStoreConfig, LifecyclerConfig, RingConfig } from "./config.js";
export {
  cloneRingDesc,
  decodeRingDesc,
  emptyRingDesc,
  encodeRingDesc,
  INSTANCE_STATES,
  normalizeTokens,
  ownedTokens,
  tokenDistance,
} from "./desc.js";
export type { InstanceDesc, InstanceState, RingDesc } from "./desc.js";
export { createEtcdKV } from "./etcd-kv.js";
export type { EtcdKVOptions } from "./etcd-kv.js";
export { forgetMember, ringPage, ringPageData } from "./http.js";
export type { RingMemberJson, RingPageJson } from "./http.js";
export { createInMemoryKV } from "./inmemory-kv.js";
export type { CasUpdate, KV } from "./kv.js";
export { createKV } from "./kv-factory.js";
export { AUTO_FORGET_TIMEOUTS, Lifecycler } from "./lifecycler.js";
export type { LifecyclerOptions } from "./lifecycler.js";
export { doUntilQuorum } from "./quorum.js";
export type { QuorumResult } from "./quorum.js";
export { EMPTY_RING, newOp, Read, Reporting, Ring, searchToken, startRing, TOO_MANY_UNHEALTHY, Write, WriteNoExtend } from "./ring.js";
export type { Operation, ReplicationSet, ReplicationStrategy, RingInstance, RingOptions, RingReader, RingWatcher } from "./ring.js";
export { fnv1, goQuote, labelPairsString, tokenHash } from "./token-hash.js";
export { generateTokens, loadTokensFile, storeTokensFile } from "./tokens.js";
