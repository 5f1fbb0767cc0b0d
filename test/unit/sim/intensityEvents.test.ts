import { describe, expect, it } from "vitest";
import { policyFcfs } from "../../../src/planner/policies/fcfs.js";
import type { Policy, WorldEvent } from "../../../src/planner/view.js";
import { simulate } from "../../../src/sim/simulation.js";
import { forecastFromActual } from "../../../src/models/forecast.js";
import { rngSeeded } from "../../../src/core/rng.js";
import { Accountant } from "../../../src/accounting/accountant.js";
import { ccSeries, job, tinyPlatform } from "../../helpers/tinyPlatform.js";

/**
 * intensityEvents: false leaves out the intensityChanged events (and the
 * passes they cause) for a policy that reads none, as the estimate's idle
 * probe does; the schedule is the same. A series changing every 900 s, one
 * job submitted at 2,000 s running 1,000 s on an idle node.
 */
async function run(intensityEvents: boolean | undefined) {
  const platform = tinyPlatform([{ id: "s", pue: 1.2, kgPerKwh: ccSeries([0, 900, 1800, 2700], [0.1, 0.2, 0.3, 0.4], 3600) }], [{ nodes: 1, cores: 1, idle: 50, max: 100 }]);
  const heard: { at: number; kind: WorldEvent["kind"] }[] = [];
  const fcfs = policyFcfs() as Policy<unknown>;
  const policy: Policy<unknown> = {
    ...fcfs,
    decide(view, happened, state) {
      for (const e of happened) heard.push({ at: view.now, kind: e.kind });
      return fcfs.decide(view, happened, state);
    },
  };
  const facts: { id: number; start: number; end: number; facilityJ: number; impacts: number[] }[] = [];
  const accountant = new Accountant(platform, (c) => void facts.push({ id: c.fact.job.id, start: c.fact.start, end: c.fact.end, facilityJ: c.facilityJ, impacts: [...c.impacts] }));
  const result = await simulate({
    platform,
    policy,
    jobs: [[job(1, 2000, 1000, 1000, 1)]],
    forecasts: platform.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1))),
    observer: accountant,
    ...(intensityEvents === undefined ? {} : { intensityEvents }),
  });
  return { heard, facts, result };
}

describe("simulate() intensityEvents", () => {
  it("by default the policy hears every change of the series up to the end of the run", async () => {
    const { heard, result } = await run(undefined);
    expect(heard.filter((e) => e.kind === "intensityChanged").map((e) => e.at)).toEqual([900, 1800, 2700]);
    expect(result.end).toBe(3000);
  });

  it("false: no intensityChanged event nor pass for it, and the same job start, end and charges to the bit", async () => {
    const on = await run(true);
    const off = await run(false);
    expect(off.heard.map((e) => e.kind)).not.toContain("intensityChanged");
    expect(off.result.passes).toBeLessThan(on.result.passes);
    expect(off.facts).toEqual(on.facts);
    expect(off.facts.map((f) => [f.start, f.end])).toEqual([[2000, 3000]]);
    expect(off.result.end).toBe(on.result.end);
  });
});
