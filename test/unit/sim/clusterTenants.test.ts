/**
 * The cluster's tenant path (sim/cluster.ts addTenants, removeTenants): the
 * nodes of one start join (and leave) in one call, settled once for the site
 * and the pool, node by node for the shares, the counts moved once.
 * (a) Worked by hand on three 2-core nodes (curve(u) = 100 + 200u W): two jobs
 *     sharing a node, what the site, the pool, the nodes and the shares report
 *     and count; a start after an end reuses the records the end gave back.
 * (b) On random histories of starts and ends (shared and whole-node, on two
 *     pools at two sites), one call per start gives the very calls to the
 *     observer (each number to the bit) and the very state that one call per
 *     node gives, and the counts agree with the tenants held.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { NodeState } from "../../../src/planner/index.js";
import type { JobSpec } from "../../../src/io/spec.js";
import { Cluster, type Tenant } from "../../../src/sim/cluster.js";
import type { SimObserver } from "../../../src/sim/index.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";

/** An observer writing down every call it gets, with its numbers. */
function recorder(): { log: unknown[]; observer: SimObserver } {
  const log: unknown[] = [];
  return {
    log,
    observer: {
      siteInterval: (s, from, to, it, overhead, busy) => log.push(["site", s, from, to, it, overhead, busy]),
      poolIdle: (p, from, to, idle) => log.push(["pool", p, from, to, idle.node, idle.gpu, idle.fpga]),
      jobShare: (j, s, p, from, to, watts, held) => log.push(["share", j.id, s, p, from, to, watts, held.node, held.gpu, held.fpga]),
      nodeInterval: (node, state, from, to, joules, busy, alloc) => log.push(["node", node, state, from, to, joules, busy, alloc]),
    },
  };
}

const take = (node: number, cores: number) => ({ node, cores, gpus: 0, fpgas: 0, memMb: 100 * cores });

describe("Cluster tenants", () => {
  it("joins and leaves a start's nodes as worked by hand, and reuses the records an end gives back", () => {
    const platform = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0 }], [{ nodes: 3, cores: 2, idle: 100, max: 300, memoryMb: 1000 }]);
    const clock = { now: 0 };
    const { log, observer } = recorder();
    const cluster = new Cluster(platform, observer, clock);
    const A = job(1, 0, 30, 30, 2);
    const B = job(2, 0, 30, 30, 2);
    const start = (spec: JobSpec, takes: ReturnType<typeof take>[]): Tenant[] => {
      const ts = takes.map((k) => cluster.tenant(spec, k, false, 0));
      for (const t of ts) t.busyCores = t.cores;
      cluster.addTenants(ts, ts.length, undefined);
      return ts;
    };
    const a = start(A, [take(0, 1), take(1, 1)]);
    // Nodes 0 and 1 at u = 1/2: 200 W each, half their static 100 W unpaid; node 2 idle, 100 W unpaid.
    expect([...cluster.state]).toEqual([NodeState.Busy, NodeState.Busy, NodeState.Idle]);
    expect([cluster.free[0], cluster.busy[0], cluster.siteBusy[0], cluster.freeCores[0], cluster.poolAllocCores[0]]).toEqual([1, 2, 2, 4, 2]);
    expect([cluster.siteIt[0], cluster.siteOverhead[0], cluster.allocMem[0], cluster.allocMem[1]]).toEqual([500, 200, 100, 100]);
    expect(log).toEqual([]); // nothing to report at t = 0
    clock.now = 10;
    start(B, [take(1, 1), take(2, 1)]);
    // The site's [0, 10] and the pool's (two cores of six allocated: 2 node-equivalents held), A's share of node 1 (dynamic 100 W + static 50 W), nodes 2's idle stay.
    expect(log).toEqual([
      ["site", 0, 0, 10, 500, 200, 2],
      ["pool", 0, 0, 10, 2, 0, 0],
      ["share", 1, 0, 0, 0, 10, 150, 0.5, 0, 0],
      ["node", 2, NodeState.Idle, 0, 10, 1000, 0, 0],
    ]);
    // Node 1 full (300 W, nothing unpaid), node 2 at 200 W.
    expect([cluster.siteIt[0], cluster.siteOverhead[0], cluster.free[0], cluster.busy[0], cluster.freeCores[0]]).toEqual([700, 100, 0, 3, 2]);
    log.length = 0;
    clock.now = 30;
    cluster.removeTenants(a, 2);
    // A's shares: node 0 over [0, 30] at 150 W; node 1 over [10, 30]: dynamic 200 W by busy cores (100) + static 50, and B's the same.
    // Node 0's busy stay: 200 W x 30 s, one core busy and allocated over it.
    expect(log).toEqual([
      ["site", 0, 10, 30, 700, 100, 3],
      ["pool", 0, 10, 30, 1, 0, 0],
      ["share", 1, 0, 0, 0, 30, 150, 0.5, 0, 0],
      ["node", 0, NodeState.Busy, 0, 30, 6000, 30, 30],
      ["share", 1, 0, 0, 10, 30, 150, 0.5, 0, 0],
      ["share", 2, 0, 0, 10, 30, 150, 0.5, 0, 0],
    ]);
    expect([...cluster.state]).toEqual([NodeState.Idle, NodeState.Busy, NodeState.Busy]);
    expect([cluster.siteIt[0], cluster.siteOverhead[0], cluster.free[0], cluster.busy[0], cluster.siteBusy[0], cluster.freeCores[0], cluster.poolAllocCores[0]]).toEqual([500, 200, 1, 2, 2, 4, 2]);
    expect([cluster.allocMem[0], cluster.allocMem[1]]).toEqual([0, 100]);
    // The end gave A's two records back: the next two tenants are they, last given first, cleared.
    const c = cluster.tenant(job(3, 0, 1, 1, 1), take(0, 1), false, 0);
    const d = cluster.tenant(job(3, 0, 1, 1, 1), take(0, 1), false, 0);
    expect(c).toBe(a[1]);
    expect(d).toBe(a[0]);
    expect(c).toMatchObject({ node: 0, cores: 1, busyCores: 0, util: 0 });
    expect(c.spec.id).toBe(3);
    expect(cluster.tenant(job(4, 0, 1, 1, 1), take(0, 1), false, 0)).not.toBe(a[0]);
  });

  it("gives, one call per start, the calls and state one call per node gives, on random histories", () => {
    const platform = tinyPlatform(
      [
        { id: "a", pue: 1, kgPerKwh: 0 },
        { id: "b", pue: 1, kgPerKwh: 0 },
      ],
      [
        { nodes: 4, cores: 3, idle: 90, max: 250, memoryMb: 4000 },
        { nodes: 3, cores: 2, idle: 70, max: 160, site: 1, gpus: { count: 2, idle: 9, max: 41 } },
      ],
    );
    const first = [0, 4];
    const K = [3, 2];
    const step = fc.record({ pool: fc.integer({ min: 0, max: 1 }), nodes: fc.integer({ min: 1, max: 3 }), cores: fc.integer({ min: 1, max: 3 }), whole: fc.boolean(), load: fc.constantFrom(0.25, 0.5, 1, 0.7), end: fc.nat(), dt: fc.constantFrom(0, 0, 5, 17.5) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const clock = { now: 0 };
        const batched = recorder();
        const single = recorder();
        const x = new Cluster(platform, batched.observer, clock);
        const y = new Cluster(platform, single.observer, clock);
        const running: { x: Tenant[]; y: Tenant[] }[] = [];
        for (const [i, s] of steps.entries()) {
          clock.now += s.dt;
          if (s.end % 3 === 0 && running.length > 0) {
            const [r] = running.splice(s.end % running.length, 1);
            x.removeTenants(r.x, r.x.length);
            for (const t of r.y) y.removeTenant(t);
            continue;
          }
          // Nodes of the pool that can take the start: idle ones for a whole-node job, else free cores enough.
          const ids: number[] = [];
          for (let n = first[s.pool]; n < first[s.pool] + platform.pools[s.pool].count && ids.length < s.nodes; n++) {
            if (s.whole ? x.state[n] === NodeState.Idle : x.nodeFreeCores(n) >= s.cores) ids.push(n);
          }
          if (ids.length === 0) continue;
          const spec = job(i + 1, 0, 1, 1, s.cores);
          const make = (c: Cluster) =>
            ids.map((n) => {
              const cores = s.whole ? K[s.pool] : s.cores;
              const t = c.tenant(spec, { node: n, cores, gpus: s.whole && s.pool === 1 ? 2 : 0, fpgas: 0, memMb: 10 * cores }, s.whole, 0);
              t.busyCores = cores * s.load;
              t.util = s.whole ? s.load : 0;
              t.busyGpus = t.gpus;
              return t;
            });
          const r = { x: make(x), y: make(y) };
          x.addTenants(r.x, r.x.length, undefined);
          for (const t of r.y) y.addTenant(t, undefined);
          running.push(r);
        }
        x.flushAll();
        y.flushAll();
        expect(batched.log).toEqual(single.log);
        for (const k of ["state", "watts", "free", "busy", "freeCores", "poolAllocCores", "poolAllocGpus", "siteIt", "siteOverhead", "siteBusy", "allocMem", "allocCores", "busyCores"] as const) {
          expect([...x[k]]).toEqual([...y[k]]);
        }
        // The counts are the tenants held: allocated cores per pool, cores free for shared jobs, busy nodes.
        for (let p = 0; p < 2; p++) {
          const held = running.flatMap((r) => r.x).filter((t) => x.pool[t.node] === p);
          const busyNodes = new Set(held.map((t) => t.node)).size;
          expect(x.poolAllocCores[p]).toBe(held.reduce((a, t) => a + t.cores, 0));
          expect(x.freeCores[p]).toBe(platform.pools[p].count * K[p] - held.reduce((a, t) => a + (t.exclusive ? K[p] : t.cores), 0));
          expect([x.busy[p], x.free[p]]).toEqual([busyNodes, platform.pools[p].count - busyNodes]);
        }
      }),
      { seed: 29, numRuns: 150 },
    );
  });
});
