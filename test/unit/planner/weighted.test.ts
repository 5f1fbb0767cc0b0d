/**
 * Weighted multi-objective placement, worked by hand.
 *
 * Platform for the simulated cases: site "dirty" (0.4 kg CO2e/kWh) with pool 0
 * of 2 nodes, then site "green" (0.05 kg/kWh) with pool 1 of 3 nodes; nodes of
 * 1 core, 50 W idle, 100 W at full load, PUE 1. A 1-core job of r seconds
 * draws 100 W: r x 100 J, and r x 100 x 0.4 / 3.6e6 kg CC on dirty, 8 times
 * less on green. runTiny gives the view no score method, so the impact
 * criterion is climate change in kg.
 *
 * J0 (t = 0, 3 cores, run 500 s, walltime 1000 s) fits only the green pool.
 * J1 (t = 10, 1 core, 100 s): dirty is free now; green is busy until J0's
 * predicted end at 1000 s (its shadow time).
 * - time only: completion 100 s on dirty, 990 + 100 = 1090 s on green: dirty, at 10.
 * - impact only: green scores 1, dirty 8 (whenever it starts): J1 waits for
 *   green; J0 ends at 500 and J1 starts there.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { N_COORDS, N_EF, categoryIndex } from "../../../src/core/categories.js";
import type { ScoreMethod } from "../../../src/core/score.js";
import type { JobSpec } from "../../../src/io/spec.js";
import type { WorkflowSpec } from "../../../src/io/wfformat.js";
import type { IntensityForecast } from "../../../src/models/forecast.js";
import { policyEasyBackfill } from "../../../src/planner/policies/easy.js";
import { policyWeighted } from "../../../src/planner/policies/weighted.js";
import type { ClusterView, Decision, LinkView, PoolView, QueuedJobView, WorkflowView } from "../../../src/planner/view.js";
import { runTiny } from "../../helpers/runTiny.js";
import { ccSeries, job, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { clusterView, poolView } from "../../helpers/views.js";

const CC = categoryIndex("CC");
const twoSites = () =>
  tinyPlatform(
    [{ id: "dirty", pue: 1, kgPerKwh: 0.4 }, { id: "green", pue: 1, kgPerKwh: 0.05 }],
    [{ nodes: 2, cores: 1, idle: 50, max: 100, site: 0 }, { nodes: 3, cores: 1, idle: 50, max: 100, site: 1 }],
  );
const jobs = [job(0, 0, 500, 1000, 3), job(1, 10, 100, 100, 1)];
const placed = (r: Awaited<ReturnType<typeof runTiny>>, id: number) => ({ pool: r.facts.get(id)!.pool, start: r.facts.get(id)!.start });

describe("policyWeighted()", () => {
  it("policyWeighted() weighs time, energy and impact equally by default, with no categories", () => {
    const p = policyWeighted();
    expect(p.name).toBe("weighted");
    expect(p.version).toBe("1");
    expect(p.params).toEqual({ time: 1, energy: 1, impact: 1, categories: {} });
    expect(policyWeighted({ energy: 0, categories: { WU: 2, CC: 0.5 } }).params).toEqual({ time: 1, energy: 0, impact: 1, categories: { CC: 0.5, WU: 2 } });
  });

  it("policyWeighted() refuses negative weights, unknown categories and all-zero weights", () => {
    expect(() => policyWeighted({ time: -1 })).toThrow("policyWeighted: time: expected a finite weight >= 0, got -1");
    expect(() => policyWeighted({ categories: { CO2: 1 } })).toThrow(/^policyWeighted: categories: expected EF 3\.1 category ids \(CC, ODP, .*\), got "CO2"$/);
    expect(() => policyWeighted({ categories: { WU: Number.NaN } })).toThrow("policyWeighted: categories.WU: expected a finite weight >= 0, got NaN");
    expect(() => policyWeighted({ time: 0, energy: 0, impact: 0 })).toThrow('policyWeighted: expected at least one weight > 0, got time 0, energy 0, impact 0 and categories {}');
  });

  it("policyWeighted({impact}) sends a job to the low-carbon site, waiting for it when it is busy", async () => {
    const r = await runTiny(twoSites(), policyWeighted({ time: 0, energy: 0, impact: 1 }), jobs);
    expect(placed(r, 0)).toEqual({ pool: 1, start: 0 });
    expect(placed(r, 1)).toEqual({ pool: 1, start: 500 });
    expect(r.charges.get(1)!.impacts[2 * N_COORDS + CC]).toBeCloseTo((100 * 100 * 0.05) / 3.6e6, 15);
  });

  it("policyWeighted({time}) sends a job where it can start now", async () => {
    const r = await runTiny(twoSites(), policyWeighted({ time: 1, energy: 0, impact: 0 }), jobs);
    expect(placed(r, 0)).toEqual({ pool: 1, start: 0 });
    expect(placed(r, 1)).toEqual({ pool: 0, start: 10 });
    expect(r.charges.get(1)!.impacts[2 * N_COORDS + CC]).toBeCloseTo((100 * 100 * 0.4) / 3.6e6, 15);
  });

  it("policyWeighted() with free nodes everywhere puts a 1-core job on the green site by default", async () => {
    // Default weights: time 1 + 1, energy 1 + 1, impact 8 on dirty and 1 on green: 10 against 3.
    const r = await runTiny(twoSites(), policyWeighted(), [job(1, 0, 100, 100, 1)]);
    expect(placed(r, 1)).toEqual({ pool: 1, start: 0 });
  });

  it("policyWeighted() breaks ties by pool index, the same way on every run", async () => {
    const same = () =>
      tinyPlatform(
        [{ id: "a", pue: 1.2, kgPerKwh: 0.2 }, { id: "b", pue: 1.2, kgPerKwh: 0.2 }],
        [{ nodes: 2, cores: 1, idle: 50, max: 100, site: 0 }, { nodes: 2, cores: 1, idle: 50, max: 100, site: 1 }],
      );
    const work = [job(1, 0, 100, 100, 1), job(2, 0, 100, 100, 1), job(3, 0, 100, 100, 1)];
    const a = await runTiny(same(), policyWeighted(), work);
    const b = await runTiny(same(), policyWeighted(), work);
    expect([1, 2, 3].map((id) => placed(a, id))).toEqual([{ pool: 0, start: 0 }, { pool: 0, start: 0 }, { pool: 1, start: 0 }]);
    expect([1, 2, 3].map((id) => placed(b, id))).toEqual([1, 2, 3].map((id) => placed(a, id)));
  });

  it("policyWeighted() keeps the head's reservation: a later job that would delay it waits, a short one backfills", async () => {
    // One pool of 4 nodes. J0 takes 2 until 1000. J1 (head, 4 nodes) is reserved from 1000 with no
    // nodes to spare. J2 (t = 20, 2 nodes, 2000 s) would hold nodes past 1000: it waits until J1 ends at
    // 1100. J3 (t = 30, 1 node, 500 s) ends by 1000: it starts at once. Same as EASY.
    const plat = () => tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.2 }], [{ nodes: 4, cores: 1, idle: 50, max: 100 }]);
    const work = [job(0, 0, 1000, 1000, 2), job(1, 10, 100, 100, 4), job(2, 20, 2000, 2000, 2), job(3, 30, 500, 500, 1)];
    const r = await runTiny(plat(), policyWeighted({ time: 1, energy: 0, impact: 0 }), work);
    const e = await runTiny(plat(), policyEasyBackfill(), work);
    expect([0, 1, 2, 3].map((id) => r.facts.get(id)!.start)).toEqual([0, 1000, 1100, 30]);
    expect([0, 1, 2, 3].map((id) => e.facts.get(id)!.start)).toEqual([0, 1000, 1100, 30]);
  });

  it("policyWeighted().decide() explains a start with every candidate and its normalised cost", () => {
    // Pools 0 (dirty, PUE 1.2, 0.4 kg/kWh) and 1 (green, PUE 1.5, 0.05); a 1-core job of 100 s at 100 W.
    // Energy 12000 J and 15000 J: normalised 1 and 1.25. Score method: CC only, factor 1, weight 1, so
    // impact = CC: 12000 x 0.4 / 3.6e6 = 1.3333e-3 and 15000 x 0.05 / 3.6e6 = 2.0833e-4 kg: 6.4 and 1.
    // Completion 100 s on both: 1 and 1. Costs: dirty 1 + 1 + 6.4 = 8.4, green 1 + 1.25 + 1 = 3.25.
    const v = fakeView({ pues: [1.2, 1.5], kg: [0.4, 0.05], queue: [queued(7, 100)], scoreMethod: ccOnly() });
    const out = policyWeighted().decide(v, []);
    expect(out).toHaveLength(1);
    const d = out[0] as Extract<Decision, { kind: "start" }>;
    expect(d).toMatchObject({ kind: "start", jobId: 7, pool: 1 });
    expect(d.why!.reason).toBe("least weighted cost over 2 candidate pools (time 1, energy 1, impact 1)");
    const alt = d.why!.alternatives!;
    expect(alt.map((a) => a.option)).toEqual(["pool 0 (site dirty)", "pool 1 (site green)"]);
    expect(alt[0].expected.cost).toBeCloseTo(8.4, 12);
    expect(alt[1].expected.cost).toBeCloseTo(3.25, 12);
    expect(alt[0].expected.energy_j).toBeCloseTo(12000, 9);
    expect(alt[1].expected.impact_pt).toBeCloseTo((15000 * 0.05) / 3.6e6, 15);
    expect(alt[0].expected.completion_s).toBe(100);
    expect(d.why!.expected).toEqual(alt[1].expected);
  });

  it("policyWeighted().decide() scores chosen categories by their own coordinate", () => {
    // Water use intensity 1e-6 m3/J on the green site, 0 on the dirty one; with WU only, the dirty
    // site (WU 0) wins: 1 against 1 + value / largest = 2.
    const v = fakeView({ pues: [1, 1], kg: [0.4, 0.05], wu: [0, 1e-6], queue: [queued(7, 100)] });
    const d = policyWeighted({ time: 0, energy: 0, impact: 0, categories: { WU: 1 } }).decide(v, [])[0] as Extract<Decision, { kind: "start" }>;
    expect(d.pool).toBe(0);
    expect(d.why!.alternatives!.map((a) => a.expected.cost)).toEqual([1, 2]);
    // 100 W x 100 s x 1e-6 m3/J = 0.01 m3 on green, 0 on dirty.
    expect(d.why!.alternatives![0].expected.WU).toBe(0);
    expect(d.why!.alternatives![1].expected.WU).toBeCloseTo(100 * 100 * 1e-6, 15);
  });

  it("policyWeighted().decide() counts moving a workflow task's inputs as time, energy and impact", () => {
    // Task input: 1e9 bytes at site 0. Link 0 -> 1: 1e8 B/s, 1 s latency, 1e-7 + 1e-7 + 1e-7 J/B.
    // On pool 1: transfer 1 + 10 = 11 s, completion 111 s; energy 100 x 100 (run) + 50 x 11 (held)
    // + 1e9 x 3e-7 (transfer) = 10000 + 550 + 300 = 10850 J. With time only it stays on site 0.
    const wf = workflowOf(1e9);
    const link: LinkView = { from: 0, to: 1, bandwidth: 1e8, latency: 1, joulesPerByte: { source: 1e-7, destination: 1e-7, network: 1e-7 } };
    const task: QueuedJobView = { id: 50, submit: 0, cores: 1, walltime: Infinity, timeLeft: Infinity, ranSeconds: 0, user: -1, project: "p", runtimes: { cpu: 100 }, workflow: 0, task: 0 };
    const v = fakeView({ pues: [1, 1], kg: [0.4, 0.05], queue: [task], workflows: [wf], links: [link] });
    const byTime = policyWeighted({ time: 1, energy: 0, impact: 0 }).decide(v, [])[0] as Extract<Decision, { kind: "start" }>;
    expect(byTime.pool).toBe(0);
    const green = byTime.why!.alternatives![1].expected;
    expect(green.transfer_s).toBe(11);
    expect(green.completion_s).toBe(111);
    expect(green.energy_j).toBeCloseTo(10850, 9);
    // Impact only: on site 1, run 10000 J x 0.05 + hold 550 J x 0.05 + 1e9 x 2e-7 J sent at 0.4 and
    // 1e9 x 1e-7 J received at 0.05, all / 3.6e6: (500 + 27.5 + 80 + 5) / 3.6e6 < 10000 x 0.4 / 3.6e6.
    const byImpact = policyWeighted({ time: 0, energy: 0, impact: 1 }).decide(v, [])[0] as Extract<Decision, { kind: "start" }>;
    expect(byImpact.pool).toBe(1);
    expect(byImpact.why!.expected!.impact_cc_kg).toBeCloseTo((500 + 27.5 + 80 + 5) / 3.6e6, 15);
  });

  it("policyWeighted() starts every job with no refused decision on random workloads", async () => {
    const workload = fc.array(
      fc.record({ gap: fc.integer({ min: 0, max: 300 }), runtime: fc.integer({ min: 1, max: 2000 }), over: fc.integer({ min: -100, max: 1000 }), cores: fc.integer({ min: 1, max: 5 }) }),
      { minLength: 1, maxLength: 40 },
    );
    const weights = fc.record({ time: fc.integer({ min: 0, max: 3 }), energy: fc.integer({ min: 0, max: 3 }), impact: fc.integer({ min: 1, max: 3 }) });
    await fc.assert(
      fc.asyncProperty(workload, weights, async (rows, w) => {
        let t = 0;
        const specs: JobSpec[] = rows.map((x, i) => job(i + 1, (t += x.gap), x.runtime, Math.max(1, x.runtime + x.over), x.cores));
        const plat = tinyPlatform(
          [{ id: "a", pue: 1.3, kgPerKwh: ccSeries([0, 3600, 7200], [0.3, 0.1, 0.5], 1e7) }, { id: "b", pue: 1.1, kgPerKwh: 0.2 }],
          [{ nodes: 3, cores: 2, idle: 50, max: 100, site: 0 }, { nodes: 5, cores: 1, idle: 40, max: 90, site: 1 }],
        );
        const r = await runTiny(plat, policyWeighted(w), specs);
        expect(r.result.refusals).toEqual({});
        expect(r.result.jobsNeverStarted).toBe(0);
        expect(r.facts.size).toBe(specs.length);
      }),
      { numRuns: 100, seed: 9 },
    );
  });
});

function ccOnly(): ScoreMethod {
  const weights = new Float64Array(N_EF);
  weights[CC] = 1;
  return { name: "cc-only", normalisation: new Float64Array(N_EF).fill(1), weights, source: "test" };
}

function queued(id: number, walltime: number): QueuedJobView {
  return { id, submit: 0, cores: 1, walltime, timeLeft: walltime, ranSeconds: 0, user: 1, project: "p" };
}

/** A constant forecast: kg CO2e/kWh for CC and, optionally, a water-use intensity per joule. */
function constantForecast(kg: number, wu = 0): IntensityForecast {
  const WU = categoryIndex("WU");
  return { mean: (_a, _b, c = 0) => (c === CC ? kg / 3.6e6 : c === WU ? wu : 0), at: (_t, c = 0) => (c === CC ? kg / 3.6e6 : c === WU ? wu : 0) };
}

/**
 * Two sites ("dirty", "green") with one idle pool each of 2 nodes of 1 core (100 W busy, 50 W idle).
 * On one-core nodes a job's share of a node is the node: a busy core is charged 100 W
 * (dynamic 100 - 50, static 50 x 1/1), a held idle core 50 W (views.ts poolView shareWatts).
 */
function fakeView(o: { pues: number[]; kg: number[]; wu?: number[]; queue: QueuedJobView[]; scoreMethod?: ScoreMethod; workflows?: WorkflowView[]; links?: LinkView[] }): ClusterView {
  const ids = ["dirty", "green"];
  const pools: PoolView[] = ids.map((site, i) =>
    poolView({ index: i, site, siteIndex: i, coresPerNode: 1, firstNode: 2 * i, nodes: 2, freeNodes: 2, idleWatts: 50, busyWatts: () => 100, embodiedPerNodeSecond: new Float64Array(4 * N_COORDS) }),
  );
  const forecasts = ids.map((_, i) => constantForecast(o.kg[i], o.wu?.[i]));
  return clusterView({
    now: 0, workflows: o.workflows ?? [], links: o.links ?? [], pools, queue: o.queue, running: [], scoreMethod: o.scoreMethod,
    sites: ids.map((id, i) => ({ index: i, id, pue: o.pues[i], powerW: 100, powerBudgetW: Infinity })),
    forecast: (site) => forecasts[ids.indexOf(site)],
  });
}

/** One workflow of one ready task reading one file of `bytes` that sits at site 0. */
function workflowOf(bytes: number): WorkflowView {
  const spec: WorkflowSpec = {
    name: "w", file: "w.json", schemaVersion: "1.5", machines: [], initialFiles: [0],
    files: [{ id: "in", bytes }],
    tasks: [{ index: 0, id: "t0", name: "t0", parents: [], children: [], inputs: [0], outputs: [], runtime: 100, cores: 1 }],
  };
  return {
    index: 0, spec, project: "p", submit: 0, site: 0, firstJobId: 50, taskRuntimes: [{ cpu: 100 }],
    taskState: Uint8Array.of(1), taskSite: Int32Array.of(-1), fileSites: Uint32Array.of(1),
  };
}
