// Entry point of a sweep worker thread (pool.ts). Plain ESM, so that Node
// loads it without a build step. It runs the worker loop of pool.ts
// (serveLane: claim tasks, run them, post their outcomes) from the fastest
// code there is (see pool.ts's module comment):
// 1. the JavaScript file of workerEntry.ts, passed in workerData.taskModule
//    (its chunk of the CLI bundle, or the library's workerEntry.js):
//    importing it puts serveLane on a global symbol;
// 2. the compiled pool.js beside this file (dist/lib/sweep/, where the
//    library build copies it);
// 3. the TypeScript source pool.ts through tsx, registered under its own
//    namespace (so it neither needs nor disturbs a tsx already active in the
//    process, as under `npx tsx` or vitest): slow to start, the fallback.
// The calling thread runs the same task function as a lane of its own, so
// every path executes the same code.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parentPort, workerData } from "node:worker_threads";

const LANE_KEY = Symbol.for("impactsim.sweep.serveLane");
const compiled = new URL("./pool.js", import.meta.url);

async function load() {
  const taskModule = workerData?.taskModule;
  if (typeof taskModule === "string" && existsSync(fileURLToPath(taskModule))) {
    await import(taskModule);
    if (typeof globalThis[LANE_KEY] === "function") return globalThis[LANE_KEY];
  }
  if (existsSync(fileURLToPath(compiled))) return (await import(compiled.href)).serveLane;
  const { register } = await import("tsx/esm/api");
  return (await register({ namespace: "impactsim-sweep-worker" }).import("./pool.ts", import.meta.url)).serveLane;
}

(await load())(parentPort, workerData.lane, workerData.lanes);
