// Entry point of a sweep worker thread (piscina). Plain ESM, so that Node
// loads it without a build step. It runs the task function of pool.ts from
// the fastest code there is (see pool.ts's module comment):
// 1. the JavaScript file of workerEntry.ts, passed in workerData.taskModule
//    (its chunk of the CLI bundle, or the library's workerEntry.js):
//    importing it puts the task function on a global symbol;
// 2. the compiled pool.js beside this file (dist/lib/sweep/, where the
//    library build copies it);
// 3. the TypeScript source pool.ts through tsx, registered under its own
//    namespace (so it neither needs nor disturbs a tsx already active in the
//    process, as under `npx tsx` or vitest): slow to start, the fallback.
// pool.ts also runs the task in-process when the pool has no worker threads,
// so every path executes the same code.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { workerData } from "node:worker_threads";

const TASK_KEY = Symbol.for("impactsim.sweep.runTaskEnvelope");
const compiled = new URL("./pool.js", import.meta.url);

async function load() {
  const taskModule = workerData?.taskModule;
  if (typeof taskModule === "string" && existsSync(fileURLToPath(taskModule))) {
    await import(taskModule);
    if (typeof globalThis[TASK_KEY] === "function") return globalThis[TASK_KEY];
  }
  if (existsSync(fileURLToPath(compiled))) return (await import(compiled.href)).runTaskEnvelope;
  const { register } = await import("tsx/esm/api");
  return (await register({ namespace: "impactsim-sweep-worker" }).import("./pool.ts", import.meta.url)).runTaskEnvelope;
}

export default await load();
