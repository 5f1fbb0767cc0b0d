// Entry point of a sweep worker thread (piscina). Plain ESM so that Node can
// load it without a build step: it registers tsx under its own namespace (so
// it neither needs nor disturbs a tsx already active in the process, as under
// `npx tsx` or vitest) and imports the TypeScript task runner through it. The
// task function itself lives in pool.ts, which also runs it in-process when
// the pool has no worker threads, so both paths execute the same code.
import { register } from "tsx/esm/api";

const tsx = register({ namespace: "impactsim-sweep-worker" });
const { runTaskEnvelope } = await tsx.import("./pool.ts", import.meta.url);

export default runTaskEnvelope;
