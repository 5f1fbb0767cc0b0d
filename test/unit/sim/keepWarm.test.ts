/**
 * What sim/keepWarm.ts keeps, as memory sees it: after a run, its policy (and
 * simulate's closures) stay reachable until the next run of the same kind
 * ends, then become garbage; a run under another policy does not release the
 * first policy's slot; dropWarm() releases everything. Reachability is read
 * from WeakRefs after a full collection (gc exposed through V8's flags).
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { policyEasyBackfill, policyFcfs, type Policy } from "../../../src/planner/index.js";
import { dropWarm } from "../../../src/sim/index.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { runTiny } from "../../helpers/runTiny.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
/** A full collection, after the current job (a WeakRef read in this job is kept alive until it ends). */
const collect = async () => {
  await new Promise((r) => setTimeout(r, 0));
  gc();
};

const platform = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.3 }], [{ nodes: 2, cores: 4, idle: 50, max: 100 }]);
const jobs = () => [job(1, 0, 100, 200, 2), job(2, 10, 50, 100, 4)];

describe("keepWarm: the last run of each kind stays reachable", () => {
  it("keeps a run's policy until the next run of that policy ends, keeps another policy's slot, and dropWarm releases all", async () => {
    const refs: WeakRef<Policy<unknown>>[] = [];
    const run = async (make: () => Policy<unknown>) => {
      const p = make();
      refs.push(new WeakRef(p));
      await runTiny(platform, p, jobs());
    };
    await run(() => policyEasyBackfill()); // refs[0]
    await collect();
    expect(refs[0].deref()).toBeDefined();
    await run(() => policyFcfs()); // refs[1]: another slot
    await collect();
    expect([refs[0].deref() !== undefined, refs[1].deref() !== undefined]).toEqual([true, true]);
    await run(() => policyEasyBackfill()); // refs[2] replaces refs[0]
    await collect();
    expect([refs[0].deref() === undefined, refs[1].deref() !== undefined, refs[2].deref() !== undefined]).toEqual([true, true, true]);
    dropWarm();
    await collect();
    expect(refs.map((r) => r.deref() === undefined)).toEqual([true, true, true]);
  });
});
