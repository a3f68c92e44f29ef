/**
 * A uPlot time-series chart of one or more series on a shared x grid. Dragging across it
 * selects a range (reported in ms); `selection` keeps a range highlighted, as the
 * comparison pages show each side's chosen window inside the whole range.
 */
import { useEffect, useRef } from "react";
import type { ReactNode } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { TimeRangeMs } from "../lib/time-range.ts";
import { SERIES_COLORS, theme } from "../theme.ts";

/** What the chart draws. */
export interface TimelineChartProps {
  testId: string;
  /** Unix seconds. */
  xs: number[];
  ys: number[][];
  names: string[];
  range: TimeRangeMs;
  selection?: TimeRangeMs | null;
  onSelect(range: TimeRangeMs): void;
  formatValue(v: number): string;
  height?: number;
}

function colorOf(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length]!;
}

function highlight(u: uPlot, sel: TimeRangeMs | null | undefined): void {
  if (!sel) {
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    return;
  }
  const left = Math.max(0, u.valToPos(sel.startMs / 1000, "x"));
  const right = Math.min(u.over.clientWidth, u.valToPos(sel.endMs / 1000, "x"));
  u.setSelect({ left, top: 0, width: Math.max(0, right - left), height: u.over.clientHeight }, false);
}

/** The chart; re-created when its data changes (a few hundred points, so cheap). */
export function TimelineChart(props: TimelineChartProps): ReactNode {
  const { testId, xs, ys, names, range, selection, height = 160 } = props;
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // Callbacks change identity on every render; the chart reads the latest through refs.
  const onSelect = useRef(props.onSelect);
  onSelect.current = props.onSelect;
  const format = useRef(props.formatValue);
  format.current = props.formatValue;
  const sel = useRef(selection);
  sel.current = selection;

  useEffect(() => {
    const target = el.current;
    if (!target) return undefined;
    const axis = { stroke: theme.colors.text.secondary, grid: { stroke: theme.colors.border.weak, width: 1 }, ticks: { stroke: theme.colors.border.weak } };
    const opts: uPlot.Options = {
      width: Math.max(200, target.clientWidth),
      height,
      scales: { x: { time: true, range: () => [range.startMs / 1000, range.endMs / 1000] } },
      series: [
        {},
        ...names.map((name, i) => ({
          label: name,
          stroke: colorOf(i),
          fill: `${colorOf(i)}33`,
          width: 1.5,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v === null ? "" : format.current(v)),
        })),
      ],
      axes: [
        { ...axis },
        { ...axis, size: 70, values: (_u: uPlot, splits: number[]) => splits.map((v) => format.current(v)) },
      ],
      cursor: { drag: { x: true, y: false, setScale: false } },
      legend: { show: names.length > 1 },
      hooks: {
        setSelect: [
          (u: uPlot) => {
            if (u.select.width < 3) return;
            const startS = u.posToVal(u.select.left, "x");
            const endS = u.posToVal(u.select.left + u.select.width, "x");
            highlight(u, sel.current);
            onSelect.current({ startMs: startS * 1000, endMs: endS * 1000 });
          },
        ],
        ready: [(u: uPlot) => highlight(u, sel.current)],
      },
    };
    const u = new uPlot(opts, [xs, ...ys], target);
    plot.current = u;
    const ro = new ResizeObserver(() => {
      const w = Math.max(200, target.clientWidth);
      if (w !== u.width) {
        u.setSize({ width: w, height });
        highlight(u, sel.current);
      }
    });
    ro.observe(target);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [xs, ys, names, range.startMs, range.endMs, height]);

  useEffect(() => {
    if (plot.current) highlight(plot.current, selection);
  }, [selection?.startMs, selection?.endMs]);

  return <div className="timeline-chart" data-testid={testId} ref={el} />;
}
