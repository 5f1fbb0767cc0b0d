/**
 * The simulator's index of idle nodes (sim/cluster.ts nextIdle) and
 * placement's use of it (planner/placement.ts NodeReader.nextIdle):
 * (a) nextIdle(from, to) is the first node in [from, to) whose state is Idle,
 *     against a scan of the states, over random state changes on pools that
 *     cross 32-node words;
 * (b) place() gives the same takes with a reader that indexes idle nodes
 *     (here a brute-force scan, independent of the cluster) and gives takes of
 *     its own as without either, over random node states, free cores, memory,
 *     GPUs and jobs (shared, whole-node, exact node counts).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { NodeState, place, platformPoolFigures, poolView, queuedJobView, type NodeReader, type NodeTake } from "../../../src/planner/index.js";
import type { DeviceClass, JobSpec } from "../../../src/io/spec.js";
import { Cluster } from "../../../src/sim/cluster.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";

const STATES = [NodeState.Idle, NodeState.Busy, NodeState.Off, NodeState.Sleep, NodeState.SwitchingOn, NodeState.SwitchingOff];

describe("Cluster.nextIdle", () => {
  it("is the first idle node in [from, to) (or to), as a scan of the states finds it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 80 }), fc.array(fc.tuple(fc.nat(), fc.constantFrom(...STATES)), { maxLength: 200 }), (a, b, changes) => {
        const platform = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0 }], [
          { nodes: a, cores: 2, idle: 1, max: 2 },
          { nodes: b, cores: 1, idle: 1, max: 2 },
        ]);
        const cluster = new Cluster(platform, {}, { now: 0 });
        const n = a + b;
        for (const [node, state] of changes) cluster.setState(node % n, state);
        for (let from = 0; from <= n; from++) {
          for (let to = from; to <= n; to++) {
            let scan = from;
            while (scan < to && cluster.state[scan] !== NodeState.Idle) scan++;
            if (cluster.nextIdle(from, to) !== scan) return false;
          }
        }
        return true;
      }),
      { numRuns: 60 },
    );
  });
});

interface NodeSetup {
  state: NodeState;
  usedCores: number;
  usedGpus: number;
  usedMem: number;
}

describe("place() with an index of idle nodes", () => {
  it("gives the takes it gives without one", () => {
    const node = fc.record({ state: fc.constantFrom(...STATES), usedCores: fc.nat({ max: 8 }), usedGpus: fc.nat({ max: 2 }), usedMem: fc.nat({ max: 4000 }) });
    fc.assert(
      fc.property(
        fc.record({
          cores: fc.integer({ min: 1, max: 8 }),
          gpus: fc.integer({ min: 0, max: 2 }),
          memoryMb: fc.option(fc.constantFrom(2000, 4000), { nil: undefined }),
          sharing: fc.constantFrom("shared" as const, "exclusive" as const),
          nodes: fc.array(node, { minLength: 1, maxLength: 70 }),
        }),
        fc.record({
          cores: fc.integer({ min: 1, max: 40 }),
          exclusive: fc.option(fc.constant(true), { nil: undefined }),
          exactNodes: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
          memPerCoreMb: fc.option(fc.constantFrom(100, 700), { nil: undefined }),
          gpus: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
        }),
        fc.integer({ min: 0, max: 5 }),
        (p, j, firstNode) => {
          const platform = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0 }], [
            { nodes: firstNode || 1, cores: 1, idle: 1, max: 2 },
            { nodes: p.nodes.length, cores: p.cores, idle: 1, max: 2, sharing: p.sharing, memoryMb: p.memoryMb, gpus: p.gpus > 0 ? { count: p.gpus, idle: 1, max: 2 } : undefined },
          ]);
          const figures = platformPoolFigures(platform)[1];
          const base = figures.firstNode;
          const at = (id: number): NodeSetup => p.nodes[id - base];
          // Nodes that are not idle hold something (or are off); idle ones hold nothing.
          const used = (id: number) => at(id).state !== NodeState.Idle;
          const on = (id: number) => at(id).state === NodeState.Idle || at(id).state === NodeState.Busy;
          const plain: NodeReader = {
            nodeState: (id) => at(id).state,
            nodeFreeCores: (id) => (on(id) ? p.cores - (used(id) ? Math.min(p.cores, at(id).usedCores) : 0) : 0),
            nodeFreeGpus: (id) => (on(id) ? p.gpus - (used(id) ? Math.min(p.gpus, at(id).usedGpus) : 0) : 0),
            nodeFreeFpgas: () => 0,
            nodeFreeMemoryMb: (id) => (!on(id) ? 0 : p.memoryMb === undefined ? Infinity : p.memoryMb - (used(id) ? Math.min(p.memoryMb, at(id).usedMem) : 0)),
          };
          const made: NodeTake[] = [];
          const indexed: NodeReader = {
            ...plain,
            nextIdle: (from, to) => {
              while (from < to && at(from).state !== NodeState.Idle) from++;
              return from;
            },
            take: (id, cores, gpus, fpgas, memMb) => {
              const t = Object.freeze({ node: id, cores, gpus, fpgas, memMb });
              made.push(t);
              return t;
            },
          };
          const idle = p.nodes.filter((s) => s.state === NodeState.Idle).length;
          let free = 0;
          for (let id = base; id < base + p.nodes.length; id++) free += plain.nodeFreeCores(id);
          const pool = poolView(figures, idle, 0, 0, free);
          const spec: JobSpec = { ...job(1, 0, 10, 10, j.cores), exclusive: j.exclusive, exactNodes: j.exactNodes, memPerCoreMb: j.memPerCoreMb, gpus: j.gpus };
          const view = queuedJobView(spec, { wallUsed: 0, ranSeconds: 0 });
          const devices: DeviceClass[] = p.gpus > 0 && j.gpus !== undefined ? ["cpu", "gpu"] : ["cpu"];
          for (const device of devices) {
            const want = place(view, pool, device, plain);
            made.length = 0;
            const got = place(view, pool, device, indexed);
            expect(got).toEqual(want);
            // Every take is the reader's own.
            for (const t of got ?? []) expect(made).toContain(t);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
