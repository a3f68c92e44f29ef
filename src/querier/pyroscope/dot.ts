/**
 * The Graphviz DOT call graph of a merged tree, `/pyroscope/render?format=dot` and
 * SelectMergeStacktraces with PROFILE_FORMAT_DOT: the digraph `go tool pprof -dot`
 * draws, with a legend box, a box per function (`name`, flat and cum with their share
 * of the total, font size by flat, colour by cum) and an edge per call labelled with
 * its weight (dotted when it passes through functions left out of the graph).
 */
import type { FunctionTree } from "../../model/flamegraph/index.js";
import type { ProfileType } from "../../model/profile-type.js";
import { buildCallGraph, defaultCallGraphOptions } from "./call-graph.js";
import type { CallGraph } from "./call-graph.js";
import { dotEscape, heatColor, percentage, valueFormatter } from "./dot-format.js";

/** Functions a DOT graph keeps when the request does not say (Pyroscope's default). */
export const DOT_MAX_NODES_DEFAULT = 100;

const BASE_FONT_SIZE = 8;
const MAX_FONT_GROWTH = 16;

/** Renders `tree` as a DOT digraph keeping at most `maxNodes` functions (≤ 0: the default). */
export function renderDot(tree: FunctionTree, profileType: ProfileType, maxNodes: number): string {
  const g = buildCallGraph(tree, { ...defaultCallGraphOptions(), nodeCount: maxNodes > 0 ? maxNodes : DOT_MAX_NODES_DEFAULT });
  return composeDot(g, profileType);
}

/** Writes a built graph as DOT text. */
export function composeDot(g: CallGraph, profileType: ProfileType): string {
  let minValue = 0;
  for (const n of g.nodes) {
    const v = Math.abs(n.flat !== 0 ? n.flat : n.cum);
    if (v > 0 && (minValue === 0 || v < minValue)) minValue = v;
  }
  const fmt = valueFormatter(profileType.sampleUnit, minValue, g.total);
  const lines: string[] = [];
  lines.push(`digraph "${dotEscape(profileType.id)}" {`);
  lines.push(`node [style=filled fillcolor="#f8f8f8"]`);
  const legend = legendLines(g, profileType, fmt);
  const legendText = legend.map((l) => `${dotEscape(l)}\\l`).join("");
  lines.push(
    `subgraph cluster_L { "${dotEscape(legend[0]!)}" [shape=box fontsize=16 label="${legendText}" tooltip="${dotEscape(profileType.id)}"] }`,
  );
  let maxFlat = 0;
  for (const n of g.nodes) maxFlat = Math.max(maxFlat, Math.abs(n.flat));
  g.nodes.forEach((n, i) => {
    const share = g.total === 0 ? 0 : n.cum / Math.abs(g.total);
    const fontSize = BASE_FONT_SIZE + (maxFlat === 0 ? 0 : Math.ceil(MAX_FONT_GROWTH * Math.sqrt(Math.abs(n.flat) / maxFlat)));
    const name = dotEscape(n.name);
    lines.push(
      `N${i + 1} [label="${name}\\n${nodeValues(n.flat, n.cum, g.total, fmt)}" id="node${i + 1}" fontsize=${fontSize} shape=box ` +
        `tooltip="${name} (${fmt(n.cum)})" color="${heatColor(share, false)}" fillcolor="${heatColor(share, true)}"]`,
    );
  });
  for (const e of g.edges) {
    const from = dotEscape(g.nodes[e.from]!.name);
    const to = dotEscape(g.nodes[e.to]!.name);
    const tip = `${from} ${e.residual ? "..." : "->"} ${to} (${fmt(e.weight)})`;
    let attrs = `label=" ${fmt(e.weight)}"`;
    if (g.total !== 0) {
      const weight = 1 + Math.floor((Math.abs(e.weight) * 100) / Math.abs(g.total));
      const width = 1 + Math.floor((Math.abs(e.weight) * 5) / Math.abs(g.total));
      if (weight > 1) attrs += ` weight=${weight}`;
      if (width > 1) attrs += ` penwidth=${width}`;
      attrs += ` color="${heatColor(e.weight / Math.abs(g.total), false)}"`;
    }
    if (e.residual) attrs += ` style="dotted"`;
    attrs += ` tooltip="${tip}" labeltooltip="${tip}"`;
    lines.push(`N${e.from + 1} -> N${e.to + 1} [${attrs}]`);
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}

/** "flat (share)", then "of cum (share)" when cum differs; a zero flat reads "0 of cum (share)". */
function nodeValues(flat: number, cum: number, total: number, fmt: (v: number) => string): string {
  if (flat === 0) return `0 of ${fmt(cum)} (${percentage(cum, total)})`;
  const own = `${fmt(flat)} (${percentage(flat, total)})`;
  return flat === cum ? own : `${own}\\nof ${fmt(cum)} (${percentage(cum, total)})`;
}

/** The legend: type, what the graph shows, and what trimming left out. */
function legendLines(g: CallGraph, t: ProfileType, fmt: (v: number) => string): string[] {
  let flatSum = 0;
  for (const n of g.nodes) flatSum += n.flat;
  const out = [`Type: ${t.sampleType}`, `Showing nodes accounting for ${fmt(flatSum)}, ${percentage(flatSum, g.total)} of ${fmt(g.total)} total`];
  if (g.total !== 0) {
    const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;
    if (g.droppedNodes > 0) out.push(`Dropped ${plural(g.droppedNodes, "node")} (cum <= ${fmt(g.nodeCutoff)})`);
    if (g.droppedEdges > 0) out.push(`Dropped ${plural(g.droppedEdges, "edge")} (freq <= ${fmt(g.edgeCutoff)})`);
    if (g.nodes.length > 0 && g.nodes.length < g.candidateNodes) out.push(`Showing top ${g.nodes.length} nodes out of ${g.candidateNodes}`);
  }
  return out;
}
