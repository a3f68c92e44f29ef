/**
 * Where the query-schedulers are, for query-frontends and querier workers
 * (`-query-scheduler.service-discovery-mode`):
 * - `ring` (the default, as in Phlare): we run no query-scheduler ring, so each configured
 *   host:port is used as it is, and the HTTP client resolves the host when it connects;
 * - `dns`: each host is resolved (all addresses) every DNS_LOOKUP_PERIOD_MS, and every
 *   address found is a target of its own.
 * Targets are "host:port" strings (IPv6 hosts in brackets), in configuration then lookup order.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import type { Logger } from "../server/logger.js";

/** How schedulers are found. */
export type DiscoveryMode = "ring" | "dns";

/** The discovery modes, as -query-scheduler.service-discovery-mode accepts them. */
export const DISCOVERY_MODES: readonly DiscoveryMode[] = ["dns", "ring"];

/** How often dns mode resolves the scheduler addresses again, milliseconds. */
export const DNS_LOOKUP_PERIOD_MS = 10_000;

/** Resolves a host name to its addresses. */
export type Lookup = (host: string) => Promise<string[]>;

/** Options of a SchedulerDiscovery. */
export interface SchedulerDiscoveryOptions {
  /** "host:port" each. */
  addresses: readonly string[];
  mode: DiscoveryMode;
  logger: Logger;
  /** Resolver of dns mode (node:dns lookup with all: true by default). */
  lookup?: Lookup;
  periodMs?: number;
}

/** The list of scheduler targets, kept current. */
export class SchedulerDiscovery {
  private current: readonly string[] = [];
  private readonly listeners: ((targets: readonly string[]) => void)[] = [];
  /** dns mode: the targets each configured address resolved to last. */
  private readonly byAddress = new Map<string, string[]>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: SchedulerDiscoveryOptions) {
    for (const a of options.addresses) splitHostPort(a);
    if (options.mode === "ring") this.current = [...options.addresses];
  }

  /** The targets as last resolved. */
  targets(): readonly string[] {
    return this.current;
  }

  /** Calls `listener` with the targets now and whenever they change. */
  subscribe(listener: (targets: readonly string[]) => void): void {
    this.listeners.push(listener);
    listener(this.current);
  }

  /** Resolves once (dns mode) and keeps resolving every period until stop(). */
  async start(): Promise<void> {
    if (this.options.mode !== "dns" || this.stopped) return;
    await this.refresh();
    const tick = (): void => {
      this.timer = setTimeout(() => {
        void this.refresh().finally(() => {
          if (!this.stopped) tick();
        });
      }, this.options.periodMs ?? DNS_LOOKUP_PERIOD_MS);
      this.timer.unref();
    };
    if (!this.stopped) tick();
  }

  /** Stops resolving. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Resolves every address; an address whose lookup fails keeps its previous targets. */
  async refresh(): Promise<void> {
    const lookup = this.options.lookup ?? defaultLookup;
    for (const address of this.options.addresses) {
      const { host, port } = splitHostPort(address);
      try {
        this.byAddress.set(address, (await lookup(host)).map((ip) => joinHostPort(ip, port)));
      } catch (err) {
        this.options.logger.warn("resolving a query-scheduler address failed; keeping its previous targets", {
          address,
          err: err instanceof Error ? err.message : String(err),
        });
      }
    }
    const next = [...new Set(this.options.addresses.flatMap((a) => this.byAddress.get(a) ?? []))];
    const changed = next.length !== this.current.length || next.some((t, i) => t !== this.current[i]);
    if (!changed || this.stopped) return;
    this.current = next;
    for (const l of this.listeners) l(next);
  }
}

/** The addresses of a comma-separated `scheduler_address` value; "" gives none. */
export function parseSchedulerAddresses(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Splits "host:port" or "[v6]:port"; throws when the port is missing or not a number. */
export function splitHostPort(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(address);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port > 0 && port < 65536)) throw new Error(`query-scheduler address ${JSON.stringify(address)} is not host:port`);
  return { host: (m[1] ?? m[2])!, port };
}

/** "host:port", bracketing IPv6 hosts. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The base URL of a target for the HTTP client. */
export function targetUrl(target: string): string {
  return `http://${target}`;
}

async function defaultLookup(host: string): Promise<string[]> {
  return (await dnsLookup(host, { all: true })).map((a) => a.address);
}
