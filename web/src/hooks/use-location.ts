/**
 * The URL as React state. Navigation is history.pushState with URLs resolved against
 * document.baseURI (the `<base href>` the server injects), so pages live at /ui/<page>
 * under any path prefix.
 */
import { useCallback, useSyncExternalStore } from "react";
import { carryParams, pageFromPath, pageHref, patchParams } from "../lib/url-state.ts";
import type { Page } from "../lib/url-state.ts";

const NAVIGATE_EVENT = "phlare:navigate";

function subscribe(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

function snapshot(): string {
  return window.location.href;
}

/** Moves to `href` without a page load; `replace` keeps the history entry (defaults, redirects). */
export function navigate(href: string, replace = false): void {
  if (href === window.location.href) return;
  if (replace) window.history.replaceState(null, "", href);
  else window.history.pushState(null, "", href);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** The current page, its parameters, and ways to change them. */
export interface UrlState {
  page: Page;
  params: URLSearchParams;
  /** Changes parameters of the current page; null or "" removes one. */
  update(patch: Record<string, string | null>, opts?: { replace?: boolean }): void;
  /** The link to another page, carrying the current selection. */
  hrefOf(page: Page, patch?: Record<string, string | null>): string;
}

/** Subscribes to the URL. */
export function useUrlState(): UrlState {
  const href = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(href);
  const page = pageFromPath(url.pathname);
  const params = url.searchParams;
  const update = useCallback(
    (patch: Record<string, string | null>, opts?: { replace?: boolean }) => {
      const cur = new URL(window.location.href);
      navigate(pageHref(document.baseURI, pageFromPath(cur.pathname), patchParams(cur.searchParams, patch)), opts?.replace ?? false);
    },
    [],
  );
  const hrefOf = useCallback(
    (to: Page, patch: Record<string, string | null> = {}) => pageHref(document.baseURI, to, patchParams(carryParams(to, params), patch)),
    // params is parsed from href, so href is the whole dependency.
    [href],
  );
  return { page, params, update, hrefOf };
}
