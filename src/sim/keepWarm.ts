/**
 * Keeps the last run's closures alive so that the next run in the same thread
 * starts with their optimized code.
 *
 * Why: a simulation's hot functions (simulate's inner functions, a policy's
 * decide and its helpers) are closures made anew for each run. Closures of one
 * function share its feedback vector, but V8 holds the optimized code there
 * weakly: once the closures of a finished run are garbage, a collection drops
 * that code, and the next run's closures are compiled again. A sweep lane
 * running variant after variant spent most of its compiler time that way
 * (bench/sweep-200.json, 1 worker: 11.7 s of TurboFan compilation over 200
 * variants; 4.1 s with the last run's closures kept).
 *
 * What it costs: the kept closures hold their run's state (its context) until
 * the next run of the same kind ends and replaces them; a run that throws
 * keeps nothing new. Nothing here changes what a run computes.
 */

const kept = new Map<string, readonly unknown[]>();

/** Keeps `parts` (closures, or objects holding them) under `slot`, replacing what the slot held. */
export function keepWarm(slot: string, parts: readonly unknown[]): void {
  kept.set(slot, parts);
}

/** Drops everything kept (a long-lived process that wants the memory back). */
export function dropWarm(): void {
  kept.clear();
}
