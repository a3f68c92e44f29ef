/**
 * What service discovery hands the agent: groups of targets, each target a label set holding at
 * least `__address__`, as in Prometheus. A group is identified by its `source`; a later update with
 * the same source replaces it, and an update with no targets removes it.
 */

/** A label set keyed by label name. A Map, because label names such as `__proto__` are valid. */
export type LabelSet = Map<string, string>;

/** Targets found together, with labels shared by all of them. */
export interface TargetGroup {
  /** Unique per discoverer: e.g. the file and index, the pod's namespace/name. */
  readonly source: string;
  readonly targets: readonly LabelSet[];
  /** Added to every target unless the target already has the label. */
  readonly labels: LabelSet;
}

/** Receives changed groups; each group replaces the one with the same source. */
export type GroupSink = (groups: readonly TargetGroup[]) => void;

/**
 * A running discovery mechanism. `run` sends the full current state first, then changes, until
 * `signal` aborts; it must not throw for transient failures (it logs them and retries) and
 * resolves when aborted.
 */
export interface Discoverer {
  run(signal: AbortSignal, sink: GroupSink): Promise<void>;
}
