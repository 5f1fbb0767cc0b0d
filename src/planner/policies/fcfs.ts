/**
 * First come, first served: start jobs in queue order while the head fits in
 * some pool (the first, in platform order, with room: common.ts Capacity); stop at the
 * first job that fits nowhere. No backfilling.
 */
import type { ClusterView, Decision, Policy, WorldEvent } from "../view.js";
import { Capacity, firstFit, onlyIntensityChanged, QueueWalk } from "./common.js";

/** A pass that starts nothing (shared). */
const NOTHING: readonly Decision[] = Object.freeze([]);

export function policyFcfs(): Policy {
  // Through the queue's index when the world offers one: the queue array is never made, so a pass costs its starts.
  const walk = new QueueWalk();
  // The pass's free capacity, kept rather than made at every pass.
  const free = new Capacity();
  return {
    name: "fcfs",
    version: "1",
    params: {},
    decide(view: ClusterView, happened: readonly WorldEvent[]): readonly Decision[] {
      if (onlyIntensityChanged(happened)) return NOTHING;
      const queue = walk.start(view);
      let job = queue.next();
      if (job === undefined) return NOTHING;
      free.from(view.pools);
      let out: Decision[] | undefined;
      for (; job !== undefined; job = queue.next()) {
        const pool = firstFit(job, view.pools, free);
        if (pool < 0) break;
        (out ??= []).push({ kind: "start", jobId: job.id, pool });
      }
      return out ?? NOTHING;
    },
  };
}
