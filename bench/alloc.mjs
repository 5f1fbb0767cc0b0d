// What a whole run allocates, objects collected since included, sampled by
// V8's heap profiler (one sample per 4 KB on average), as a preload:
//   node --import ./bench/alloc.mjs dist/impactsim.mjs run --summary-only ...
// At exit it writes the profile to $ALLOC_OUT (default results/alloc.heapprofile)
// and prints the largest allocating source functions to stderr
// (bench/profile-report.mjs; $ALLOC_TOP of them, default 25). Allocation is
// much the same from run to run, so it compares builds on a busy machine
// where CPU time does not.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Session } from "node:inspector";
import { isMainThread } from "node:worker_threads";
import { report } from "./profile-report.mjs";

// Worker threads inherit the preload (jobs.csv's writer, sweep lanes): the process's thread alone is sampled.
if (isMainThread) sample();

/** Samples this thread's allocation from now; at exit writes the profile and prints the largest sites. */
function sample() {
  const out = process.env.ALLOC_OUT ?? "results/alloc.heapprofile";
  const session = new Session();
  session.connect();
  session.post("HeapProfiler.startSampling", { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  process.on("exit", (code) => {
    // A session on this thread answers at once, so the profile is written before the process ends.
    session.post("HeapProfiler.stopSampling", (err, result) => {
      if (err) return void process.stderr.write(`bench/alloc.mjs: ${err.message}\n`);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, JSON.stringify(result.profile));
      process.stderr.write(`allocation (${out}):\n${report(result.profile, Number(process.env.ALLOC_TOP ?? 25)).join("\n")}\n`);
      // A run that failed (a path relative to another folder, a bad flag) allocates little: say so beside its figures.
      if (code !== 0) process.stderr.write(`bench/alloc.mjs: the run exited with code ${code}: these are the allocations of a failed run\n`);
    });
  });
}
