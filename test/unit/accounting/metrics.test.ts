/**
 * MetricsCollector: scheduling metrics from job facts fed by hand, against
 * Feitelson's definitions worked out in the comments.
 */
import { describe, expect, it } from "vitest";
import { BOUNDED_SLOWDOWN_TAU_S, MetricsCollector } from "../../../src/accounting/metrics.js";
import type { JobSpec } from "../../../src/io/spec.js";
import type { JobFact } from "../../../src/sim/observer.js";
import { job, jobFact, tinyPlatform } from "../../helpers/tinyPlatform.js";


describe("MetricsCollector", () => {
  it("a collector with no jobs reports zeros, not NaN, and tau is 10 s", () => {
    expect(BOUNDED_SLOWDOWN_TAU_S).toBe(10);
    const r = new MetricsCollector(8, 2).result();
    expect(r).toEqual({
      jobs: 0,
      jobs_killed: 0,
      first_submit_s: 0,
      last_end_s: 0,
      makespan_s: 0,
      mean_wait_s: 0,
      wait_percentiles_s: { p50: 0, p90: 0, p99: 0, max: 0 },
      mean_bounded_slowdown: 0,
      utilisation: 0,
      utilisation_nodes: 0,
    });
  });

  it("MetricsCollector.forPlatform() counts the cores and nodes of every pool", () => {
    // 2 x 4 + 3 x 16 = 56 cores on 5 nodes; one job of 56 cores on 5 nodes for the whole makespan uses all.
    const plat = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0 }], [
      { nodes: 2, cores: 4, idle: 1, max: 2 },
      { nodes: 3, cores: 16, idle: 1, max: 2 },
    ]);
    const m = MetricsCollector.forPlatform(plat);
    m.jobEnded(jobFact(job(1, 0, 100, 100, 56), 5, 100, 0, 100));
    expect(m.result().utilisation).toBe(1);
    expect(m.result().utilisation_nodes).toBe(1);
  });

  it("result() gives wait, bounded slowdown, makespan and utilisation (hand-worked)", () => {
    // Machine: 8 cores on 2 nodes.
    // Job 1: submit 0, runs [0, 100] on 4 cores, 1 node: wait 0, slowdown max(1, 100/100) = 1.
    // Job 2: submit 10, runs [100, 105] on 8 cores, 2 nodes: wait 90, response 95,
    //   slowdown max(1, 95 / max(5, 10)) = 9.5 (tau lifts the 5 s run to 10 s).
    // Job 3: submit 50, runs [105, 305] on 2 cores, 1 node, killed: wait 55, response 255, slowdown 255/200 = 1.275.
    // Makespan: last end 305 - first submit 0 = 305 s.
    // Core-seconds: 4 x 100 + 8 x 5 + 2 x 200 = 840 of 8 x 305 = 2440 -> 0.344262...
    // Node-seconds: 100 + 10 + 200 = 310 of 2 x 305 = 610.
    const m = new MetricsCollector(8, 2);
    m.jobEnded(jobFact(job(1, 0, 100, 100, 4), 1, 100, 0, 100));
    m.jobEnded(jobFact(job(2, 10, 5, 10, 8), 2, 100, 100, 105));
    m.jobEnded(jobFact(job(3, 50, 400, 200, 2), 1, 100, 105, 305, { killed: true }));
    const r = m.result();
    expect(r.jobs).toBe(3);
    expect(r.jobs_killed).toBe(1);
    expect(r.first_submit_s).toBe(0);
    expect(r.last_end_s).toBe(305);
    expect(r.makespan_s).toBe(305);
    expect(r.mean_wait_s).toBeCloseTo((0 + 90 + 55) / 3, 12);
    expect(r.mean_bounded_slowdown).toBeCloseTo((1 + 9.5 + 1.275) / 3, 12);
    expect(r.utilisation).toBeCloseTo(840 / 2440, 12);
    expect(r.utilisation_nodes).toBeCloseTo(310 / 610, 12);
  });

  it("result() takes nearest-rank wait percentiles, sorting numerically", () => {
    // Waits 1, 2, ..., 10 s fed in a scrambled order (10 before 9 would sort first as text).
    // Nearest rank: p50 = 5th = 5, p90 = 9th = 9, p99 = 10th = 10.
    const m = new MetricsCollector(1, 1);
    [7, 10, 3, 1, 9, 2, 8, 5, 4, 6].forEach((w, i) => {
      const start = 1000 * (i + 1);
      m.jobEnded(jobFact(job(i + 1, start - w, 1, 1, 1), 1, 100, start, start + 1));
    });
    expect(m.result().wait_percentiles_s).toEqual({ p50: 5, p90: 9, p99: 10, max: 10 });
  });

  it("keeps more than its first buffer of waits (1024)", () => {
    const m = new MetricsCollector(1, 1);
    for (let i = 0; i < 3000; i++) m.jobEnded(jobFact(job(i, 10 * i, 1, 1, 1), 1, 100, 10 * i + (i % 7), 10 * i + (i % 7) + 1));
    // Waits cycle 0..6; the 3000th wait sorted is 6, the mean is (sum of i mod 7) / 3000.
    let sum = 0;
    for (let i = 0; i < 3000; i++) sum += i % 7;
    const r = m.result();
    expect(r.jobs).toBe(3000);
    expect(r.wait_percentiles_s.max).toBe(6);
    expect(r.mean_wait_s).toBeCloseTo(sum / 3000, 12);
  });

  it("counts a suspended job once for wait and slowdown, and every run for utilisation", () => {
    // 1 core. Job submitted at 0 runs [0, 50] (suspended), then [100, 150] (final).
    // Wait = first start - submit = 0; response 150 over 100 run seconds: slowdown 1.5.
    // Core-seconds 100 of 1 x 150.
    const m = new MetricsCollector(1, 1);
    const spec = job(1, 0, 100, 200, 1);
    m.jobEnded(jobFact(spec, 1, 100, 0, 50, { final: false, runSeconds: 50 }));
    m.jobEnded(jobFact(spec, 1, 100, 100, 150, { firstStart: 0, runSeconds: 100 }));
    const r = m.result();
    expect(r.jobs).toBe(1);
    expect(r.mean_wait_s).toBe(0);
    expect(r.mean_bounded_slowdown).toBe(1.5);
    expect(r.utilisation).toBeCloseTo(100 / 150, 12);
  });
});
