/**
 * Conservative backfilling against EASY, whole process, CPU time (user +
 * system, bench/measure.mjs), least of alternated runs: KTH-SP2 x8 (227,808
 * jobs) with --summary-only, and a burst (the first N KTH-SP2 jobs all
 * submitted at 0, bench/burst.ts). Conservative places every queued job up to
 * the last that could start now at each pass (planner/policies/conservative.ts),
 * so a burst, where a hole now may be filled by a job deep in the queue, costs
 * it far more than EASY; the ratio says how much. Figures, never pass/fail;
 * the machine's speed drifts: only ratios of one run carry over.
 *
 * Usage: npx tsx bench/conservative.ts [burstJobs=5000] [runs=3] [bundle=dist/impactsim.mjs]
 * (run `npm run build` first for the default bundle.)
 */
import { existsSync } from "node:fs";
import { shippedPath } from "../src/io/paths.js";
import { burstTrace } from "./burst.js";
import { againstEasy } from "./lib.js";

const X8 = shippedPath("../shared/data/traces/KTH-SP2-x8-scale.swf.gz");

/** Least CPU seconds under conservative and EASY on each workload, runs alternated. */
export function benchConservative(burstJobs: number, runs: number, bundle = shippedPath("dist/impactsim.mjs")): { workload: string; conservative: number; easy: number }[] {
  const workloads = [...(existsSync(X8) ? [{ name: "KTH-SP2 x8, --summary-only", path: X8 }] : []), { name: `${burstJobs.toLocaleString("en")}-job burst`, path: burstTrace(burstJobs) }];
  return againstEasy("conservative", workloads, runs, bundle).map((r) => ({ workload: r.workload, conservative: r.policy, easy: r.easy }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const jobs = Number(process.argv[2] ?? 5000);
  const runs = Number(process.argv[3] ?? 3);
  for (const r of benchConservative(jobs, runs, process.argv[4])) {
    console.log(`${r.workload}, whole process, CPU (least of ${runs}): conservative ${r.conservative.toFixed(2)} s, EASY ${r.easy.toFixed(2)} s: ${(r.conservative / r.easy).toFixed(2)}x EASY`);
  }
}
