/**
 * Where the app's state lives: the page is the last path segment, everything else is in
 * the query string (Pyroscope's names: `query`, `from`, `until`, `leftQuery`, `leftFrom`,
 * …, `groupBy`), so a link reproduces the view and a reload restores it.
 */
import { DEFAULT_FROM, DEFAULT_UNTIL } from "./time-range.ts";

/** The app's pages. */
export type Page = "single" | "explore" | "comparison" | "diff";

/** Each page's path relative to the UI base (`/ui/`). */
export const PAGE_PATHS: Readonly<Record<Page, string>> = {
  single: "",
  explore: "explore",
  comparison: "comparison",
  diff: "comparison-diff",
};

/** The page a pathname shows: its last segment; "" and "ui" are the single view. */
export function pageFromPath(pathname: string): Page {
  const last = pathname.replace(/\/+$/, "").split("/").pop() ?? "";
  for (const [page, path] of Object.entries(PAGE_PATHS) as Array<[Page, string]>) {
    if (path !== "" && path === last) return page;
  }
  return "single";
}

/** The absolute URL of `page` with `params`, resolved against the document's base (`<base href>`). */
export function pageHref(baseURI: string, page: Page, params: URLSearchParams): string {
  const qs = params.toString();
  return new URL(`./${PAGE_PATHS[page]}${qs ? `?${qs}` : ""}`, baseURI).href;
}

/** A query split into its profile type and its label selector. */
export interface Query {
  profileTypeID: string;
  /** `{…}`, never empty. */
  selector: string;
}

/** Splits `<profileTypeID>{<matchers>}`; a missing selector is `{}`. */
export function parseQuery(q: string): Query {
  const i = q.indexOf("{");
  if (i < 0) return { profileTypeID: q.trim(), selector: "{}" };
  const selector = q.slice(i).trim();
  return { profileTypeID: q.slice(0, i).trim(), selector: selector === "" ? "{}" : selector };
}

/** Joins a profile type and a selector into a render query. */
export function formatQuery(q: Query): string {
  const sel = q.selector.trim();
  return `${q.profileTypeID}${sel === "" ? "{}" : sel}`;
}

/** One side of the comparison and diff pages. */
export type Side = "left" | "right";

/** A query and the time range its flame graph covers. */
export interface Selection {
  query: string;
  from: string;
  until: string;
}

/** The whole range a page shows (the charts' window). */
export function readRange(params: URLSearchParams): { from: string; until: string } {
  return { from: params.get("from") || DEFAULT_FROM, until: params.get("until") || DEFAULT_UNTIL };
}

/** A side's selection; each member falls back to the page-wide value. */
export function readSide(params: URLSearchParams, side: Side): Selection {
  const range = readRange(params);
  return {
    query: params.get(`${side}Query`) || params.get("query") || "",
    from: params.get(`${side}From`) || range.from,
    until: params.get(`${side}Until`) || range.until,
  };
}

/** The URL parameters that set a side's selection. */
export function sideParams(side: Side, s: Partial<Selection>): Record<string, string> {
  const out: Record<string, string> = {};
  if (s.query !== undefined) out[`${side}Query`] = s.query;
  if (s.from !== undefined) out[`${side}From`] = s.from;
  if (s.until !== undefined) out[`${side}Until`] = s.until;
  return out;
}

/**
 * The parameters a page link carries: everything, plus the other pages' spellings of the
 * query, so going from the single view to a comparison starts with the same selection on
 * both sides, and back again keeps the left one.
 */
export function carryParams(to: Page, params: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams(params);
  const query = params.get("query");
  const left = params.get("leftQuery");
  if (to === "comparison" || to === "diff") {
    if (query && !left) out.set("leftQuery", query);
    if (query && !params.get("rightQuery")) out.set("rightQuery", query);
  } else if (!query && left) {
    out.set("query", left);
  }
  return out;
}

/** `params` with `patch` applied: an empty string or null removes a parameter. */
export function patchParams(params: URLSearchParams, patch: Record<string, string | null>): URLSearchParams {
  const out = new URLSearchParams(params);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === "") out.delete(k);
    else out.set(k, v);
  }
  return out;
}
