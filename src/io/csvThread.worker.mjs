// Entry point of the thread that writes long CSV files (io/csvThread.ts).
// Plain ESM, so that Node loads it without a build step. It runs serveCsv
// from the fastest code there is: the JavaScript file of csvThreadServe.ts
// named in workerData.moduleUrl (its chunk of the CLI bundle, or the
// library's compiled file), else the TypeScript source through tsx,
// registered under its own namespace (the sources under vitest or tsx).
import { parentPort, workerData } from "node:worker_threads";

async function load() {
  const url = workerData.moduleUrl;
  if (/\.(m?js|cjs)$/.test(new URL(url).pathname)) return (await import(url)).serveCsv;
  const { register } = await import("tsx/esm/api");
  return (await register({ namespace: "impactsim-csv-thread" }).import(url, import.meta.url)).serveCsv;
}

try {
  (await load())(parentPort, workerData);
} catch (err) {
  // Not loaded: the making thread learns why (it waits on the control words).
  const control = workerData.control;
  workerData.result.postMessage({ error: { message: `cannot start the thread writing CSV files: ${err?.message ?? err}` } });
  Atomics.store(control, 3, 2); // CONTROL.state = CONTROL.failed, then CONTROL.signal bumped (io/csvThreadProtocol.ts)
  Atomics.add(control, 0, 1);
  Atomics.notify(control, 0);
  parentPort.close();
}
