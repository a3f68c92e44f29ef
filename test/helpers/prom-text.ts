/**
 * A strict reader of the Prometheus text exposition format (0.0.4): every line
 * is a HELP/TYPE comment or a sample, or the parse fails naming the line.
 */

/** One sample line. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The parsed exposition. */
export interface PromText {
  samples: PromSample[];
  /** Metric family name → type from `# TYPE`. */
  types: Map<string, string>;
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE_RE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
const LABEL_RE = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

function parseValue(s: string, line: string): number {
  // Prometheus reads values with Go's ParseFloat, which takes Inf and NaN in any case.
  if (/^\+?inf(inity)?$/i.test(s)) return Infinity;
  if (/^-inf(inity)?$/i.test(s)) return -Infinity;
  if (/^nan$/i.test(s)) return NaN;
  const v = Number(s);
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s) || Number.isNaN(v)) throw new Error(`bad sample value in ${JSON.stringify(line)}`);
  return v;
}

function parseLabels(s: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL_RE.lastIndex = 0;
  while (LABEL_RE.lastIndex < s.length) {
    const m = LABEL_RE.exec(s);
    if (m === null) throw new Error(`bad labels in ${JSON.stringify(line)}`);
    labels[m[1]!] = m[2]!.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
  }
  return labels;
}

/** Parses exposition text; throws on any line that is not valid. */
export function parsePromText(text: string): PromText {
  const samples: PromSample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("#")) {
      const t = new RegExp(`^# TYPE (${NAME}) (\\w+)$`).exec(line);
      if (t !== null) {
        if (!TYPES.has(t[2]!)) throw new Error(`unknown metric type in ${JSON.stringify(line)}`);
        types.set(t[1]!, t[2]!);
      } else if (!new RegExp(`^# HELP ${NAME}( .*)?$`).test(line)) {
        throw new Error(`bad comment line ${JSON.stringify(line)}`);
      }
      continue;
    }
    const m = SAMPLE_RE.exec(line);
    if (m === null) throw new Error(`bad sample line ${JSON.stringify(line)}`);
    samples.push({ name: m[1]!, labels: m[2] === undefined || m[2] === "" ? {} : parseLabels(m[2], line), value: parseValue(m[3]!, line) });
  }
  return { samples, types };
}
