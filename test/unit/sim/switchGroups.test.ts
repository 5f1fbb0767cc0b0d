/**
 * The nodes of a power decision finish switching in one engine event per
 * completion time (sim/simulation.ts, `switching`), yet the world reports and
 * orders them as one event per node keyed by the node id would: at one
 * instant, ascending node ids across every decision, one nodesSwitched event
 * per node. Expected orders are worked out by hand from that rule.
 *
 * Platform: pool A nodes 0-3, pool B nodes 4-7, one core each. Both switch
 * off in 5 s; A switches on in 20 s, B in 10 s.
 */
import { describe, expect, it } from "vitest";
import { NodeState, policyFcfs, type Decision, type Policy, type WorldEvent } from "../../../src/planner/index.js";
import type { PowerStateModel } from "../../../src/models/platform.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { runTiny } from "../../helpers/runTiny.js";

const offA: PowerStateModel = { watts: 10, switchOffSeconds: 5, switchOffWatts: 100, switchOnSeconds: 20, switchOnWatts: 150 };
const offB: PowerStateModel = { ...offA, switchOnSeconds: 10 };
const platform = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.3 }], [
  { nodes: 4, cores: 1, idle: 100, max: 200, off: offA },
  { nodes: 4, cores: 1, idle: 100, max: 200, off: offB },
]);

/** FCFS, plus the given power decisions at given times; records what the world reported at each pass. */
function scripted(script: Map<number, Decision[]>): Policy & { seen: { now: number; happened: WorldEvent[] }[] } {
  const fcfs = policyFcfs();
  const seen: { now: number; happened: WorldEvent[] }[] = [];
  return {
    name: "test-switch-script",
    version: "1",
    params: {},
    seen,
    decide(view, happened) {
      seen.push({ now: view.now, happened: happened.filter((e) => e.kind === "nodesSwitched") });
      return [...(script.get(view.now) ?? []), ...fcfs.decide(view, happened)];
    },
  };
}

const switched = (nodes: number[], state: NodeState) => nodes.map((n) => ({ kind: "nodesSwitched", nodes: [n], state }));

describe("nodes switched together", () => {
  it("are reported one event per node, in node order across interleaved decisions, split by completion time", async () => {
    // t=0: job 1 takes node 0 (FCFS, lowest id); nodes 6,1,4 and 2,5 switch off (both pools: done at 5).
    // t=5: 5,1 and 6,2,4 switch on: pool B's (4,5,6) at 15, pool A's (1,2) at 25.
    const policy = scripted(
      new Map<number, Decision[]>([
        [
          0,
          [
            { kind: "setPowerState", nodes: [6, 1, 4], state: "off" },
            { kind: "setPowerState", nodes: [2, 5], state: "off" },
          ],
        ],
        [
          5,
          [
            { kind: "setPowerState", nodes: [5, 1], state: "on" },
            { kind: "setPowerState", nodes: [6, 2, 4], state: "on" },
          ],
        ],
        // Names no node: switches none and schedules nothing (not an event at the last group's time, 15 s, past).
        [25, [{ kind: "setPowerState", nodes: [], state: "on" }]],
      ]),
    );
    const r = await runTiny(platform, policy, [job(1, 0, 100, 100, 1)]);
    expect(r.result.refusals).toEqual({});
    const at = (t: number) => policy.seen.find((s) => s.now === t)?.happened;
    expect(at(5)).toEqual(switched([1, 2, 4, 5, 6], NodeState.Off));
    expect(at(15)).toEqual(switched([4, 5, 6], NodeState.Idle));
    expect(at(25)).toEqual(switched([1, 2], NodeState.Idle));
    // Each node's energy by hand: node 1 idle [0,0], switching off 5 s at 100 W, off 0 s, on 20 s at 150 W,
    // then idle to the end (100 s) at 100 W: the site's overhead sums every node's such stays.
    const overhead = r.intervals.reduce((s, iv) => s + (iv.to - iv.from) * iv.overheadWatts, 0);
    // Nodes 1,2 (A): 5*100 + 20*150 + 75*100 = 11000 J each; nodes 4,5,6 (B): 5*100 + 10*150 + 85*100 = 10500 J
    // each; nodes 3 and 7 idle 100 s: 10000 J each; node 0 runs job 1 (charged to it).
    expect(overhead).toBeCloseTo(2 * 11000 + 3 * 10500 + 2 * 10000, 6);
  });
});
