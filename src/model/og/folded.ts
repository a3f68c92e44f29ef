/**
 * The two text formats of /ingest: "folded" (Pyroscope's "groups", the default; one
 * `frame;frame;frame <count>` per line, as flamegraph.pl's stackcollapse tools write) and
 * "lines" (one stack per line, each line one sample). Identical stacks are summed, so
 * the stack limit counts distinct stacks, as Pyroscope's tree does. Grammar in
 * docs/format/og-ingest.md.
 */
import { F64Vec, U32Vec } from "../pprof/growable.js";
import type { StackSink } from "./stack-sink.js";
import { decodeTextBody } from "./utf8.js";

const CR = 13;
const SPACE = 32;
const TAB = 9;
const ZERO = 48;
const NINE = 57;

/** Stacks summed in first-seen order, with the line each was first seen on. */
class StackTotals {
  readonly index = new Map<string, number>();
  readonly keys: string[] = [];
  readonly totals = new F64Vec(1024);
  readonly firstLine = new U32Vec(1024);

  constructor(
    private readonly sink: StackSink,
    private readonly maxStacks: number,
  ) {}

  add(stack: string, count: number, line: number): void {
    const i = this.index.get(stack);
    if (i !== undefined) {
      const sum = this.totals.a[i]! + count;
      if (sum > Number.MAX_SAFE_INTEGER) this.failAt(line, `the counts of one stack add up to more than 2^53-1`);
      this.totals.a[i] = sum;
      return;
    }
    if (this.keys.length >= this.maxStacks) this.failAt(line, `more than ${this.maxStacks} distinct stacks`);
    this.index.set(stack, this.keys.length);
    this.keys.push(stack);
    this.totals.push(count);
    this.firstLine.push(line);
  }

  flush(): void {
    for (let i = 0; i < this.keys.length; i++) {
      this.sink.pos = this.firstLine.a[i]!;
      this.sink.addKey(this.keys[i]!, this.totals.a[i]!);
    }
  }

  failAt(line: number, what: string): never {
    this.sink.pos = line;
    return this.sink.fail(what);
  }
}

function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== TAB) return false;
  }
  return true;
}

/**
 * Parses folded text into `sink` (whose `pos` counts lines). The count is the text after
 * the line's last space: decimal digits only, so negative, fractional and empty counts
 * are errors, and so is a non-blank line without a space.
 */
export function parseFolded(body: Uint8Array, sink: StackSink, maxStacks: number): void {
  const text = decodeTextBody(body, "folded");
  const totals = new StackTotals(sink, maxStacks > 0 ? maxStacks : Infinity);
  forEachLine(text, (lineStart, end, line) => {
    const sp = text.lastIndexOf(" ", end - 1);
    if (sp < lineStart) totals.failAt(line, "no count (a line is `stack count`)");
    if (sp === end - 1) totals.failAt(line, "empty count after the last space");
    let count = 0;
    for (let i = sp + 1; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c < ZERO || c > NINE) {
        const word = text.slice(sp + 1, Math.min(end, sp + 33));
        totals.failAt(line, `count ${JSON.stringify(word)} is not a non-negative integer`);
      }
      count = count * 10 + (c - ZERO);
    }
    if (count > Number.MAX_SAFE_INTEGER) totals.failAt(line, `count ${text.slice(sp + 1, end)} exceeds 2^53-1`);
    totals.add(text.slice(lineStart, sp), count, line);
  });
  totals.flush();
}

/** Parses "lines" text into `sink`: every non-blank line is one sample of its stack. */
export function parseLines(body: Uint8Array, sink: StackSink, maxStacks: number): void {
  const text = decodeTextBody(body, "lines");
  const totals = new StackTotals(sink, maxStacks > 0 ? maxStacks : Infinity);
  forEachLine(text, (lineStart, end, line) => totals.add(text.slice(lineStart, end), 1, line));
  totals.flush();
}

/** Calls `fn` with the bounds (CR stripped) and 1-based number of every non-blank line of `text`. */
function forEachLine(text: string, fn: (lineStart: number, end: number, line: number) => void): void {
  const len = text.length;
  let pos = 0;
  let line = 0;
  while (pos < len) {
    line++;
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = len;
    let end = nl;
    if (end > pos && text.charCodeAt(end - 1) === CR) end--;
    const lineStart = pos;
    pos = nl + 1;
    if (end === lineStart || isBlank(text, lineStart, end)) continue;
    fn(lineStart, end, line);
  }
}
