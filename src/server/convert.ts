/**
 * Conversions between generated protobuf messages and domain types, shared by
 * every service.ts. Only RPC code imports this.
 */
import { create, fromBinary } from "@bufbuild/protobuf";
import { ProfileSchema } from "../gen/google/v1/profile_pb.js";
import type { Profile } from "../gen/google/v1/profile_pb.js";
import { FlameGraphDiffSchema, FlameGraphSchema, LevelSchema } from "../gen/querier/v1/querier_pb.js";
import type { FlameGraph, FlameGraphDiff } from "../gen/querier/v1/querier_pb.js";
import { LabelPairSchema, LabelsSchema, ProfileTypeSchema, SeriesSchema, PointSchema } from "../gen/types/v1/types_pb.js";
import type { LabelPair as PbLabelPair, Labels as PbLabels, ProfileType as PbProfileType, Series as PbSeries } from "../gen/types/v1/types_pb.js";
import { InvalidArgumentError } from "../model/errors.js";
import type { FlameGraphData, FlameGraphDiffData } from "../model/flamegraph/index.js";
import type { LabelPair, Labels } from "../model/labels.js";
import { encodePprof } from "../model/pprof/index.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";
import { parseProfileType } from "../model/profile-type.js";
import type { ProfileType } from "../model/profile-type.js";
import type { LabelQuery, SelectQuery } from "../model/query.js";
import { parseSelector } from "../model/selector.js";
import type { SeriesResult } from "../querier/api.js";

/** A protobuf int64 (bigint) of milliseconds as a number, rejecting values beyond 2^53. */
export function msOf(v: bigint, field: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new InvalidArgumentError("invalid_request", `${field} ${v} is out of range`);
  }
  return Number(v);
}

/** A label query from repeated selector strings and an optional range (0 = unbounded). */
export function toLabelQuery(matchers: readonly string[], start: bigint, end: bigint): LabelQuery {
  const q: LabelQuery = { selectors: matchers.filter((m) => m.trim() !== "").map((m) => parseSelector(m)) };
  if (start !== 0n) q.startMs = msOf(start, "start");
  if (end !== 0n) q.endMs = msOf(end, "end");
  if (q.startMs !== undefined && q.endMs !== undefined && q.startMs > q.endMs) {
    throw new InvalidArgumentError("invalid_request", "start must be before end");
  }
  return q;
}

/** A select query from the common request fields. An empty selector selects everything. */
export function toSelectQuery(profileTypeId: string, labelSelector: string, start: bigint, end: bigint): SelectQuery {
  return {
    profileType: parseProfileType(profileTypeId),
    matchers: labelSelector.trim() === "" ? [] : parseSelector(labelSelector),
    startMs: msOf(start, "start"),
    endMs: msOf(end, "end"),
  };
}

/** Domain labels from protobuf label pairs. */
export function fromPbLabels(ls: readonly PbLabelPair[]): LabelPair[] {
  return ls.map((l) => ({ name: l.name, value: l.value }));
}

/** Protobuf label pairs from domain labels. */
export function toPbLabelPairs(ls: Labels): PbLabelPair[] {
  return ls.map((l) => create(LabelPairSchema, { name: l.name, value: l.value }));
}

/** A types.v1.Labels message. */
export function toPbLabels(ls: Labels): PbLabels {
  return create(LabelsSchema, { labels: toPbLabelPairs(ls) });
}

/** A types.v1.ProfileType message. */
export function toPbProfileType(t: ProfileType): PbProfileType {
  return create(ProfileTypeSchema, {
    ID: t.id,
    name: t.name,
    sampleType: t.sampleType,
    sampleUnit: t.sampleUnit,
    periodType: t.periodType,
    periodUnit: t.periodUnit,
  });
}

/** A domain profile type from a message. */
export function fromPbProfileType(t: PbProfileType): ProfileType {
  return { id: t.ID, name: t.name, sampleType: t.sampleType, sampleUnit: t.sampleUnit, periodType: t.periodType, periodUnit: t.periodUnit };
}

/** A querier.v1.FlameGraph message. */
export function toPbFlameGraph(fg: FlameGraphData): FlameGraph {
  return create(FlameGraphSchema, {
    names: fg.names,
    levels: fg.levels.map((l) => create(LevelSchema, { values: l.map((v) => BigInt(Math.round(v))) })),
    total: BigInt(Math.round(fg.total)),
    maxSelf: BigInt(Math.round(fg.maxSelf)),
  });
}

/** A querier.v1.FlameGraphDiff message. */
export function toPbFlameGraphDiff(fg: FlameGraphDiffData): FlameGraphDiff {
  return create(FlameGraphDiffSchema, {
    names: fg.names,
    levels: fg.levels.map((l) => create(LevelSchema, { values: l.map((v) => BigInt(Math.round(v))) })),
    total: BigInt(Math.round(fg.total)),
    maxSelf: BigInt(Math.round(fg.maxSelf)),
    leftTicks: BigInt(Math.round(fg.leftTicks)),
    rightTicks: BigInt(Math.round(fg.rightTicks)),
  });
}

/** A google.v1.Profile message from a flat profile (through its wire encoding). */
export function toPbProfile(p: FlatProfile): Profile {
  return fromBinary(ProfileSchema, encodePprof(p));
}

/** A types.v1.Series message. */
export function toPbSeries(s: SeriesResult): PbSeries {
  return create(SeriesSchema, {
    labels: toPbLabelPairs(s.labels),
    points: s.timestampsMs.map((t, i) => create(PointSchema, { value: s.values[i]!, timestamp: BigInt(t) })),
  });
}
