/**
 * place() on a small pool worked out by hand (Slurm's block rule as
 * planner/placement.ts states it), and each call's takes its own array: place
 * keeps its working list from call to call, so a result must not change when
 * it is called again.
 */
import { describe, expect, it } from "vitest";
import { NodeState, place, type NodeReader, type PoolView, type QueuedJobView } from "../../../src/planner/index.js";

// Pool of 4 nodes (ids 10-13) x 4 cores: 10 busy with 1 core free, 11 idle, 12 busy with 2 free, 13 idle (11 cores free).
const pool = { index: 0, nodes: 4, firstNode: 10, coresPerNode: 4, gpusPerNode: 0, fpgasPerNode: 0 } as unknown as PoolView;
const states = [NodeState.Busy, NodeState.Idle, NodeState.Busy, NodeState.Idle];
const free = [1, 4, 2, 4];
const reader: NodeReader = {
  nodeState: (id) => states[id - 10],
  nodeFreeCores: (id) => free[id - 10],
  nodeFreeGpus: () => 0,
  nodeFreeFpgas: () => 0,
  nodeFreeMemoryMb: () => 1e9,
};
const job = (cores: number, more: Partial<QueuedJobView> = {}): QueuedJobView => ({ id: 1, submit: 0, cores, walltime: 10, timeLeft: 10, ranSeconds: 0, user: 0, project: "p", ...more });
const take = (node: number, cores: number) => ({ node, cores, gpus: 0, fpgas: 0, memMb: 0 });

describe("place", () => {
  it("fills nodes in use first, then idle ones, in id order; blocks over an exact count; whole idle nodes; nothing when short", () => {
    expect(place(job(6), pool, "cpu", reader)).toEqual([take(10, 1), take(12, 2), take(11, 3)]);
    // 5 cores over exactly 2 nodes: blocks of 3 and 2, each on the first node (in use, then idle) that holds it.
    expect(place(job(5, { exactNodes: 2 }), pool, "cpu", reader)).toEqual([take(11, 3), take(13, 2)]);
    expect(place(job(5, { exclusive: true }), pool, "cpu", reader)).toEqual([take(11, 4), take(13, 4)]);
    expect(place(job(12), pool, "cpu", reader)).toBeUndefined();
    expect(place(job(9, { exclusive: true }), pool, "cpu", reader)).toBeUndefined();
    // Named nodes, in the order given.
    expect(place(job(3), pool, "cpu", reader, [13, 10])).toEqual([take(13, 3)]);
  });

  it("gives each call an array of its own, of exactly its takes", () => {
    const first = place(job(11), pool, "cpu", reader)!;
    const copy = [...first];
    const second = place(job(2), pool, "cpu", reader)!;
    const whole = place(job(1, { exclusive: true }), pool, "cpu", reader)!;
    expect(place(job(20), pool, "cpu", reader)).toBeUndefined();
    expect(first).not.toBe(second);
    expect(first).toEqual(copy);
    expect(first).toHaveLength(4);
    expect(second).toEqual([take(10, 1), take(12, 1)]);
    expect(whole).toEqual([take(11, 4)]);
  });
});
