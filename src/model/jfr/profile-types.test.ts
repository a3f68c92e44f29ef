import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EventWeight, JFR_EVENT_MAPPINGS, JFR_PROFILE_TYPES, JfrProfileKind } from "./profile-types.js";

describe("JFR profile types", () => {
  it("has one profile type per kind", () => {
    assert.equal(JFR_PROFILE_TYPES.length, Object.keys(JfrProfileKind).length);
  });

  it("gives an event a second value exactly when its profile has a second sample type", () => {
    for (const m of JFR_EVENT_MAPPINGS) {
      const type = JFR_PROFILE_TYPES[m.kind]!;
      assert.equal(type.sampleTypes.length, m.weight === EventWeight.None ? 1 : 2, m.event);
      assert.equal(m.weightField !== undefined, m.weight !== EventWeight.None, m.event);
    }
  });

  it("maps lock events to block and sampled events to period-scaled time", () => {
    const byEvent = new Map(JFR_EVENT_MAPPINGS.map((m) => [m.event, JFR_PROFILE_TYPES[m.kind]!]));
    assert.equal(byEvent.get("jdk.JavaMonitorEnter")!.metricName, "block");
    assert.equal(byEvent.get("jdk.ThreadPark")!.metricName, "block");
    assert.deepEqual(
      [...byEvent].filter(([, t]) => t.timesPeriod).map(([e, t]) => [e, t.metricName]),
      [
        ["jdk.ExecutionSample", "process_cpu"],
        ["profiler.WallClockSample", "wall"],
      ],
    );
  });
});
