/**
 * The label selector input with autocompletion: label names (LabelNames) where a name is
 * typed, that label's values (LabelValues) after `name=`. Enter runs the query unless a
 * suggestion is being picked.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import type { KeyboardEvent, ReactNode } from "react";
import { useApi } from "../api/context.ts";
import { useAsync } from "../hooks/use-async.ts";
import { rangeKey } from "../hooks/use-range.ts";
import { applyCompletion, completionContext, filterSuggestions } from "../lib/selector.ts";
import type { TimeRangeMs } from "../lib/time-range.ts";

/** Props of LabelSelectorInput. */
export interface LabelSelectorInputProps {
  testId: string;
  profileTypeID: string;
  range: TimeRangeMs | null;
  value: string;
  onSubmit(selector: string): void;
}

const MAX_SUGGESTIONS = 50;

/** The input. */
export function LabelSelectorInput(p: LabelSelectorInputProps): ReactNode {
  const api = useApi();
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState(p.value);
  const [cursor, setCursor] = useState(p.value.length);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const pendingCursor = useRef<number | null>(null);

  useEffect(() => setText(p.value), [p.value]);
  useEffect(() => {
    if (pendingCursor.current !== null && input.current) {
      input.current.setSelectionRange(pendingCursor.current, pendingCursor.current);
      pendingCursor.current = null;
    }
  }, [text]);

  const ctx = open ? completionContext(text, cursor) : null;
  const scope = p.profileTypeID && p.range ? `${p.profileTypeID}|${rangeKey(p.range)}` : null;
  const names = useAsync(open && scope ? `names|${scope}` : null, (signal) => api.labelNames(p.profileTypeID, p.range!, signal));
  const valueName = ctx?.kind === "value" ? ctx.name : null;
  const values = useAsync(open && scope && valueName ? `values|${scope}|${valueName}` : null, (signal) =>
    api.labelValues(p.profileTypeID, valueName!, p.range!, signal),
  );

  const items = useMemo(() => {
    if (!ctx) return [];
    const source = ctx.kind === "name" ? names.data : values.data;
    return filterSuggestions(source ?? [], ctx.prefix, ctx.kind).slice(0, MAX_SUGGESTIONS);
  }, [ctx?.kind, ctx?.prefix, names.data, values.data]);
  const loading = ctx !== null && (ctx.kind === "name" ? names.loading : values.loading);

  function pick(item: string): void {
    if (!ctx) return;
    const next = applyCompletion(text, ctx, item);
    pendingCursor.current = next.cursor;
    setText(next.text);
    setCursor(next.cursor);
    setActive(0);
    input.current?.focus();
  }

  function submit(): void {
    setOpen(false);
    p.onSubmit(text.trim() === "" ? "{}" : text.trim());
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>): void {
    const showing = open && items.length > 0;
    if (e.key === "ArrowDown" && showing) {
      e.preventDefault();
      setActive((active + 1) % items.length);
    } else if (e.key === "ArrowUp" && showing) {
      e.preventDefault();
      setActive((active - 1 + items.length) % items.length);
    } else if ((e.key === "Enter" || e.key === "Tab") && showing) {
      e.preventDefault();
      pick(items[Math.min(active, items.length - 1)]!);
    } else if (e.key === "Enter") {
      e.preventDefault();
      submit();
    } else if (e.key === "Escape") {
      setOpen(false);
    }
  }

  return (
    <div className="selector-input">
      <input
        ref={input}
        className="input input-mono"
        data-testid={p.testId}
        aria-label="Label selector"
        aria-autocomplete="list"
        spellCheck={false}
        autoComplete="off"
        placeholder='{service_name="my-app"}'
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setCursor(e.target.selectionStart ?? e.target.value.length);
          setOpen(true);
          setActive(0);
        }}
        onSelect={(e) => setCursor(e.currentTarget.selectionStart ?? 0)}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      {open && (items.length > 0 || loading) && (
        <ul className="menu suggestions" role="listbox" data-testid={`${p.testId}-suggestions`}>
          {loading && items.length === 0 && <li className="suggestion muted">Loading…</li>}
          {items.map((item, i) => (
            <li
              key={item}
              role="option"
              aria-selected={i === active}
              className={`suggestion${i === active ? " active" : ""}`}
              data-testid="suggestion"
              // mousedown, not click: the input's blur would close the list first.
              onMouseDown={(e) => {
                e.preventDefault();
                pick(item);
              }}
            >
              {item}
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="btn btn-primary" data-testid={`${p.testId}-run`} onClick={submit}>
        Execute
      </button>
    </div>
  );
}
