/** The states every query view shows: loading, failed, and nothing to show. */
import type { ReactNode } from "react";

/** A spinner with a label; `testId` names it for tests. */
export function Loading({ testId, label = "Loading…" }: { testId: string; label?: string }): ReactNode {
  return (
    <div className="status status-loading" data-testid={testId} role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** The server's message for a failed query. */
export function ErrorMessage({ testId, error, title = "Query failed" }: { testId: string; error: Error | string; title?: string }): ReactNode {
  return (
    <div className="status status-error" data-testid={testId} role="alert">
      <strong>{title}:</strong> <span className="status-message">{typeof error === "string" ? error : error.message}</span>
    </div>
  );
}

/** An empty answer, said plainly. */
export function Empty({ testId, children = "No data in this range" }: { testId: string; children?: ReactNode }): ReactNode {
  return (
    <div className="status status-empty" data-testid={testId}>
      {children}
    </div>
  );
}
