/**
 * NodeShares (models/nodeShares.ts), the tenants of shared nodes and the split of
 * each node's draw, which the cluster and the live meter both use: shares
 * worked by hand on a 4-core node (linear curve 100 W idle, 300 W at full
 * load: curve(u) = 100 + 200u) with 2 GPUs (10 W idle, 50 W busy), under both
 * static rules and for a job holding the node whole; and, on random histories,
 * the invariant that at every settlement the jobs' shares plus the unpaid part
 * are the node's draw; and, on random histories over DVFS states, GPUs, FPGAs
 * (busy and reconfiguring), whole-node jobs and a nonlinear curve, that every
 * share and draw is to the bit what shareDraw and nodeDraw give when read off
 * the curves afresh (NodeShares keeps each node's CPU draw from its last change
 * and reuses the last curve reading: neither may ever be stale).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { NodeShares, nodeDraw, powerCurveInterpolated, shareDraw, type NodeTenant, type PlatformModel } from "../../../src/models/index.js";
import type { StaticRule } from "../../../src/models/index.js";
import { tinyPlatform } from "../../helpers/tinyPlatform.js";

type Share = { job: string; from: number; to: number; watts: number; node: number; gpu: number };

function setup(rule: StaticRule, nodes = 1) {
  const platform = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0 }], [{ nodes, cores: 4, idle: 100, max: 300, gpus: { count: 2, idle: 10, max: 50 } }]);
  const got: Share[] = [];
  const shares = new NodeShares<string>(platform, { jobShare: (job, _s, _p, from, to, watts, held) => got.push({ job, from, to, watts, node: held.node, gpu: held.gpu }) }, rule);
  return { shares, got };
}

function tenant(job: string, node: number, cores: number, busy: number, gpus: number, exclusive = false, util = 0): NodeTenant<string> {
  return { spec: job, node, exclusive, cores, gpus, fpgas: 0, busyCores: busy, util, busyGpus: gpus, busyFpgas: 0, reconfFpgas: 0 };
}

describe("NodeShares", () => {
  it("splits a shared node's draw by hand-worked figures (allocated rule)", () => {
    const { shares, got } = setup("allocated");
    const a = tenant("A", 0, 2, 2, 1);
    const b = tenant("B", 0, 1, 0.5, 0);
    shares.join(a, undefined, 0);
    // busy 2 of 4: CPU 200 W, GPUs 50 + 10: 260 W; unpaid: 2 idle cores' static 50 W and the idle GPU's 10 W.
    expect(shares.draw[0]).toBeCloseTo(260, 9);
    expect(shares.unpaid[0]).toBeCloseTo(60, 9);
    shares.join(b, undefined, 10);
    // A alone: dynamic 100 + static 50 + its GPU 50.
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ job: "A", from: 0, to: 10, node: 0.5, gpu: 0.5 });
    expect(got[0].watts).toBeCloseTo(200, 9);
    // busy 2.5: CPU 225 W, GPUs 60: 285 W; unpaid 25 + 10.
    expect(shares.draw[0]).toBeCloseTo(285, 9);
    expect(shares.unpaid[0]).toBeCloseTo(35, 9);
    shares.leave(a, 30);
    // Dynamic 125 W split 2 : 0.5; static 25 W per allocated core.
    expect(got.slice(1).map((s) => [s.job, s.from, s.to, s.node])).toEqual([
      ["A", 10, 30, 0.5],
      ["B", 10, 30, 0.25],
    ]);
    expect(got[1].watts).toBeCloseTo(200, 9);
    expect(got[2].watts).toBeCloseTo(50, 9);
    expect(shares.firstJob(0)).toBe("B");
    expect(shares.tenants[0][1]).toBeUndefined();
    shares.leave(b, 40);
    expect(got[3]).toMatchObject({ job: "B", from: 30, to: 40 });
    expect(got[3].watts).toBeCloseTo(50, 9);
    // Empty: idle CPU 100 W and two idle GPUs, all unpaid.
    expect(shares.draw[0]).toBeCloseTo(120, 9);
    expect(shares.unpaid[0]).toBeCloseTo(120, 9);
    expect(shares.firstJob(0)).toBeUndefined();
  });

  it("splits static power among the jobs under the jobs rule", () => {
    const { shares, got } = setup("jobs");
    shares.join(tenant("A", 0, 2, 2, 1), undefined, 0);
    shares.join(tenant("B", 0, 1, 0.5, 0), undefined, 10);
    expect(shares.unpaid[0]).toBeCloseTo(10, 9); // the idle GPU only
    shares.settle(0, 30);
    const [, a, b] = got;
    expect(a.watts).toBeCloseTo(100 + 200 / 3 + 50, 9);
    expect(b.watts).toBeCloseTo(25 + 100 / 3, 9);
  });

  it("leaves the CPU's static power to overhead under the jobs rule while the node's jobs hold GPUs but no core", () => {
    const { shares, got } = setup("jobs");
    shares.join(tenant("G", 0, 0, 0, 1), undefined, 0);
    // CPU idle 100 W (no core busy), G's GPU busy 50 W, the other idle 10 W: 160 W, of which G pays its GPU only.
    expect(shares.draw[0]).toBeCloseTo(160, 9);
    expect(shares.unpaid[0]).toBeCloseTo(110, 9);
    shares.join(tenant("C", 0, 1, 1, 0), undefined, 10);
    expect(got[0]).toMatchObject({ job: "G", from: 0, to: 10 });
    expect(got[0].watts).toBeCloseTo(50, 9);
    // Once C holds a core, the static 100 W is all C's: unpaid is the idle GPU's 10 W.
    expect(shares.unpaid[0]).toBeCloseTo(10, 9);
  });

  it("charges a job holding the node whole the node's whole draw", () => {
    const { shares, got } = setup("allocated");
    const c = tenant("C", 0, 4, 2, 2, true, 0.5);
    shares.join(c, undefined, 0);
    expect(shares.draw[0]).toBeCloseTo(300, 9); // CPU at u = 0.5: 200 W; both GPUs busy: 100 W
    expect(shares.unpaid[0]).toBe(0);
    shares.setBusy(c, 4, 1, 2, 0, 0, 5);
    expect(got[0]).toMatchObject({ job: "C", from: 0, to: 5, node: 1, gpu: 1 });
    expect(got[0].watts).toBeCloseTo(300, 9);
    expect(shares.draw[0]).toBeCloseTo(400, 9);
    shares.leave(c, 6);
    expect(got[1].watts).toBeCloseTo(400, 9);
    expect(shares.exclusive[0]).toBe(0);
  });

  it("refuses to remove a job that is not on the node", () => {
    const { shares } = setup("allocated");
    expect(() => shares.leave(tenant("X", 0, 1, 1, 0), 1)).toThrow(/not on node 0/);
  });

  it("shares plus the unpaid part equal the node's draw at every settlement, on random histories", () => {
    const op = fc.record({ node: fc.integer({ min: 0, max: 2 }), cores: fc.integer({ min: 0, max: 2 }), gpus: fc.integer({ min: 0, max: 1 }), load: fc.double({ min: 0, max: 1, noNaN: true }), leave: fc.boolean() });
    fc.assert(
      fc.property(fc.constantFrom<StaticRule>("allocated", "jobs"), fc.array(op, { maxLength: 40 }), (rule, ops) => {
        const { shares, got } = setup(rule, 3);
        const on: NodeTenant<string>[] = [];
        let now = 0;
        const check = (node: number) => {
          // What the node drew and left unpaid over the interval about to be settled.
          const before = got.length;
          const draw = shares.draw[node];
          const unpaid = shares.unpaid[node];
          shares.settle(node, now);
          const paid = got.slice(before).reduce((a, s) => a + s.watts, 0);
          if (got.length > before) expect(paid + unpaid).toBeCloseTo(draw, 6);
        };
        for (const [i, o] of ops.entries()) {
          now += 1;
          const mine = on.filter((t) => t.node === o.node);
          if (o.leave && mine.length > 0) {
            check(o.node);
            const t = mine[i % mine.length];
            shares.leave(t, now);
            on.splice(on.indexOf(t), 1);
            continue;
          }
          const used = mine.reduce((a, t) => a + t.cores, 0);
          const gpus = mine.reduce((a, t) => a + t.gpus, 0);
          if (used + o.cores > 4 || gpus + o.gpus > 2 || o.cores + o.gpus === 0) continue;
          check(o.node);
          const t = tenant(`j${i}`, o.node, o.cores, o.cores * o.load, o.gpus);
          shares.join(t, undefined, now);
          on.push(t);
        }
        for (let n = 0; n < 3; n++) {
          now += 1;
          check(n);
        }
      }),
      { seed: 13, numRuns: 200 },
    );
  });

  it("reports every share and draw as read off the curves afresh, to the bit, on random histories", () => {
    const base = tinyPlatform(
      [{ id: "s", pue: 1, kgPerKwh: 0 }],
      [
        {
          nodes: 3,
          cores: 4,
          idle: 90,
          max: 310,
          gpus: { count: 2, idle: 10, max: 50 },
          fpgas: { count: 2, idle: 7, max: 33, reconfigurationWatts: 5 },
          dvfs: [
            { name: "low", speed: 0.7, idle: 80, max: 200 },
            { name: "lower", speed: 0.5, idle: 75, max: 150 },
          ],
        },
        { nodes: 2, cores: 3, idle: 60, max: 170 },
      ],
    );
    // Pool 1 on a nonlinear curve (SPECpower-like points), so equal loads on its nodes and pool 0's give other draws.
    const curve = powerCurveInterpolated({ idle: 60, points: [[0.1, 81.3], [0.5, 123.7], [0.9, 161.1], [1, 170]] });
    const platform: PlatformModel = { ...base, pools: [base.pools[0], { ...base.pools[1], curve }] };
    const K = [4, 4, 4, 3, 3];
    const poolOf = [0, 0, 0, 1, 1];
    const op = fc.record({
      node: fc.integer({ min: 0, max: 4 }),
      what: fc.constantFrom("join", "join", "whole", "leave", "busy"),
      cores: fc.integer({ min: 0, max: 3 }),
      gpus: fc.integer({ min: 0, max: 2 }),
      fpgas: fc.integer({ min: 0, max: 2 }),
      load: fc.constantFrom(0, 0.25, 0.5, 1, 1 / 3),
      reconf: fc.boolean(),
      pstate: fc.constantFrom(undefined, undefined, 0, 1),
      pick: fc.nat(),
    });
    fc.assert(
      fc.property(fc.constantFrom<StaticRule>("allocated", "jobs"), fc.array(op, { maxLength: 60 }), (rule, ops) => {
        const got: { job: string; watts: number }[] = [];
        const shares = new NodeShares<string>(platform, { jobShare: (job, _s, _p, _from, _to, watts) => got.push({ job, watts }) }, rule);
        // The test's own record of each node: its tenants in arrival order and DVFS state (-1 default).
        const on: NodeTenant<string>[][] = [[], [], [], [], []];
        const pstate = [-1, -1, -1, -1, -1];
        const sum = (list: NodeTenant<string>[], f: (t: NodeTenant<string>) => number) => list.reduce((a, t) => a + f(t), 0);
        const drawOf = (n: number): number => {
          const list = on[n];
          const m = platform.pools[poolOf[n]];
          const u = list.length > 0 && list[0].exclusive ? list[0].util : Math.min(1, sum(list, (t) => t.busyCores) / K[n]);
          return nodeDraw(m, u, sum(list, (t) => t.busyGpus), sum(list, (t) => t.busyFpgas), sum(list, (t) => t.reconfFpgas), pstate[n]);
        };
        let now = 0;
        for (const [i, o] of ops.entries()) {
          now += 1;
          const n = o.node;
          const m = platform.pools[poolOf[n]];
          const list = on[n];
          const before = got.length;
          // What the node's tenants are owed for the interval the change settles, read off the curves now.
          const owed = list.map((t) => (t.exclusive ? drawOf(n) : shareDraw(m, pstate[n], sum(list, (x) => x.busyCores), sum(list, (x) => x.cores), t, rule)));
          const gpus = m.gpus ? o.gpus : 0;
          const fpgas = m.fpgas ? o.fpgas : 0;
          const usedCores = sum(list, (t) => t.cores);
          if (o.what === "leave" || o.what === "busy") {
            if (list.length === 0) continue;
            const t = list[o.pick % list.length];
            if (o.what === "leave") {
              shares.leave(t, now);
              list.splice(list.indexOf(t), 1);
              if (list.length === 0) pstate[n] = -1;
            } else if (t.exclusive) shares.setBusy(t, K[n] * o.load, o.load, o.reconf ? 0 : t.gpus, o.reconf ? 0 : t.fpgas, o.reconf ? t.fpgas : 0, now);
            else shares.setBusy(t, t.cores * o.load, 0, o.reconf ? 0 : t.gpus, o.reconf ? 0 : t.fpgas, o.reconf ? t.fpgas : 0, now);
          } else {
            const whole = o.what === "whole";
            if (whole ? list.length > 0 : list.some((t) => t.exclusive) || usedCores + o.cores > K[n] || sum(list, (t) => t.gpus) + gpus > 2 || sum(list, (t) => t.fpgas) + fpgas > 2 || o.cores + gpus + fpgas === 0) continue;
            const t: NodeTenant<string> = whole
              ? { spec: `j${i}`, node: n, exclusive: true, cores: K[n], gpus: m.gpus ? 2 : 0, fpgas: m.fpgas ? 2 : 0, busyCores: K[n] * o.load, util: o.load, busyGpus: gpus, busyFpgas: o.reconf ? 0 : fpgas, reconfFpgas: o.reconf ? fpgas : 0 }
              : { spec: `j${i}`, node: n, exclusive: false, cores: o.cores, gpus, fpgas, busyCores: o.cores * o.load, util: 0, busyGpus: gpus, busyFpgas: o.reconf ? 0 : fpgas, reconfFpgas: o.reconf ? fpgas : 0 };
            // Only pool 0 has DVFS states.
            const ps = poolOf[n] === 0 ? o.pstate : undefined;
            shares.join(t, ps, now);
            list.push(t);
            if (ps !== undefined) pstate[n] = ps;
          }
          expect(got.slice(before).map((s) => s.watts)).toEqual(owed);
          for (let k = before; k < got.length; k++) expect(Object.is(got[k].watts, owed[k - before])).toBe(true);
          expect(Object.is(shares.draw[n], drawOf(n))).toBe(true);
        }
      }),
      { seed: 17, numRuns: 300 },
    );
  });
});
