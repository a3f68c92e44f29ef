/** A small "Export" menu: each item builds a file and saves it; failures are shown in the menu. */
import { useRef, useState } from "react";
import type { ReactNode } from "react";
import { saveBlob } from "./download.ts";
import { useCloseOnOutsideClick } from "../hooks/use-close-outside.ts";

/** One export format. */
export interface ExportItem {
  /** Used in data-testid: export-<id>. */
  id: string;
  label: string;
  filename: string;
  build(): Promise<Blob>;
}

/** The menu for `items`. */
export function ExportMenu({ items, testId = "export" }: { items: ExportItem[]; testId?: string }): ReactNode {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);

  useCloseOnOutsideClick(root, open, () => setOpen(false));

  async function run(item: ExportItem): Promise<void> {
    setBusy(item.id);
    setError(null);
    try {
      saveBlob(await item.build(), item.filename);
      setOpen(false);
    } catch (err) {
      setError(`${item.label}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="export-menu" ref={root}>
      <button type="button" className="btn" data-testid={`${testId}-button`} aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)}>
        Export
      </button>
      {open && (
        <div className="menu" role="menu" data-testid={`${testId}-menu`}>
          {items.map((item) => (
            <button key={item.id} type="button" role="menuitem" className="menu-item" data-testid={`${testId}-${item.id}`} disabled={busy !== null} onClick={() => void run(item)}>
              {item.label}
              {busy === item.id ? " …" : ""}
            </button>
          ))}
          {error && (
            <div className="status status-error" data-testid={`${testId}-error`} role="alert">
              {error}
            </div>
          )}
        </div>
      )}
    </div>
  );
}
