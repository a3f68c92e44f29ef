/** Asks for the tenant ID a multitenant server requires (sent as X-Scope-OrgID). */
import { useState } from "react";
import type { ReactNode } from "react";

/** Props of TenantDialog. */
export interface TenantDialogProps {
  current: string | null;
  onSubmit(tenant: string): void;
  /** Absent while a tenant is required and none is set. */
  onCancel?: () => void;
}

// The characters the server accepts in X-Scope-OrgID.
const TENANT_RE = /^[0-9A-Za-z!\-_.*'()]{1,150}$/;

/** The dialog. */
export function TenantDialog({ current, onSubmit, onCancel }: TenantDialogProps): ReactNode {
  const [value, setValue] = useState(current ?? "");
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="dialog-backdrop">
      <form
        className="dialog"
        role="dialog"
        aria-labelledby="tenant-title"
        data-testid="tenant-dialog"
        onSubmit={(e) => {
          e.preventDefault();
          const t = value.trim();
          if (!TENANT_RE.test(t) || t === "." || t === "..") {
            setError("A tenant ID is 1 to 150 letters, digits or ! - _ . * ' ( )");
            return;
          }
          onSubmit(t);
        }}
      >
        <h2 id="tenant-title">Tenant</h2>
        <p>This server keeps each tenant's profiles apart. Enter the tenant ID to query (sent as the X-Scope-OrgID header).</p>
        <input className="input" data-testid="tenant-input" aria-label="Tenant ID" autoFocus value={value} onChange={(e) => setValue(e.target.value)} />
        {error && (
          <div className="status status-error" data-testid="tenant-error">
            {error}
          </div>
        )}
        <div className="dialog-buttons">
          {onCancel && (
            <button type="button" className="btn" data-testid="tenant-cancel" onClick={onCancel}>
              Cancel
            </button>
          )}
          <button type="submit" className="btn btn-primary" data-testid="tenant-submit">
            Use tenant
          </button>
        </div>
      </form>
    </div>
  );
}
