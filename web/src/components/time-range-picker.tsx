/** The time range picker: relative presets and absolute from/until inputs. */
import { useEffect, useRef, useState } from "react";
import type { ReactNode } from "react";
import { describeRange, formatInstant, parseTime, resolveRange, TIME_PRESETS } from "../lib/time-range.ts";
import { useCloseOnOutsideClick } from "../hooks/use-close-outside.ts";

/** Props of TimeRangePicker. */
export interface TimeRangePickerProps {
  testId?: string;
  from: string;
  until: string;
  onChange(from: string, until: string): void;
}

// Absolute URL times (Unix seconds) are shown as dates in the inputs; relative ones as typed.
function editable(v: string): string {
  if (/^\d+$/.test(v)) {
    const ms = parseTime(v, Date.now());
    if (ms !== undefined) return formatInstant(ms);
  }
  return v;
}

function urlValue(v: string): string {
  const s = v.trim();
  if (s.startsWith("now") || /^\d+$/.test(s)) return s;
  const ms = parseTime(s, Date.now());
  return ms === undefined ? s : String(Math.floor(ms / 1000));
}

/** A button naming the range that opens the picker. */
export function TimeRangePicker({ testId = "time-range", from, until, onChange }: TimeRangePickerProps): ReactNode {
  const [open, setOpen] = useState(false);
  const [fromText, setFromText] = useState(editable(from));
  const [untilText, setUntilText] = useState(editable(until));
  const [error, setError] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    setFromText(editable(from));
    setUntilText(editable(until));
  }, [from, until]);

  useCloseOnOutsideClick(root, open, () => setOpen(false));

  function apply(): void {
    const f = urlValue(fromText);
    const u = urlValue(untilText);
    try {
      resolveRange(f, u, Date.now());
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      return;
    }
    setError(null);
    setOpen(false);
    onChange(f, u);
  }

  return (
    <div className="time-picker" ref={root}>
      <button type="button" className="btn" data-testid={testId} aria-expanded={open} onClick={() => setOpen(!open)}>
        {describeRange(from, until, Date.now())}
      </button>
      {open && (
        <div className="menu time-picker-menu" data-testid={`${testId}-menu`}>
          <div className="time-presets">
            {TIME_PRESETS.map((p) => (
              <button
                key={p.from}
                type="button"
                className={`menu-item${p.from === from && p.until === until ? " active" : ""}`}
                data-testid={`${testId}-preset-${p.from}`}
                onClick={() => {
                  setOpen(false);
                  onChange(p.from, p.until);
                }}
              >
                {p.label}
              </button>
            ))}
          </div>
          <form
            className="time-absolute"
            onSubmit={(e) => {
              e.preventDefault();
              apply();
            }}
          >
            <label className="field">
              <span className="field-label">From</span>
              <input className="input" data-testid={`${testId}-from`} value={fromText} onChange={(e) => setFromText(e.target.value)} />
            </label>
            <label className="field">
              <span className="field-label">Until</span>
              <input className="input" data-testid={`${testId}-until`} value={untilText} onChange={(e) => setUntilText(e.target.value)} />
            </label>
            <p className="hint">now-1h, 2024-05-01 12:00:00, or Unix seconds</p>
            {error && (
              <div className="status status-error" data-testid={`${testId}-error`}>
                {error}
              </div>
            )}
            <button type="submit" className="btn btn-primary" data-testid={`${testId}-apply`}>
              Apply time range
            </button>
          </form>
        </div>
      )}
    </div>
  );
}
