/**
 * Sweep speed-up: the 200-variant sweep bench/sweep-200.json (4 policies x 5 PUE
 * values x 10 replicas of scenarios/qos-eu.json) with 1 worker (in-process)
 * and with 2 worker threads; prints seconds, variants/s, the speed-up, and
 * whether both results.jsonl are byte-identical. A figure, not a test.
 * Usage: npx tsx bench/sweep200.ts
 */
import { readFileSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { shippedPath } from "../src/io/paths.js";
import { runSweep } from "../src/sweep/runSweep.js";

const file = shippedPath("bench/sweep-200.json");
const seconds: number[] = [];
const outputs: string[] = [];
for (const workers of [1, 2]) {
  const out = shippedPath(`results/bench-sweep-200-w${workers}`);
  rmSync(out, { recursive: true, force: true });
  const t0 = performance.now();
  await runSweep({ file, workers, out });
  seconds.push((performance.now() - t0) / 1000);
  outputs.push(readFileSync(join(out, "results.jsonl"), "utf8"));
  console.log(`${workers} worker(s): ${seconds[seconds.length - 1].toFixed(1)} s, ${(200 / seconds[seconds.length - 1]).toFixed(2)} variants/s`);
}
console.log(`speed-up 1 -> 2 workers: ${(seconds[0] / seconds[1]).toFixed(2)}x on ${cpus().length} cores; results identical: ${outputs[0] === outputs[1] ? "yes" : "NO"}`);
