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
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { shippedPath } from "../src/io/paths.js";

const WORKLOADS = [
  { name: "KTH-SP2 28k", path: shippedPath("traces/KTH-SP2-1996-2.1-cln.swf.gz") },
  { name: "KTH-SP2 x8", path: shippedPath("../shared/data/traces/KTH-SP2-x8-scale.swf.gz") },
];

/** CPU seconds of one whole run of the bundle under `policy` (the last line bench/measure.mjs prints). */
function runCpu(bundle: string, workload: string, policy: string): number {
  const args = [shippedPath("bench/measure.mjs"), bundle, "run", "--workload", workload, "--policy", policy, "--summary-only", "--quiet", "--out", shippedPath("results/bench-consolidate")];
  const p = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 26 });
  if (p.status !== 0) throw new Error(`impactsim ${args.slice(2).join(" ")} failed: ${p.stderr}`);
  return (JSON.parse(p.stdout.trim().split("\n").pop()!) as { cpu_s: number }).cpu_s;
}

/** Least CPU seconds under consolidate and EASY on each workload present, runs alternated. */
export function benchConsolidate(runs: number, bundle = shippedPath("dist/impactsim.mjs")): { workload: string; consolidate: number; easy: number }[] {
  if (!existsSync(bundle)) throw new Error(`${bundle} missing: run npm run build first`);
  return WORKLOADS.filter((w) => existsSync(w.path)).map(({ name, path }) => {
    let consolidate = Infinity;
    let easy = Infinity;
    for (let r = 0; r < runs; r++) {
      easy = Math.min(easy, runCpu(bundle, path, "easy"));
      consolidate = Math.min(consolidate, runCpu(bundle, path, "consolidate"));
    }
    return { workload: name, consolidate, easy };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = Number(process.argv[2] ?? 3);
  for (const r of benchConsolidate(runs, process.argv[3])) {
    console.log(`${r.workload}, --summary-only, whole process, CPU (least of ${runs}): consolidate ${r.consolidate.toFixed(2)} s, EASY ${r.easy.toFixed(2)} s: ${(r.consolidate / r.easy).toFixed(2)}x EASY`);
  }
}
