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
});
