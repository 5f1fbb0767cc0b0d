/**
 * NodeShares (models/nodeShares.ts), the tenants of shared nodes and the split of
 * each node's draw, which the cluster and the live meter both use: shares
 * worked by hand on a 4-core node (linear curve 100 W idle, 300 W at full
 * load: curve(u) = 100 + 200u) with 2 GPUs (10 W idle, 50 W busy), under both
 * static rules and for a job holding the node whole; and, on random histories,
 * the invariant that at every settlement the jobs' shares plus the unpaid part
 * are the node's draw.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { NodeShares, type NodeTenant } from "../../../src/models/index.js";
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
});
