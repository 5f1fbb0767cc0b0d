/**
 * Suspend and resume. One node (idle 100 W, 200 W busy, 1 core). J1 is
 * preemptible (QoS), 100 s of work, submitted at 0; J2 (30 s, not preemptible)
 * is submitted at 40. The fixture policy runs EASY, and at 40 suspends J1 and
 * starts J2 on its node. J2 runs 40..70; J1 resumes at 70 with 60 s of work left
 * and ends at 130.
 * Energy: J1 200 W x (40 + 60) s = 20000 J over its two runs; J2 200 x 30 = 6000 J;
 * the node is never idle: the meter reads 200 x 130 = 26000 J, overhead 0.
 * J1: wait 0 (first start), run 100 s, response 130 s: bounded slowdown 1.3.
 */
import { describe, expect, it } from "vitest";
import type { QosSpec } from "../../../src/io/spec.js";
import { policyEasyBackfill } from "../../../src/planner/index.js";
import type { Decision, Policy } from "../../../src/planner/view.js";
import { rngSeeded } from "../../../src/core/rng.js";
import { forecastFromActual } from "../../../src/models/forecast.js";
import { simulate } from "../../../src/sim/simulation.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { runTiny } from "../../helpers/runTiny.js";

const preemptible: QosSpec = { name: "flex", max_delay_s: 3600, impact_preference: 1, preemptible: true };

function suspendAt(time: number, victim: number, intruder: number): Policy {
  const easy = policyEasyBackfill();
  let done = false;
  return {
    name: "suspend-fixture",
    version: "1",
    params: {},
    decide(view, happened) {
      if (!done && view.now === time) {
        done = true;
        return [{ kind: "suspend", jobId: victim, why: { reason: "test" } }, { kind: "start", jobId: intruder, pool: 0 }];
      }
      const out: Decision[] = [...easy.decide(view, happened)];
      if (!done && view.now < time) out.push({ kind: "wakeAt", time });
      return out;
    },
  };
}

describe("suspend and resume", () => {
  const platform = () => tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.3 }], [{ nodes: 1, cores: 1, idle: 100, max: 200 }]);

  it("simulate() suspends a preemptible job, runs another, and resumes the first with the rest of its work", async () => {
    const r = await runTiny(platform(), suspendAt(40, 1, 2), [{ ...job(1, 0, 100, 1000, 1), qos: preemptible }, job(2, 40, 30, 30, 1)]);
    expect(r.result.suspensions).toBe(1);
    expect([r.facts.get(2)!.start, r.facts.get(2)!.end]).toEqual([40, 70]);
    const j1 = r.facts.get(1)!;
    expect([j1.firstStart, j1.start, j1.end, j1.runSeconds, j1.final]).toEqual([0, 70, 130, 100, true]);
    const ledger = r.accountant.ledger;
    expect(ledger.siteJobs[0].energy.values()[0]).toBeCloseTo(26000, 9);
    expect(ledger.siteJobs[0].jobs).toBe(2);
    expect(r.accountant.meter(0).itJ).toBeCloseTo(26000, 9);
    expect(ledger.siteOverhead[0].energy.values()[0]).toBeCloseTo(0, 9);
    const m = r.metrics.result();
    expect(m.jobs).toBe(2);
    // J1 1.3, J2: wait 0, run 30: 1
    expect(m.mean_bounded_slowdown).toBeCloseTo((1.3 + 1) / 2, 12);
  });

  it("simulate() refuses to suspend a job whose QoS does not allow it", async () => {
    const r = await runTiny(platform(), suspendAt(40, 1, 2), [job(1, 0, 100, 1000, 1), job(2, 40, 30, 30, 1)]);
    expect(r.result.refusals).toMatchObject({ not_suspendable: 1 });
    expect(r.facts.get(1)!.end).toBe(100);
  });

  // Issue 17: 17 of 1,000 GAIA jobs run with preemption ended "killed" although they had done all their work.
  // A resumed job's work left is a fraction of its run time: 2474 x (1 - 1331 / 2474) = 1143.0000000000002 in
  // floating point, an ulp over its time left 2474 - 1331 = 1143, so its run was cut at the walltime and labelled a kill.
  it("simulate() ends a resumed job whose walltime is its run time as completed, not killed at its walltime", async () => {
    const victim = { ...job(1, 0, 2474, 2474, 1), qos: preemptible };
    const r = await runTiny(platform(), suspendAt(1331, 1, 2), [victim, job(2, 1331, 100, 100, 1)]);
    expect(r.result.suspensions).toBe(1);
    expect(r.result.jobsKilled).toBe(0);
    const j1 = r.facts.get(1)!;
    // J2 runs 1331..1431, then J1 its 1143 s left: 1431..2574, all 2474 s of its work.
    expect([j1.start, j1.end, j1.runSeconds, j1.killed, j1.final]).toEqual([1431, 2574, 2474, false, true]);
  });

  it("simulate() reports a suspended run as not killed, even when its run would have been cut at the walltime", async () => {
    // J1 asks 50 s but needs 100: its run is heading for a kill at 50, and is suspended at 40 first.
    const runs: { killed: boolean; final: boolean }[] = [];
    const plat = platform();
    const result = await simulate({
      platform: plat,
      policy: suspendAt(40, 1, 2),
      jobs: [[{ ...job(1, 0, 100, 50, 1), qos: preemptible }, job(2, 40, 30, 30, 1)]],
      forecasts: plat.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1))),
      observer: { jobEnded: (f) => void (f.job.id === 1 && runs.push({ killed: f.killed, final: f.final })) },
    });
    expect(result.suspensions).toBe(1);
    // The suspended run is not a kill; the resumed one (10 s of walltime left for 60 s of work) is.
    expect(runs).toEqual([{ killed: false, final: false }, { killed: true, final: true }]);
  });
});
