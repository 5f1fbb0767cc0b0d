/**
 * SWF reader throughput: reads a trace through openSwf(...).batches() and
 * prints jobs/s and ms. Usage: npx tsx bench/swf.ts [file] [runs]
 * (default: the 227,808-job KTH-SP2 x8 scale trace, 5 runs; best run reported).
 */
import { cpus } from "node:os";
import { AdjustmentLog } from "../src/core/index.js";
import { openSwf } from "../src/io/swf.js";

const file = process.argv[2] ?? "/work/shared/data/traces/KTH-SP2-x8-scale.swf.gz";
const runs = Number(process.argv[3] ?? 5);

let best = Infinity;
for (let r = 0; r < runs; r++) {
  const log = new AdjustmentLog();
  const t0 = performance.now();
  const reader = await openSwf(file, { mode: "lenient", log });
  let jobs = 0;
  for await (const batch of reader.batches()) jobs += batch.length;
  const ms = performance.now() - t0;
  best = Math.min(best, ms);
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
  console.log(
    `run ${r + 1}: ${jobs} jobs, ${log.total} adjusted ${JSON.stringify(log.toJSON())}, ` +
      `${ms.toFixed(1)} ms, ${Math.round(jobs / (ms / 1000)).toLocaleString("en")} jobs/s, heap ${heapMb.toFixed(1)} MB`,
  );
}
console.log(`best: ${best.toFixed(1)} ms (${cpus()[0]?.model ?? "unknown cpu"}, Node ${process.version})`);
