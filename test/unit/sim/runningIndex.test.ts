/**
 * The simulator's running index (ClusterView.runningIndex): at every pass it
 * reads as view.running does, belongs to its own view only, and EASY decides
 * alike through it and through the array (a policy's copy of the view falls
 * back to the array, as a copy with other running jobs must).
 */
import { describe, expect, it } from "vitest";
import { policyEasyBackfill, type ClusterView, type Decision, type Policy, type WorldEvent } from "../../../src/planner/index.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { runTiny } from "../../helpers/runTiny.js";

/** A deterministic generator (LCG), so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const platform = tinyPlatform([{ id: "s", pue: 1.2, kgPerKwh: 0.3 }], [
  { nodes: 6, cores: 4, idle: 100, max: 200 },
  { nodes: 3, cores: 1, idle: 50, max: 90 },
]);

function workload(seed: number) {
  const rnd = lcg(seed);
  let t = 0;
  return Array.from({ length: 120 }, (_, i) => {
    t += Math.floor(rnd() * 40);
    const wall = 10 + Math.floor(rnd() * 300);
    return job(i + 1, t, Math.max(1, Math.floor(wall * rnd())), wall, 1 + Math.floor(rnd() * 8));
  });
}

/** EASY, checking at each pass that the running index reads as view.running, then deciding on the view or on a spread copy of it. */
function checkedEasy(copy: boolean, seen: { passes: number; read: number }): Policy {
  const easy = policyEasyBackfill();
  return {
    name: "easy",
    version: "1",
    params: {},
    decide(view: ClusterView, happened: readonly WorldEvent[]): readonly Decision[] {
      const index = view.runningIndex!;
      expect(index.view).toBe(view);
      expect(index.runningCount).toBe(view.running.length);
      for (let k = 0; k < index.runningCount; k++) expect(index.runningAt(k)).toBe(view.running[k]);
      expect(() => index.runningAt(index.runningCount)).toThrow(RangeError);
      seen.passes++;
      seen.read += index.runningCount;
      // A spread copy carries the index of the view it was made from: EASY must read the copy's own running list.
      return easy.decide(copy ? { ...view, pools: view.pools, queue: view.queue, running: view.running, sites: view.sites } : view, happened);
    },
  };
}

describe("ClusterView.runningIndex (simulator)", () => {
  it("reads as view.running at every pass, and EASY starts every job at the same time through it as through a copy of the view", async () => {
    for (const seed of [1, 2, 3]) {
      const jobs = workload(seed);
      const a = { passes: 0, read: 0 };
      const b = { passes: 0, read: 0 };
      const direct = await runTiny(platform, checkedEasy(false, a), jobs);
      const copied = await runTiny(platform, checkedEasy(true, b), jobs);
      expect(a.read).toBeGreaterThan(0);
      expect(direct.facts.size).toBe(jobs.length);
      for (const j of jobs) {
        expect(direct.facts.get(j.id)!.start).toBe(copied.facts.get(j.id)!.start);
        expect(direct.facts.get(j.id)!.pool).toBe(copied.facts.get(j.id)!.pool);
      }
    }
  });
});
