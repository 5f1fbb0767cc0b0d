/**
 * First come, first served: start jobs in queue order while the head fits in
 * some pool (the first, in platform order, with room: common.ts Capacity); stop at the
 * first job that fits nowhere. No backfilling.
 */
import type { ClusterView, Decision, Policy, WorldEvent } from "../view.js";
import { Capacity, firstFit, onlyIntensityChanged } from "./common.js";

export function policyFcfs(): Policy {
  return {
    name: "fcfs",
    version: "1",
    params: {},
    decide(view: ClusterView, happened: readonly WorldEvent[]): readonly Decision[] {
      if (onlyIntensityChanged(happened)) return [];
      const free = new Capacity().from(view.pools);
      const out: Decision[] = [];
      for (const job of view.queue) {
        const pool = firstFit(job, view.pools, free);
        if (pool < 0) break;
        out.push({ kind: "start", jobId: job.id, pool });
      }
      return out;
    },
  };
}
