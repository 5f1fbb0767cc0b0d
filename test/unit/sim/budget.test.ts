/**
 * A power budget that changes over time. Two nodes of 1 core: idle 100 W,
 * 200 W busy, so one running job puts the site at 300 W. Budget: 250 W on
 * [0, 100) s, then 400 W. J1 (submitted at 0, 50 s) fits only from t = 100:
 * under power capping it waits for the budgetChanged event and runs 100..150;
 * EASY alone runs it at once and spends 50 s over the budget.
 */
import { describe, expect, it } from "vitest";
import { TimeSeries } from "../../../src/core/timeseries.js";
import { policyEasyBackfill, policyPowerCap } from "../../../src/planner/index.js";
import type { Policy, WorldEvent } from "../../../src/planner/view.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { runTiny } from "../../helpers/runTiny.js";

function platform() {
  const p = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.1 }], [{ nodes: 2, cores: 1, idle: 100, max: 200 }]);
  return { ...p, sites: [{ ...p.sites[0], powerBudget: new TimeSeries([0, 100], [250, 400], 1, 200, "hold") }] };
}

describe("time-varying power budget", () => {
  it("simulate() tells the policy when the budget changes and powercap starts the job then", async () => {
    const seen: WorldEvent[] = [];
    const inner = policyPowerCap(policyEasyBackfill());
    const spy: Policy = { ...inner, decide: (view, happened) => (seen.push(...happened), inner.decide(view, happened)) };
    const r = await runTiny(platform(), spy, [job(1, 0, 50, 100, 1)]);
    expect(r.facts.get(1)!.start).toBe(100);
    expect(r.result.secondsOverBudget).toEqual({ s: 0 });
    expect(seen.some((e) => e.kind === "budgetChanged" && e.site === "s")).toBe(true);
  });

  it("simulate() counts the seconds EASY alone spends over the budget", async () => {
    const r = await runTiny(platform(), policyEasyBackfill(), [job(1, 0, 50, 100, 1)]);
    expect(r.facts.get(1)!.start).toBe(0);
    expect(r.result.secondsOverBudget).toEqual({ s: 50 });
  });
});
