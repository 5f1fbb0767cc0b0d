/**
 * Consolidation against EASY, whole process, CPU time (user + system,
 * bench/measure.mjs), least of alternated runs, --summary-only: KTH-SP2 28k
 * and KTH-SP2 x8 (227,808 jobs). consolidate runs EASY inside each pass, so
 * the ratio is what its wake plan, packing and switching cost on top (issue
 * 13: within 1.5x EASY). Figures, never pass/fail; the machine's speed
 * drifts: only ratios of one run carry over.
 *
 * Usage: npx tsx bench/consolidate.ts [runs=3] [bundle=dist/impactsim.mjs]
 * (run `npm run build` first for the default bundle.)
 */
import { existsSync } from "node:fs";
import { shippedPath } from "../src/io/paths.js";
import { againstEasy } from "./lib.js";

const WORKLOADS = [
  { name: "KTH-SP2 28k", path: shippedPath("traces/KTH-SP2-1996-2.1-cln.swf.gz") },
  { name: "KTH-SP2 x8", path: shippedPath("../shared/data/traces/KTH-SP2-x8-scale.swf.gz") },
];

/** Least CPU seconds under consolidate and EASY on each workload present, runs alternated. */
export function benchConsolidate(runs: number, bundle = shippedPath("dist/impactsim.mjs")): { workload: string; consolidate: number; easy: number }[] {
  return againstEasy("consolidate", WORKLOADS.filter((w) => existsSync(w.path)), runs, bundle).map((r) => ({ workload: r.workload, consolidate: r.policy, easy: r.easy }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = Number(process.argv[2] ?? 3);
  for (const r of benchConsolidate(runs, process.argv[3])) {
    console.log(`${r.workload}, --summary-only, whole process, CPU (least of ${runs}): consolidate ${r.consolidate.toFixed(2)} s, EASY ${r.easy.toFixed(2)} s: ${(r.consolidate / r.easy).toFixed(2)}x EASY`);
  }
}
