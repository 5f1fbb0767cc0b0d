/**
 * Simulation hot path, in process (no process start, no module loading): KTH
 * x8 with full accounting and --summary-only outputs under a chosen policy, and
 * CPU time and peak heap of the run. Usage:
 *   npx tsx bench/hotpath.ts [trace] [policy] [runs]
 * (defaults: the 227,808-job KTH-SP2 x8 trace, easy, 1 run). Figures, never pass/fail.
 */
import { cpus } from "node:os";
import { runScenario } from "../src/run/runScenario.js";
import { shippedPath } from "../src/io/paths.js";

const trace = process.argv[2] ?? shippedPath("../shared/data/traces/KTH-SP2-x8-scale.swf.gz");
const policy = process.argv[3] ?? "easy";
const runs = Number(process.argv[4] ?? 1);
for (let r = 0; r < runs; r++) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await runScenario({ overrides: { workload: trace, policy, out: shippedPath("results/bench-hotpath"), summaryOnly: true } });
  const cpu = process.cpuUsage(cpu0);
  const ms = performance.now() - t0;
  const heap = process.memoryUsage();
  console.log(
    `${policy}: ${out.summary.jobs} jobs, ${out.result.events} events, ${out.result.passes} passes: ` +
      `${(ms / 1000).toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU (${(cpu.user / 1e6).toFixed(2)} user), ` +
      `heap ${(heap.heapUsed / 2 ** 20).toFixed(0)} MB, rss ${(heap.rss / 2 ** 20).toFixed(0)} MB`,
  );
}
console.log(`(${cpus()[0]?.model ?? "?"}, Node ${process.version})`);
