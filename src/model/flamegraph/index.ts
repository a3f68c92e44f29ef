/**
 * Function-name call trees and the flame-graph encodings built from them.
 */
export { FunctionTree } from "./function-tree.js";
export type { ChildIndex } from "./function-tree.js";
export { buildFlameGraph, OTHER_NAME } from "./flamegraph.js";
export type { FlameGraphData } from "./flamegraph.js";
export { buildFlameGraphDiff } from "./flamegraph-diff.js";
export type { FlameGraphDiffData } from "./flamegraph-diff.js";
export { marshalTree, unmarshalTree } from "./tree-bytes.js";
export { minValue, MinHeap } from "./min-value.js";
export { compareUtf8, byteOrderRanks } from "./name-order.js";
