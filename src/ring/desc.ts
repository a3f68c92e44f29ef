/**
 * The ring descriptor: every member of one ring (ingesters, distributors, store-gateways) with its
 * address, heartbeat, state and tokens. It is the one value a ring key holds in the KV store.
 *
 * Stored as UTF-8 JSON, not as dskit's protobuf: only our own processes share the KV, and JSON
 * can be read with `etcdctl get collectors/ring`. The format (version 1):
 *
 * ```json
 * {"ingesters": {
 *   "ingester-1": {"addr": "10.0.0.1:4100", "timestamp": 1700000000, "state": "ACTIVE",
 *                  "tokens": [12, 4000000000], "registered_timestamp": 1699990000, "zone": "a"}}}
 * ```
 *
 * - `timestamp`: last heartbeat, unix seconds (dskit's unit; health is judged against it).
 * - `state`: one of ACTIVE, LEAVING, PENDING, JOINING, LEFT (dskit's InstanceState names).
 * - `tokens`: uint32, ascending, no duplicates; empty while PENDING.
 * - `registered_timestamp`: when the instance first joined, unix seconds; 0 when unknown.
 * - `zone`: availability zone, omitted when empty.
 */

/** Member states, as dskit names them. */
export type InstanceState = "ACTIVE" | "LEAVING" | "PENDING" | "JOINING" | "LEFT";

/** Every state, in dskit's enum order. */
export const INSTANCE_STATES: readonly InstanceState[] = ["ACTIVE", "LEAVING", "PENDING", "JOINING", "LEFT"];

/** One member of a ring. */
export interface InstanceDesc {
  /** host:port the member serves on. */
  addr: string;
  /** Last heartbeat, unix seconds. */
  timestamp: number;
  state: InstanceState;
  /** Ascending uint32 tokens. */
  tokens: number[];
  /** First registration, unix seconds; 0 when unknown. */
  registered_timestamp: number;
  zone?: string;
}

/** The whole ring: members by instance id. */
export interface RingDesc {
  ingesters: Record<string, InstanceDesc>;
}

/** An empty ring. */
export function emptyRingDesc(): RingDesc {
  return { ingesters: {} };
}

/** A deep copy, so that a value handed out can be changed without touching the one kept. */
export function cloneRingDesc(desc: RingDesc): RingDesc {
  const out = emptyRingDesc();
  for (const [id, inst] of Object.entries(desc.ingesters)) out.ingesters[id] = { ...inst, tokens: [...inst.tokens] };
  return out;
}

/** Serializes a descriptor to its stored JSON, members sorted by id so equal rings give equal bytes. */
export function encodeRingDesc(desc: RingDesc): string {
  const ingesters: Record<string, InstanceDesc> = {};
  for (const id of Object.keys(desc.ingesters).sort()) {
    const inst = desc.ingesters[id] as InstanceDesc;
    ingesters[id] = {
      addr: inst.addr,
      timestamp: inst.timestamp,
      state: inst.state,
      tokens: inst.tokens,
      registered_timestamp: inst.registered_timestamp,
      ...(inst.zone !== undefined && inst.zone !== "" ? { zone: inst.zone } : {}),
    };
  }
  return JSON.stringify({ ingesters });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isUint32(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

function decodeInstance(id: string, raw: unknown): InstanceDesc {
  if (!isRecord(raw)) throw new Error(`ring member ${JSON.stringify(id)} is not an object`);
  const { addr, timestamp, state, tokens, registered_timestamp: registered, zone } = raw;
  if (typeof addr !== "string") throw new Error(`ring member ${id}: addr is not a string`);
  if (typeof timestamp !== "number" || !Number.isFinite(timestamp)) throw new Error(`ring member ${id}: timestamp is not a number`);
  if (typeof state !== "string" || !INSTANCE_STATES.includes(state as InstanceState)) {
    throw new Error(`ring member ${id}: unknown state ${JSON.stringify(state)}`);
  }
  const list = tokens ?? [];
  if (!Array.isArray(list) || !list.every(isUint32)) throw new Error(`ring member ${id}: tokens are not a list of uint32`);
  if (registered !== undefined && (typeof registered !== "number" || !Number.isFinite(registered))) {
    throw new Error(`ring member ${id}: registered_timestamp is not a number`);
  }
  if (zone !== undefined && typeof zone !== "string") throw new Error(`ring member ${id}: zone is not a string`);
  return {
    addr,
    timestamp,
    state: state as InstanceState,
    tokens: normalizeTokens(list as number[]),
    registered_timestamp: (registered as number | undefined) ?? 0,
    ...(zone !== undefined && zone !== "" ? { zone } : {}),
  };
}

/** Parses stored JSON; throws an Error naming what is wrong when it is not a ring descriptor. */
export function decodeRingDesc(text: string): RingDesc {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error("decode ring descriptor: not JSON", { cause: err });
  }
  if (!isRecord(raw)) throw new Error("decode ring descriptor: not a JSON object");
  const members = raw.ingesters ?? {};
  if (!isRecord(members)) throw new Error("decode ring descriptor: ingesters is not an object");
  const desc = emptyRingDesc();
  for (const [id, inst] of Object.entries(members)) desc.ingesters[id] = decodeInstance(id, inst);
  return desc;
}

/**
 * Sorts tokens ascending and drops duplicates. Writers keep them sorted, but a hand-edited value
 * or a tokens file from elsewhere may not be, and the ring's binary search needs the order.
 */
export function normalizeTokens(tokens: readonly number[]): number[] {
  let sorted = true;
  for (let i = 1; i < tokens.length; i++) {
    if ((tokens[i] as number) <= (tokens[i - 1] as number)) {
      sorted = false;
      break;
    }
  }
  if (sorted) return [...tokens];
  const out = [...new Set(tokens)].sort((a, b) => a - b);
  return out;
}

/** The clockwise distance from token `from` to token `to`; a token to itself is the whole ring (2^32). */
export function tokenDistance(from: number, to: number): number {
  return to > from ? to - from : to + 2 ** 32 - from;
}

/**
 * How much of the ring each member owns, in tokens (the sum of the ranges ending at its tokens),
 * as dskit's Desc.CountTokens without zones. Members without tokens own 0.
 */
export function ownedTokens(desc: RingDesc): Map<string, number> {
  const all: { token: number; id: string }[] = [];
  const owned = new Map<string, number>();
  for (const [id, inst] of Object.entries(desc.ingesters)) {
    owned.set(id, 0);
    for (const token of inst.tokens) all.push({ token, id });
  }
  all.sort((a, b) => a.token - b.token || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (let i = 0; i < all.length; i++) {
    const cur = all[i] as { token: number; id: string };
    const prev = all[i === 0 ? all.length - 1 : i - 1] as { token: number; id: string };
    owned.set(cur.id, (owned.get(cur.id) ?? 0) + tokenDistance(prev.token, cur.token));
  }
  return owned;
}
