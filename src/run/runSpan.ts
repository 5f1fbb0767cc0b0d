/**
 * What a run is known to need before it starts: from simulation time 0 to at
 * least the end of its last job run without waiting (its submit time plus its
 * run time, cut at its walltime). Read by a pass over the workload that keeps
 * nothing, so the grid series can be checked before a long simulation, not
 * after it (models/coverage.ts holds the rule).
 */
import { AdjustmentLog, InputError } from "../core/index.js";
import { coveredFrom, coveredUntil, uncoveredIssues } from "../models/index.js";
import type { PlatformModel } from "../models/index.js";
import { openSwf, type SwfReadOptions } from "../io/index.js";

/** Latest submit and latest known end over a trace's jobs, s (submit times divided by `scale`). */
export async function traceSpan(path: string, options: SwfReadOptions, scale = 1): Promise<{ lastSubmit: number; lastEnd: number; jobs: number }> {
  // A reader of its own with a log of its own: the run's reader counts the adjustments.
  const reader = await openSwf(path, { ...options, log: new AdjustmentLog() });
  let lastSubmit = 0;
  let lastEnd = 0;
  let jobs = 0;
  for await (const batch of reader.batches()) {
    for (const j of batch) {
      const submit = j.submit / scale;
      const run = Math.min(j.runtime, j.walltime);
      if (submit > lastSubmit) lastSubmit = submit;
      if (submit + run > lastEnd) lastEnd = submit + run;
    }
    jobs += batch.length;
  }
  return { lastSubmit, lastEnd, jobs };
}

/**
 * Refuses, before simulating, a run its platform's non-extending series cannot
 * cover: from time 0 to `knownEnd` (a lower bound of its end).
 * @throws InputError (series_too_short) naming each series, its span and the run's
 */
export function checkRunCovered(platform: PlatformModel, knownEnd: number): void {
  if (coveredUntil(platform) >= knownEnd && coveredFrom(platform) <= 0) return;
  throw new InputError(uncoveredIssues(platform, 0, knownEnd, "the workload's last job, run without waiting, makes the run need"));
}
