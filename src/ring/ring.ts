/**
 * The read side of a token ring, with dskit's semantics (ring/ring.go, replication_strategy.go):
 * which members own a key (the replication set for a write), and which members a read must ask.
 *
 * Every member owns the ranges of the ring that end at its tokens. A key belongs to the first
 * token strictly greater than it (wrapping), and its replicas are the next RF distinct members
 * walking clockwise. An operation names the states in which a member may serve it and the states
 * that make the walk take one more member (a JOINING member on a write is passed over for an
 * extra replica rather than counted).
 */
import type { Logger } from "../server/logger.js";
import { emptyRingDesc } from "./desc.js";
import type { InstanceDesc, InstanceState, RingDesc } from "./desc.js";
import type { KV } from "./kv.js";

/** What a replication set is for: the states that may serve it, and those that extend the walk. */
export interface Operation {
  readonly name: string;
  readonly healthyStates: ReadonlySet<InstanceState>;
  readonly extendOn?: (state: InstanceState) => boolean;
}

/** Builds an operation, as dskit's NewOp. */
export function newOp(name: string, healthyStates: readonly InstanceState[], extendOn?: (state: InstanceState) => boolean): Operation {
  return { name, healthyStates: new Set(healthyStates), ...(extendOn ? { extendOn } : {}) };
}

/** A write: ACTIVE members only, and a non-ACTIVE owner adds one more replica to the walk. */
export const Write: Operation = newOp("Write", ["ACTIVE"], (s) => s !== "ACTIVE");
/** A write that takes exactly the first RF members. */
export const WriteNoExtend: Operation = newOp("WriteNoExtend", ["ACTIVE"]);
/** A read: ACTIVE, PENDING and LEAVING members serve; the walk extends past the others, mirroring Write. */
export const Read: Operation = newOp("Read", ["ACTIVE", "PENDING", "LEAVING"], (s) => s !== "ACTIVE" && s !== "LEAVING");
/** Health reporting: every state counts, only the heartbeat matters. */
export const Reporting: Operation = newOp("Reporting", ["ACTIVE", "LEAVING", "PENDING", "JOINING", "LEFT"]);

/** A member together with its id. */
export interface RingInstance extends InstanceDesc {
  readonly id: string;
}

/** The members to call and how many of them may fail. */
export interface ReplicationSet {
  instances: RingInstance[];
  maxErrors: number;
}

/** How replication sets are filtered: dskit's default (quorum) or ignore-unhealthy (at least one). */
export type ReplicationStrategy = "default" | "ignore-unhealthy";

/** Ring parameters. */
export interface RingOptions {
  replicationFactor: number;
  /** A member whose last heartbeat is older is unhealthy; 0 disables the check. */
  heartbeatTimeoutMs: number;
  strategy?: ReplicationStrategy;
  /** Clock, for tests; milliseconds since the epoch. */
  nowMs?: () => number;
}

/** dskit's ErrEmptyRing message. */
export const EMPTY_RING = "empty ring";
/** dskit's ErrTooManyUnhealthyInstances message. */
export const TOO_MANY_UNHEALTHY = "too many unhealthy instances in the ring";

/** What status pages and callers need from a ring. */
export interface RingReader {
  /** The replication set of `key` for `op`; throws when too few owners are healthy. */
  get(key: number, op: Operation): ReplicationSet;
  /** Every member healthy for `op`, with the read quorum's error budget; throws when it cannot be met. */
  getAllHealthy(op: Operation): ReplicationSet;
  replicationFactor(): number;
  /** Number of members, whatever their state. */
  instancesCount(): number;
  /** Number of members healthy for `op`. */
  healthyInstancesCount(op: Operation): number;
  isHealthy(instance: InstanceDesc, op: Operation, nowMs?: number): boolean;
  /** The last descriptor seen; do not change it. */
  desc(): RingDesc;
}

/** The first index whose token is strictly greater than `key`, wrapping to 0 (dskit's searchToken). */
export function searchToken(tokens: Uint32Array, key: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((tokens[mid] as number) > key) hi = mid;
    else lo = mid + 1;
  }
  return lo >= tokens.length ? 0 : lo;
}

/** A ring built from a descriptor; `setDesc` swaps in a new one (from a KV watch). */
export class Ring implements RingReader {
  private current: RingDesc = emptyRingDesc();
  // Members sorted by id; tokens ascending, with owners[i] the member index of tokens[i].
  private members: RingInstance[] = [];
  private tokens = new Uint32Array(0);
  private owners = new Int32Array(0);
  private readonly rf: number;
  private readonly timeoutMs: number;
  private readonly strategy: ReplicationStrategy;
  private readonly now: () => number;

  constructor(options: RingOptions) {
    if (!Number.isInteger(options.replicationFactor) || options.replicationFactor <= 0) {
      throw new Error(`replication factor must be greater than zero, got ${options.replicationFactor}`);
    }
    this.rf = options.replicationFactor;
    this.timeoutMs = options.heartbeatTimeoutMs;
    this.strategy = options.strategy ?? "default";
    this.now = options.nowMs ?? Date.now;
  }

  /** Replaces the ring with `desc` (undefined: the key does not exist yet, an empty ring). */
  setDesc(desc: RingDesc | undefined): void {
    const d = desc ?? emptyRingDesc();
    const ids = Object.keys(d.ingesters).sort();
    const members = ids.map((id) => ({ ...(d.ingesters[id] as InstanceDesc), id }));
    const pairs: { token: number; owner: number }[] = [];
    members.forEach((m, owner) => {
      // A LEFT member has given its tokens up (dskit keeps none for it).
      if (m.state !== "LEFT") for (const token of m.tokens) pairs.push({ token, owner });
    });
    // Two members claiming one token cannot come from our CAS writers; keep the lower id, as dskit's conflict rule.
    pairs.sort((a, b) => a.token - b.token || a.owner - b.owner);
    const tokens: number[] = [];
    const owners: number[] = [];
    for (const p of pairs) {
      if (tokens.length > 0 && tokens[tokens.length - 1] === p.token) continue;
      tokens.push(p.token);
      owners.push(p.owner);
    }
    this.current = d;
    this.members = members;
    this.tokens = Uint32Array.from(tokens);
    this.owners = Int32Array.from(owners);
  }

  desc(): RingDesc {
    return this.current;
  }

  replicationFactor(): number {
    return this.rf;
  }

  instancesCount(): number {
    return this.members.length;
  }

  healthyInstancesCount(op: Operation): number {
    const now = this.now();
    return this.members.filter((m) => this.isHealthy(m, op, now)).length;
  }

  /** Whether the member is in a state `op` allows and has heartbeated within the timeout. */
  isHealthy(instance: InstanceDesc, op: Operation, nowMs: number = this.now()): boolean {
    if (!op.healthyStates.has(instance.state)) return false;
    return this.timeoutMs === 0 || nowMs - instance.timestamp * 1000 <= this.timeoutMs;
  }

  /** The member with this id, if any. */
  instance(id: string): RingInstance | undefined {
    return this.members.find((m) => m.id === id);
  }

  get(key: number, op: Operation): ReplicationSet {
    if (this.tokens.length === 0) throw new Error(EMPTY_RING);
    let n = this.rf;
    const picked: RingInstance[] = [];
    const seen: number[] = [];
    const maxInstances = this.members.length;
    const start = searchToken(this.tokens, key >>> 0);
    for (let it = 0, i = start; seen.length < Math.min(maxInstances, n) && it < this.tokens.length; it++, i++) {
      if (i === this.tokens.length) i = 0;
      const owner = this.owners[i] as number;
      if (seen.includes(owner)) continue;
      seen.push(owner);
      const inst = this.members[owner] as RingInstance;
      if (op.extendOn?.(inst.state)) n++;
      picked.push(inst);
    }
    return this.filter(picked, op);
  }

  private filter(picked: RingInstance[], op: Operation): ReplicationSet {
    const now = this.now();
    const healthy = picked.filter((m) => this.isHealthy(m, op, now));
    const unhealthy = picked.filter((m) => !this.isHealthy(m, op, now)).map((m) => m.addr);
    const suffix = unhealthy.length > 0 ? ` - unhealthy instances: ${unhealthy.join(",")}` : "";
    if (this.strategy === "ignore-unhealthy") {
      if (healthy.length === 0) throw new Error(`at least 1 healthy replica required, could only find 0${suffix}`);
      return { instances: healthy, maxErrors: healthy.length - 1 };
    }
    // While a member joins or leaves the set can be larger than RF; the quorum is of the larger.
    const minSuccess = Math.floor(Math.max(this.rf, picked.length) / 2) + 1;
    if (healthy.length < minSuccess) {
      throw new Error(`at least ${minSuccess} live replicas required, could only find ${healthy.length}${suffix}`);
    }
    return { instances: healthy, maxErrors: healthy.length - minSuccess };
  }

  /**
   * dskit's GetReplicationSetForOperation (what Phlare's querier reads with): data written with
   * RF replicas survives floor(RF/2) lost members, so that many of all members may be unhealthy
   * or fail. Members come sorted by id.
   */
  getAllHealthy(op: Operation): ReplicationSet {
    if (this.tokens.length === 0) throw new Error(EMPTY_RING);
    const now = this.now();
    const healthy = this.members.filter((m) => this.isHealthy(m, op, now));
    const required = Math.max(this.members.length, this.rf) - Math.floor(this.rf / 2);
    if (healthy.length < required) throw new Error(TOO_MANY_UNHEALTHY);
    return { instances: healthy, maxErrors: healthy.length - required };
  }
}

/** A ring kept in step with a KV key. */
export interface RingWatcher {
  readonly ring: Ring;
  /** Stops following the key; the ring keeps its last state. */
  stop(): Promise<void>;
}

/**
 * Reads the key once (failing, as dskit does, when the KV cannot be read at start), then follows
 * every change. While the KV is unreachable the ring keeps the last state it saw.
 */
export async function startRing(kv: KV, key: string, options: RingOptions, logger?: Logger): Promise<RingWatcher> {
  const ring = new Ring(options);
  try {
    ring.setDesc(await kv.get(key));
  } catch (err) {
    throw new Error(`read ring ${key}`, { cause: err });
  }
  const stopping = new AbortController();
  const watching = kv.watchKey(key, stopping.signal, (desc) => ring.setDesc(desc)).catch((err: unknown) => {
    logger?.error("ring watch ended", { key, err });
  });
  return {
    ring,
    async stop() {
      stopping.abort();
      await watching;
    },
  };
}
