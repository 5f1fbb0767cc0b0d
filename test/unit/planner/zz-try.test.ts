import { it, expect } from "vitest";
import { policyConsolidate } from "../../../src/planner/policies/consolidate.js";
import { policyPowerCap } from "../../../src/planner/policies/powercap.js";
import { policyEasyBackfill } from "../../../src/planner/index.js";
import { rngSeeded } from "../../../src/core/rng.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { runTiny } from "../../helpers/runTiny.js";
const OFF = { watts: 10, switchOffSeconds: 5, switchOffWatts: 100, switchOnSeconds: 20, switchOnWatts: 150 };
it("perf", async () => {
  const R = rngSeeded(3); const rng = () => (R as any).next ? (R as any).next() : (R as any).random();
  const plat = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.3 }], [{ nodes: 512, cores: 4, idle: 100, max: 200, off: OFF }]);
  let t = 0; const jobs = [];
  for (let i = 0; i < 5000; i++) { t += Math.floor(rng() * 400); const rt = 1 + Math.floor(rng() * 3000); jobs.push(job(i + 1, t, rt, rt + Math.floor(rng()*2000), 1 + Math.floor(rng() ** 3 * 512))); }
  for (const [n, p] of [["easy", policyEasyBackfill()], ["cons", policyConsolidate({ off_w: 10, switch_off_s: 5, switch_off_w: 100, switch_on_s: 20, switch_on_w: 150 })], ["cap(cons)", policyPowerCap(policyConsolidate({ off_w: 10, switch_off_s: 5, switch_off_w: 100, switch_on_s: 20, switch_on_w: 150 }))]] as const) {
    const t0 = process.hrtime.bigint();
    const r = await runTiny(plat, p as any, jobs);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    let w = 0; for (const f of r.facts.values()) w += f.start - f.job.submit;
    console.log(n, ms.toFixed(0), "ms", r.result.jobsFinished, r.result.refusals, "itJ", r.accountant.meter(0).itJ.toExponential(4), "end", r.result.end, "meanwait", (w / r.facts.size).toFixed(1));
  }
});
