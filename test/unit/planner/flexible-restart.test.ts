/**
 * The checkpoint/restart cost a QoS class's checkpoint_s puts on every resumed
 * run (issue 17). One node (idle 100 W, busy 200 W, 1 core). J1 is preemptible
 * with checkpoint_s 10: 100 s of work, walltime 100 s, submitted at 0. A fixture
 * policy suspends J1 at the times given and starts an intruder on its node.
 *
 * One suspension at 40 (J2, 30 s, runs 40..70): J1 resumes at 70, restarts for
 * 10 s (70..80), then does its 60 s left (80..140). The restart is not counted
 * against its walltime, so it is not killed. Energy: J1 200 W x (40 + 70) s =
 * 22000 J (14000 J in its resumed run), J2 200 x 30 = 6000 J, the node is never
 * idle: 200 x 140 = 28000 J.
 *
 * Suspended again while restarting (at 75, J3 of 10 s runs 75..85): that run
 * did no work (5 s of its 10 s restart), so J1 resumes at 85 with 60 s left,
 * restarts again 85..95 and ends at 155; its runs: 40 + 5 + 70 = 115 s.
 */
import { describe, expect, it } from "vitest";
import type { QosSpec } from "../../../src/io/spec.js";
import { policyEasyBackfill } from "../../../src/planner/index.js";
import type { Decision, Policy } from "../../../src/planner/view.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { runTiny } from "../../helpers/runTiny.js";

const qos: QosSpec = { name: "flex", max_delay_s: 3600, impact_preference: 1, preemptible: true, checkpoint_s: 10 };

/** EASY, plus at each given time: suspend `victim`, start `intruder`. */
function suspensions(at: readonly { time: number; victim: number; intruder: number }[]): Policy {
  const easy = policyEasyBackfill();
  const done = new Set<number>();
  return {
    name: "suspend-fixture",
    version: "1",
    params: {},
    decide(view, happened) {
      const now = at.find((a) => a.time === view.now && !done.has(a.time));
      if (now) {
        done.add(now.time);
        return [{ kind: "suspend", jobId: now.victim, why: { reason: "test" } }, { kind: "start", jobId: now.intruder, pool: 0 }];
      }
      const out: Decision[] = [...easy.decide(view, happened)];
      const next = at.find((a) => a.time > view.now);
      if (next) out.push({ kind: "wakeAt", time: next.time });
      return out;
    },
  };
}

describe("checkpoint restart cost (QoS checkpoint_s)", () => {
  const platform = () => tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.3 }], [{ nodes: 1, cores: 1, idle: 100, max: 200 }]);

  it("a resumed run first restarts for checkpoint_s at the job's draw, beyond its walltime", async () => {
    const r = await runTiny(platform(), suspensions([{ time: 40, victim: 1, intruder: 2 }]), [{ ...job(1, 0, 100, 100, 1), qos }, job(2, 40, 30, 30, 1)]);
    expect(r.result.suspensions).toBe(1);
    expect(r.result.jobsKilled).toBe(0);
    const j1 = r.facts.get(1)!;
    expect([j1.start, j1.end, j1.runSeconds, j1.killed, j1.final, j1.restartSeconds]).toEqual([70, 140, 110, false, true, 10]);
    // The resumed run (restart and work) is charged 200 W x 70 s; jobs' energy over all runs equals the meter's.
    expect(r.charges.get(1)!.itJ).toBeCloseTo(14000, 9);
    expect(r.charges.get(2)!.itJ).toBeCloseTo(6000, 9);
    expect(r.accountant.ledger.siteJobs[0].energy.values()[0]).toBeCloseTo(28000, 9);
    expect(r.accountant.meter(0).itJ).toBeCloseTo(28000, 9);
  });

  it("a run suspended while restarting did no work and pays the restart again", async () => {
    const r = await runTiny(
      platform(),
      suspensions([
        { time: 40, victim: 1, intruder: 2 },
        { time: 75, victim: 1, intruder: 3 },
      ]),
      [{ ...job(1, 0, 100, 100, 1), qos }, job(2, 40, 30, 30, 1), job(3, 75, 10, 10, 1)],
    );
    expect(r.result.suspensions).toBe(2);
    expect(r.result.jobsKilled).toBe(0);
    const j1 = r.facts.get(1)!;
    expect([j1.start, j1.end, j1.runSeconds, j1.killed, j1.restartSeconds]).toEqual([85, 155, 115, false, 10]);
    expect(r.charges.get(1)!.itJ).toBeCloseTo(14000, 9);
    // J1 115 s, J2 30 s, J3 10 s at 200 W: the node's 155 s, never idle.
    expect(r.accountant.ledger.siteJobs[0].energy.values()[0]).toBeCloseTo(200 * 155, 9);
  });

  it("a first run and a class without checkpoint_s pay no restart", async () => {
    const free: QosSpec = { ...qos, checkpoint_s: undefined };
    const r = await runTiny(platform(), suspensions([{ time: 40, victim: 1, intruder: 2 }]), [{ ...job(1, 0, 100, 100, 1), qos: free }, job(2, 40, 30, 30, 1)]);
    expect([r.facts.get(1)!.end, r.facts.get(1)!.restartSeconds]).toEqual([130, 0]);
  });
});
