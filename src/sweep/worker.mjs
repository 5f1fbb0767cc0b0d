// Entry point of a sweep worker thread (piscina). Plain ESM, so that Node
// loads it without a build step. It runs the task function of pool.ts, found
// beside it: the compiled pool.js when this file sits in the package's build
// (dist/lib/sweep/, where the build copies it), otherwise the TypeScript
// source pool.ts through tsx, registered under its own namespace (so it
// neither needs nor disturbs a tsx already active in the process, as under
// `npx tsx` or vitest). pool.ts also runs the task in-process when the pool
// has no worker threads, so both paths execute the same code.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const compiled = new URL("./pool.js", import.meta.url);

async function load() {
  if (existsSync(fileURLToPath(compiled))) return import(compiled.href);
  const { register } = await import("tsx/esm/api");
  return register({ namespace: "impactsim-sweep-worker" }).import("./pool.ts", import.meta.url);
}

const { runTaskEnvelope } = await load();

export default runTaskEnvelope;
