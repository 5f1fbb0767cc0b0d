/**
 * SWF reader throughput: reads a trace through openSwf(...).batches() and
 * prints jobs/s, wall and CPU ms (the process's: gunzip runs on libuv's
 * threads beside the parser). Usage: npx tsx bench/swf.ts [file] [runs]
 * (default: the 227,808-job KTH-SP2 x8 scale trace, 5 runs). Reported: the
 * first run, which pays for V8 compiling the parser as a run does (most of a
 * 20,000-job burst's reading), and the best run. Figures, never pass/fail; on
 * a busy machine compare builds by instructions instead (`valgrind
 * --tool=callgrind node --single-threaded ...`: the same from run to run).
 */
import { cpus } from "node:os";
import { AdjustmentLog } from "../src/core/index.js";
import { openSwf } from "../src/io/swf.js";

const file = process.argv[2] ?? "/work/shared/data/traces/KTH-SP2-x8-scale.swf.gz";
const runs = Number(process.argv[3] ?? 5);

let best = Infinity;
let first = 0;
for (let r = 0; r < runs; r++) {
  const log = new AdjustmentLog();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const reader = await openSwf(file, { mode: "lenient", log });
  let jobs = 0;
  for await (const batch of reader.batches()) jobs += batch.length;
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (r === 0) first = ms;
  best = Math.min(best, ms);
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
  console.log(
    `run ${r + 1}: ${jobs} jobs, ${log.total} adjusted ${JSON.stringify(log.toJSON())}, ` +
      `${ms.toFixed(1)} ms (CPU ${((c.user + c.system) / 1000).toFixed(1)} ms), ${Math.round(jobs / (ms / 1000)).toLocaleString("en")} jobs/s, heap ${heapMb.toFixed(1)} MB`,
  );
}
console.log(`first: ${first.toFixed(1)} ms, best: ${best.toFixed(1)} ms (${cpus()[0]?.model ?? "unknown cpu"}, Node ${process.version})`);
