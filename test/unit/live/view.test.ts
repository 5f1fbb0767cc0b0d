/**
 * The live world's view against the simulator's: the same cluster state,
 * written as a snapshot from a simulated run and read back by liveView(),
 * gives the same estimates, so a policy or estimate() cannot tell the worlds
 * apart. Plus hand-worked node counts and errors named by field.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/core/errors.js";
import type { ClusterSnapshot } from "../../../src/io/snapshot.js";
import type { JobSpec } from "../../../src/io/spec.js";
import { forecastFromActual } from "../../../src/models/forecast.js";
import { rngSeeded } from "../../../src/core/rng.js";
import { liveView } from "../../../src/live/view.js";
import { estimate, type Estimate } from "../../../src/planner/estimate.js";
import { policyEasyBackfill } from "../../../src/planner/policies/easy.js";
import { NodeState, type ClusterView, type Policy, type QueuedJobView } from "../../../src/planner/view.js";
import { runTiny } from "../../helpers/runTiny.js";
import { ccSeries, job, tinyPlatform } from "../../helpers/tinyPlatform.js";

const T0 = Date.parse("2020-01-01T00:00:00Z") / 1000;
const iso = (t: number) => new Date((T0 + t) * 1000).toISOString();

const plat = () =>
  tinyPlatform(
    [
      { id: "a", pue: 1.3, kgPerKwh: ccSeries([0, 500, 1500], [0.3, 0.1, 0.5], 1e7) },
      { id: "b", pue: 1.1, kgPerKwh: 0.2 },
    ],
    [
      { nodes: 4, cores: 4, idle: 100, max: 220, fabricationCcPerNodeSecond: 2e-5 },
      // Speed 2: run times stay in half seconds, which ISO 8601 times (to the millisecond) carry exactly.
      { nodes: 3, cores: 8, idle: 150, max: 300, site: 1, speed: 2 },
    ],
  );

/** What a scheduler bridge would write of the simulated state. */
function snapshotOf(view: ClusterView, except: number): ClusterSnapshot {
  return {
    file: "<sim>",
    time: iso(view.now),
    source: "the simulator's view",
    pools: view.pools.map((p) => ({ site: p.site, node_type: p.nodeType, off: p.sleepingNodes, waking: p.wakingNodes })),
    // Where each job runs, as `scontrol show job -d` would give it: node indices within the pool and the cores held on each.
    running: view.running.map((r) => {
      const pool = view.pools[r.pool];
      return {
        id: r.id,
        site: pool.site,
        node_type: pool.nodeType,
        nodes: r.nodeCount,
        start: iso(r.start),
        time_limit_s: r.predictedEnd - r.start,
        cores: r.allocCores,
        exclusive: r.holdsWholeNodes,
        allocation: r.allocation.map((a) => ({ node: a.node - pool.firstNode, cores: a.cores })),
      };
    }),
    queue: view.queue.filter((q) => q.id !== except).map((q) => ({ id: q.id, submit: iso(q.submit), cores: q.cores, time_limit_s: q.walltime, user: q.user })),
  };
}

describe("liveView()", () => {
  it("property: a simulated state read back as a snapshot gives the same estimates as the simulator's view", async () => {
    const load = fc.array(fc.record({ gap: fc.integer({ min: 0, max: 80 }), cores: fc.integer({ min: 1, max: 16 }), wall: fc.integer({ min: 20, max: 900 }), share: fc.double({ min: 0.1, max: 1, noNaN: true }) }), { minLength: 1, maxLength: 14 });
    await fc.assert(
      fc.asyncProperty(load, fc.integer({ min: 1, max: 16 }), async (jobs, cores) => {
        let t = 0;
        const specs: JobSpec[] = jobs.map((j, k) => job(k + 1, (t += j.gap), Math.max(1, Math.round(j.wall * j.share)), j.wall, j.cores));
        const id = specs.length + 1;
        specs.push({ ...job(id, t + 1, 120, 600, cores), runtimes: { cpu: 120 } });
        const p = plat();
        const forecasts = p.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1)));
        let pair: [Estimate[], Estimate[]] | undefined;
        const easy = policyEasyBackfill();
        const policy: Policy = {
          name: "fixture",
          version: "1",
          params: {},
          decide(view, events) {
            const q = view.queue.find((j) => j.id === id);
            if (q && !pair) {
              const options = { starts: [view.now, view.now + 600] };
              const probe: QueuedJobView = { id: q.id, submit: q.submit, cores: q.cores, walltime: q.walltime, timeLeft: q.timeLeft, ranSeconds: q.ranSeconds, user: q.user, project: q.project, runtimes: q.runtimes };
              const live = liveView(snapshotOf(view, id), { platform: p, forecasts, t0Epoch: T0 });
              pair = [estimate(q, view, options), estimate(probe, live, options)];
            }
            return easy.decide(view, events);
          },
        };
        await runTiny(p, policy, specs);
        const [sim, live] = pair!;
        expect(live).toEqual(sim);
      }),
      { numRuns: 60 },
    );
  });

  it("counts free nodes as those not held, off, asleep or waking, and numbers held ones first", () => {
    const p = plat();
    const snap: ClusterSnapshot = {
      file: "s.json",
      time: iso(1000),
      source: "t",
      pools: [{ site: "a", node_type: "t", off: 1 }],
      running: [{ id: 7, site: "a", node_type: "t", nodes: 2, start: iso(900), time_limit_s: 300 }],
      queue: [{ id: 8, submit: iso(950), cores: 4, time_limit_s: 60, gpus: 1 }],
    };
    // The queued job asks for a GPU: pool b has two per node here, so some pool can hold it.
    const withGpus = tinyPlatform(p.sites.map((site) => ({ id: site.id, pue: site.pue, kgPerKwh: site.intensity.series })), [
      { nodes: 4, cores: 4, idle: 100, max: 220 },
      { nodes: 3, cores: 8, idle: 150, max: 300, site: 1, speed: 2, gpus: { count: 2, idle: 20, max: 200 } },
    ]);
    const v = liveView(snap, { platform: withGpus, forecasts: [], t0Epoch: T0 });
    expect(v.now).toBe(1000);
    expect([v.pools[0].freeNodes, v.pools[0].sleepingNodes, v.pools[1].freeNodes]).toEqual([1, 1, 3]);
    expect([0, 1, 2, 3].map((n) => v.nodeState(n))).toEqual([NodeState.Busy, NodeState.Busy, NodeState.Off, NodeState.Idle]);
    // What a snapshot gives of a running job; its size in cores is its nodes' (4 cores each), its submit time unknown (its start).
    expect(v.running).toEqual([
      {
        id: 7, submit: 900, cores: 8, walltime: 300, user: -1, project: "unknown", pool: 0, device: "cpu", nodeCount: 2, nodes: [0, 1],
        allocCores: 8, allocation: [{ node: 0, cores: 4, gpus: 0, fpgas: 0, memMb: 0 }, { node: 1, cores: 4, gpus: 0, fpgas: 0, memMb: 0 }], holdsWholeNodes: true,
        start: 900, firstStart: 900, ranSeconds: 0, setupEnd: 900, awaitingInputs: false, predictedEnd: 1200,
      },
    ]);
    expect([0, 1, 2].map((n) => v.nodeJob(n))).toEqual([7, 7, -1]);
    expect(Object.isFrozen(v) && Object.isFrozen(v.queue) && Object.isFrozen(v.queue[0]) && Object.isFrozen(v.pools[0])).toBe(true);
    expect(v.queue[0]).toMatchObject({ id: 8, submit: 950, walltime: 60, gpus: 1, runtimes: { gpu: 60 } });
    // Site a: 2 nodes at 220 W (full load assumed), 1 free at 100 W, 1 off without an off state: idle draw 100 W.
    expect(v.sites[0].powerW).toBe(640);
  });

  it("reads running jobs that share nodes: their cores in blocks over their nodes, or where their allocation says", () => {
    const p = plat();
    const snap: ClusterSnapshot = {
      file: "s.json",
      time: iso(1000),
      source: "t",
      pools: [{ site: "a", node_type: "t", off: 1 }],
      running: [
        // 6 cores over 2 nodes: 3 on the first free node (0), 3 on the next (1).
        { id: 1, site: "a", node_type: "t", nodes: 2, cores: 6, start: iso(900), time_limit_s: 300 },
        // Named: node 1 beside job 1 (1 core), node 2 (2 cores).
        { id: 2, site: "a", node_type: "t", nodes: 2, cores: 3, start: iso(950), time_limit_s: 600, allocation: [{ node: 1, cores: 1 }, { node: 2, cores: 2 }] },
      ],
      queue: [],
    };
    const v = liveView(snap, { platform: p, forecasts: [], t0Epoch: T0 });
    // Pool a (4 nodes x 4 cores): nodes 0, 1, 2 busy, node 3 is the first holding nothing, so off.
    expect([0, 1, 2, 3].map((n) => v.nodeState(n))).toEqual([NodeState.Busy, NodeState.Busy, NodeState.Busy, NodeState.Off]);
    expect([0, 1, 2, 3].map((n) => v.nodeFreeCores(n))).toEqual([1, 0, 2, 0]);
    expect(v.nodeJobs(1)).toEqual([1, 2]);
    expect([v.pools[0].freeNodes, v.pools[0].freeCores, v.pools[0].sleepingNodes]).toEqual([0, 3, 1]);
    // Full load of the allocated cores on a 100..220 W curve: node 0 at 3/4 (190 W), node 1 at 4/4 (220 W), node 2 at 2/4 (160 W); node 3 off, no off state: 100 W.
    expect(v.sites[0].powerW).toBe(190 + 220 + 160 + 100);
    // A job beside one holding its node whole is refused, by name.
    const bad = { ...snap, running: [{ id: 3, site: "a", node_type: "t", nodes: 1, start: iso(900), time_limit_s: 60, allocation: [{ node: 0, cores: 4 }] }, { id: 4, site: "a", node_type: "t", nodes: 1, cores: 1, start: iso(900), time_limit_s: 60, allocation: [{ node: 0, cores: 1 }] }] };
    expect(() => liveView(bad, { platform: p, forecasts: [], t0Epoch: T0 })).toThrow(/s\.json: running\[1\]: expected at most 4 cores and 0 GPUs on node 0 of a\/t, and none shared with a job holding it whole, got job 4 there beside job\(s\) 3/);
  });

  it("names a pool the platform lacks and a pool over-filled", () => {
    const p = plat();
    const base = { file: "s.json", time: iso(0), source: "t", queue: [] };
    const err = (snap: ClusterSnapshot) => {
      try {
        liveView(snap, { platform: p, forecasts: [], t0Epoch: T0 });
      } catch (e) {
        if (e instanceof InputError) return e.message;
      }
      return "no error";
    };
    expect(err({ ...base, pools: [], running: [{ id: 1, site: "c", node_type: "t", nodes: 1, start: iso(0), time_limit_s: 60 }] })).toMatch(/^s\.json: running\[0\]: expected a site and node type of platform tiny \(a\/t, b\/t\), got c\/t/);
    expect(err({ ...base, pools: [{ site: "b", node_type: "t", off: 2 }], running: [{ id: 1, site: "b", node_type: "t", nodes: 2, start: iso(0), time_limit_s: 60 }] })).toMatch(/^s\.json: b\/t: expected at most 3 nodes held by running jobs, off, asleep or waking, got 4 \(2 held\)/);
  });
});
