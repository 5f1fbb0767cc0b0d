/**
 * Benchmark (not a test): sweep scaling of the worker pool. Explores 8
 * candidates (HEFT impact_weight on the workflow-continuum scenario) with 1
 * worker (in-process, sequential) and with 2 worker threads, and prints the
 * wall times and the speed-up, end to end (pool start and tsx loading in the
 * workers included) and on a warm pool (each side warmed by runs first). It
 * also checks that both give the same exploration, byte for byte. Other load
 * on the machine skews the ratio: run it on an otherwise idle machine.
 *
 * Usage: npx tsx bench/sweep.ts [--workers N] (default 2)
 */
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { shippedPath } from "../src/io/paths.js";
import { exploreTradeoff } from "../src/sweep/explore.js";
import { createPool, type RunPool, type RunTask } from "../src/sweep/pool.js";

const SCENARIO = shippedPath("scenarios/workflow-continuum.json");
const VALUES = [0, 0.25, 0.5, 1, 2, 4, 8, 16];
const argWorkers = process.argv.indexOf("--workers");
const N = argWorkers >= 0 ? Number(process.argv[argWorkers + 1]) : 2;

let commit = "unknown";
try {
  commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
} catch {
  /* not a git checkout */
}
console.log(`impactsim sweep bench on ${cpus()[0]?.model ?? "?"} x${cpus().length}, Node ${process.version}, commit ${commit}`);
console.log(`${VALUES.length} candidates: heft impact_weight = ${VALUES.join(", ")} on scenarios/workflow-continuum.json`);

async function seconds<T>(f: () => Promise<T>): Promise<{ s: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { s: (performance.now() - t0) / 1000, value };
}

const explore = (workers: number) => exploreTradeoff({ scenario: SCENARIO, policy: "heft", param: "impact_weight", values: VALUES, workers });

// End to end: what `impactsim pareto` costs, pool start included.
const one = await seconds(() => explore(1));
const many = await seconds(() => explore(N));
const identical = JSON.stringify(one.value) === JSON.stringify(many.value);
console.log("end to end (exploreTradeoff, pool start and worker loading included)");
console.log(`  1 worker (in-process)   ${one.s.toFixed(2)} s`);
console.log(`  ${N} workers (threads)    ${many.s.toFixed(2)} s`);
console.log(`  speed-up                ${(one.s / many.s).toFixed(2)}x`);

// Warm pools: workers started and their code compiled and warmed before timing.
const tasks: RunTask[] = VALUES.map((v, i) => ({ id: String(i), scenario: SCENARIO, overrides: { policy: "heft" }, policyParams: { impact_weight: v } }));
/** Best of REPEATS batches of the 8 candidates on a pool warmed by one run per worker (other load on the machine only slows a batch down). */
const REPEATS = 3;
async function warmRun(pool: RunPool): Promise<number> {
  await Promise.all(tasks.slice(0, Math.max(1, pool.workers)).map((t) => pool.run(t)));
  let best = Infinity;
  for (let r = 0; r < REPEATS; r++) best = Math.min(best, (await seconds(() => Promise.all(tasks.map((t) => pool.run(t))))).s);
  await pool.close();
  return best;
}
const warmOne = await warmRun(createPool({ workers: 1 }));
const warmMany = await warmRun(createPool({ workers: N }));
console.log(`warm pool (runs only, best of ${REPEATS})`);
console.log(`  1 worker (in-process)   ${warmOne.toFixed(2)} s  (${((warmOne / VALUES.length) * 1000).toFixed(0)} ms per candidate)`);
console.log(`  ${N} workers (threads)    ${warmMany.toFixed(2)} s`);
console.log(`  speed-up                ${(warmOne / warmMany).toFixed(2)}x`);
console.log(`explorations with 1 and ${N} workers identical: ${identical ? "yes" : "NO"}`);
if (!identical) process.exitCode = 1;
