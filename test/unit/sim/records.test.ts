/**
 * Records the simulator reuses from job to job (sim/jobs.ts JobTable.record
 * and recycle, sim/eventLog.ts): a reused job record shows nothing of the job
 * that held it before, and what a policy or an observer was handed stays as it
 * was handed however many records and arrays are reused after it.
 */
import { describe, expect, it } from "vitest";
import { policyFcfs, type ClusterView, type Decision, type Policy, type WorldEvent } from "../../../src/planner/index.js";
import { EventLog } from "../../../src/sim/eventLog.js";
import { JobTable, SimJob } from "../../../src/sim/jobs.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { runTiny } from "../../helpers/runTiny.js";

/** The record's fields as plain data (its tenants array by content). */
function fields(j: SimJob): Record<string, unknown> {
  return Object.fromEntries(Object.entries(j).map(([k, v]) => [k, k === "tenants" ? [] : v]));
}

describe("job records", () => {
  it("a recycled record comes back as a fresh one for the next job, its tenants array kept", () => {
    const table = new JobTable();
    const a = table.record(job(1, 0, 10, 20, 2), 0);
    const tenants = a.tenants;
    // Everything a run sets on a record, changed.
    Object.assign(a, { leastCores: 3, leastSeconds: 7, pool: 1, nodes: [4], allocation: [{ node: 4, cores: 2, gpus: 0, fpgas: 0, memMb: 0 }], tenantCount: 1, wholeNodes: true, device: "gpu", start: 5, setupEnd: 6, predictedEnd: 9, utilisation: 0.5, killed: true, pendingInputs: 2, pstate: 1, firstStart: 5, workDone: 0.3, wallUsed: 4, runSeconds: 4, lastSuspendedAt: 8, deferredUntil: 3, inputsAt: 6, bitstreamId: 2, runtime: 11, setup: 1, restart: 2, slot: 4, queuedView: {}, runningView: {} });
    table.recycle(a);
    const spec = job(2, 5, 30, 40, 1);
    const b = table.record(spec, 1);
    expect(b).toBe(a);
    expect(b.tenants).toBe(tenants);
    expect(fields(b)).toEqual(fields(new SimJob(spec, 1)));
    expect(b.id).toBe(2);
    expect(b.timeLeft).toBe(40);
  });

  it("jobs run one after another on reused records: each fact is its own job's (killed, start, end, cores)", async () => {
    // One node of 4 cores under FCFS, every job asking all 4: each waits for the one before it; every other job outruns its walltime.
    const platform = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.1 }], [{ nodes: 1, cores: 4, idle: 10, max: 20 }]);
    const specs = Array.from({ length: 8 }, (_, i) => job(i + 1, 0, 100 + i, i % 2 === 0 ? 50 : 200, 4));
    const r = await runTiny(platform, policyFcfs(), specs);
    let t = 0;
    for (const s of specs) {
      const f = r.facts.get(s.id)!;
      const runs = Math.min(s.runtime, s.walltime);
      expect([f.start, f.end, f.killed, f.allocCores, f.firstStart, f.runSeconds]).toEqual([t, t + runs, s.walltime < s.runtime, s.cores, t, runs]);
      t += runs;
    }
  });
});

describe("events handed to the policy", () => {
  it("EventLog.take gives each pass's events in order, in an array of their own", () => {
    const log = new EventLog();
    log.push({ kind: "wokeUp" });
    log.push({ kind: "jobSubmitted", jobId: 3 });
    const first = log.take();
    log.push({ kind: "jobEnded", jobId: 3 });
    const second = log.take();
    expect(first).toEqual([{ kind: "wokeUp" }, { kind: "jobSubmitted", jobId: 3 }]);
    expect(second).toEqual([{ kind: "jobEnded", jobId: 3 }]);
    expect(log.take()).toEqual([]);
  });

  it("arrays of events a policy keeps hold what they held when it got them", async () => {
    const platform = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.1 }], [{ nodes: 2, cores: 2, idle: 10, max: 20 }]);
    const fcfs = policyFcfs();
    const kept: { events: readonly WorldEvent[]; copy: string }[] = [];
    const keeping: Policy = {
      ...fcfs,
      decide(view: ClusterView, happened: readonly WorldEvent[]): readonly Decision[] {
        kept.push({ events: happened, copy: JSON.stringify(happened) });
        return fcfs.decide(view, happened, undefined);
      },
    };
    const specs = Array.from({ length: 40 }, (_, i) => job(i + 1, i * 7, 30 + (i % 5) * 11, 100, 1 + (i % 3)));
    const r = await runTiny(platform, keeping, specs);
    expect(r.facts.size).toBe(40);
    expect(kept.length).toBe(r.result.passes);
    for (const k of kept) expect(JSON.stringify(k.events)).toBe(k.copy);
    // Every job was heard of once as submitted and once as ended.
    const all = kept.flatMap((k) => k.events);
    expect(all.filter((e) => e.kind === "jobSubmitted").length).toBe(40);
    expect(all.filter((e) => e.kind === "jobEnded" || e.kind === "jobKilled").length).toBe(40);
  });
});

describe("jobs by id", () => {
  const platform = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.1 }], [{ nodes: 1, cores: 4, idle: 10, max: 20 }]);

  it("a job arriving with the id of a job still running is an error naming the id", async () => {
    await expect(runTiny(platform, policyFcfs(), [job(7, 0, 100, 100, 1), job(7, 10, 100, 100, 1)])).rejects.toThrow(/job 7 arrived while another job with the same id is queued or running/);
  });

  it("an id is free again once its job has ended", async () => {
    const r = await runTiny(platform, policyFcfs(), [job(7, 0, 100, 100, 1), job(7, 200, 50, 100, 1)]);
    expect(r.result.jobsFinished).toBe(2);
    expect(r.facts.get(7)!.start).toBe(200);
  });
});
