/**
 * The one module table: each module's name (its -target string), whether
 * -modules shows it, its dependencies and its init. Inits run in table order,
 * which lists every module after the modules it depends on or calls.
 */
import { initAgent } from "./agent/module.js";
import { initCompactor } from "./compactor/module.js";
import { initDistributor } from "./distributor/module.js";
import { initIngester } from "./ingester/module.js";
import { initQuerier } from "./querier/module.js";
import { initQueryFrontend } from "./query-frontend/module.js";
import type { ModuleContext } from "./module-context.js";
import { initOverrides, initRuntimeConfig, initServer } from "./server/module.js";
import { initStorage } from "./objstore/module.js";
import { initStoreGateway } from "./store-gateway/module.js";
import { initRing } from "./ring/module.js";
import { initQueryScheduler } from "./query-scheduler/module.js";

/** One row of the module table. */
export interface ModuleDef {
  name: string;
  visible: boolean;
  deps: readonly string[];
  /** Absent for `all`, which is only its dependencies. */
  init?: (ctx: ModuleContext) => Promise<void>;
}

/** Every module, in init order. */
export const MODULES: readonly ModuleDef[] = [
  { name: "server", visible: false, deps: [], init: initServer },
  { name: "runtime-config", visible: false, deps: ["server"], init: initRuntimeConfig },
  { name: "overrides", visible: false, deps: ["runtime-config"], init: initOverrides },
  { name: "storage", visible: false, deps: ["server"], init: initStorage },
  { name: "ring", visible: false, deps: ["server"], init: initRing },
  { name: "ingester", visible: true, deps: ["server", "overrides", "storage", "ring"], init: initIngester },
  { name: "distributor", visible: true, deps: ["server", "overrides", "ring"], init: initDistributor },
  { name: "store-gateway", visible: true, deps: ["server", "overrides", "storage", "ring"], init: initStoreGateway },
  { name: "querier", visible: true, deps: ["server", "overrides", "ring"], init: initQuerier },
  { name: "query-scheduler", visible: true, deps: ["server", "overrides"], init: initQueryScheduler },
  { name: "query-frontend", visible: true, deps: ["server", "overrides"], init: initQueryFrontend },
  { name: "compactor", visible: true, deps: ["server", "overrides", "storage", "ring"], init: initCompactor },
  { name: "agent", visible: true, deps: ["server"], init: initAgent },
  { name: "all", visible: true, deps: ["agent", "distributor", "ingester", "store-gateway", "querier", "query-scheduler", "query-frontend", "compactor"] },
];

/** The modules that run for `targets`: the targets and their transitive dependencies, in init order. */
export function resolveModules(targets: readonly string[]): ModuleDef[] {
  const byName = new Map(MODULES.map((m) => [m.name, m]));
  const want = new Set<string>();
  const visit = (name: string): void => {
    if (want.has(name)) return;
    const m = byName.get(name);
    if (!m) throw new Error(`unrecognised module name: ${name}`);
    want.add(name);
    for (const d of m.deps) visit(d);
  };
  for (const t of targets) visit(t.trim());
  return MODULES.filter((m) => want.has(m.name));
}

/** The -modules listing: visible modules sorted, ` *` for members of `all`, then the footer. */
export function modulesText(): string {
  const inAll = new Set(resolveModules(["all"]).map((m) => m.name));
  inAll.delete("all");
  const lines = MODULES.filter((m) => m.visible)
    .map((m) => m.name)
    .sort()
    .map((name) => (inAll.has(name) ? `${name} *` : name));
  return `${lines.join("\n")}\n\nModules marked with * are included in target All.\n`;
}
