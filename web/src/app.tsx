/**
 * The app shell: navigation, tenant handling and the page of the current URL. On start it
 * asks the server, without a tenant, whether it is multitenant; if so every call carries
 * the tenant kept in localStorage, and the user is asked for one when there is none.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import type { ReactNode } from "react";
import { ApiContext } from "./api/context.ts";
import { createApiClient } from "./api/client.ts";
import { ErrorMessage, Loading } from "./components/status.tsx";
import { TenantDialog } from "./components/tenant-dialog.tsx";
import { navigate, useUrlState } from "./hooks/use-location.ts";
import type { Page } from "./lib/url-state.ts";
import { ComparisonView } from "./pages/comparison-view.tsx";
import { DiffView } from "./pages/diff-view.tsx";
import { SingleView } from "./pages/single-view.tsx";
import { TagExplorer } from "./pages/tag-explorer.tsx";

const TENANT_KEY = "phlare.tenant";

const PAGES: Array<{ page: Page; label: string }> = [
  { page: "single", label: "Single view" },
  { page: "explore", label: "Tag explorer" },
  { page: "comparison", label: "Comparison" },
  { page: "diff", label: "Diff" },
];

function storedTenant(): string | null {
  try {
    return window.localStorage.getItem(TENANT_KEY);
  } catch {
    return null;
  }
}

function PageView({ page }: { page: Page }): ReactNode {
  switch (page) {
    case "explore":
      return <TagExplorer />;
    case "comparison":
      return <ComparisonView />;
    case "diff":
      return <DiffView />;
    default:
      return <SingleView />;
  }
}

/** The whole UI. */
export function App(): ReactNode {
  const { page, hrefOf } = useUrlState();
  const [tenant, setTenant] = useState<string | null>(storedTenant);
  const [multitenant, setMultitenant] = useState<boolean | null>(null);
  const [asking, setAsking] = useState(false);
  const [startError, setStartError] = useState<Error | null>(null);
  const tenantRef = useRef(tenant);
  tenantRef.current = tenant;
  const multiRef = useRef(multitenant);
  multiRef.current = multitenant;

  const api = useMemo(
    () =>
      createApiClient({
        baseUrl: new URL("../", document.baseURI),
        tenant: () => (multiRef.current ? tenantRef.current : null),
        onNoOrgId: () => {
          setMultitenant(true);
          setAsking(true);
        },
      }),
    [],
  );

  useEffect(() => {
    const ctl = new AbortController();
    api.detectMultitenancy(ctl.signal).then(
      (m) => {
        setMultitenant(m);
        if (m && !tenantRef.current) setAsking(true);
      },
      (err: unknown) => {
        if (ctl.signal.aborted) return;
        setStartError(err instanceof Error ? err : new Error(String(err)));
        setMultitenant(false);
      },
    );
    return () => ctl.abort();
  }, [api]);

  function chooseTenant(t: string): void {
    try {
      window.localStorage.setItem(TENANT_KEY, t);
    } catch {
      // storage may be disabled: the tenant then lasts for this page only
    }
    tenantRef.current = t;
    setTenant(t);
    setAsking(false);
  }

  const ready = multitenant !== null && !(multitenant && !tenant);
  return (
    <ApiContext.Provider value={api}>
      <div className="app">
        <header className="topbar">
          <span className="brand">Phlare</span>
          <nav className="nav">
            {PAGES.map((p) => (
              <a
                key={p.page}
                href={hrefOf(p.page)}
                data-testid={`nav-${p.page}`}
                className={p.page === page ? "nav-link active" : "nav-link"}
                aria-current={p.page === page ? "page" : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(e.currentTarget.href);
                }}
              >
                {p.label}
              </a>
            ))}
          </nav>
          {multitenant && (
            <button type="button" className="btn tenant-button" data-testid="tenant-button" onClick={() => setAsking(true)}>
              Tenant: <strong data-testid="tenant-current">{tenant ?? "none"}</strong>
            </button>
          )}
        </header>
        <main className="content">
          {startError && <ErrorMessage testId="start-error" title="Cannot reach the server" error={startError} />}
          {multitenant === null && <Loading testId="app-loading" label="Connecting…" />}
          {ready && <PageView key={`${tenant ?? ""}|${page}`} page={page} />}
        </main>
        {asking && <TenantDialog current={tenant} onSubmit={chooseTenant} {...(tenant ? { onCancel: () => setAsking(false) } : {})} />}
      </div>
    </ApiContext.Provider>
  );
}
