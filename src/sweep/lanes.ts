/**
 * How the lanes of a run pool (pool.ts) deal a batch of tasks among
 * themselves: lane l of n claims first from its own contiguous block of the
 * batch (tasks [floor(l·len/n), floor((l+1)·len/n)), in order), then steals
 * from the end of what is left, the latest batch first. Neighbouring tasks of
 * a sweep mostly share their policy, so a lane meets the code of fewer
 * policies (each thread compiles what it runs); stealing keeps every lane
 * busy until nothing is left.
 *
 * A claim is an atomic compare-and-exchange on the task's slot in shared
 * memory (0: free, else 1 + the lane that took it), so each thread claims its
 * next task by itself and no task runs twice.
 */

/** A slot nobody has claimed. */
export const FREE = 0;

/** Tasks given to the pool in one go, with one claim slot each (an Int32Array over a SharedArrayBuffer). */
export interface Batch<T> {
  readonly id: number;
  readonly status: Int32Array;
  readonly tasks: readonly T[];
}

/** A new batch's slots, all free. */
export function claimSlots(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * Math.max(1, n)));
}

/** Claims slot i of b for `lane` when it is free. */
function take(b: Batch<unknown>, i: number, lane: number): boolean {
  return Atomics.load(b.status, i) === FREE && Atomics.compareExchange(b.status, i, FREE, lane + 1) === FREE;
}

/**
 * The next task of `lane` (0-based, of `lanes`) in the batches (oldest first),
 * claimed: its own block first, then from the end; undefined when every task
 * is claimed.
 */
export function claim<B extends Batch<unknown>>(batches: readonly B[], lane: number, lanes: number): { batch: B; slot: number } | undefined {
  for (const b of batches) {
    const n = b.tasks.length;
    for (let i = Math.floor((lane * n) / lanes), to = Math.floor(((lane + 1) * n) / lanes); i < to; i++) if (take(b, i, lane)) return { batch: b, slot: i };
  }
  for (let k = batches.length - 1; k >= 0; k--) {
    const b = batches[k];
    for (let i = b.tasks.length - 1; i >= 0; i--) if (take(b, i, lane)) return { batch: b, slot: i };
  }
  return undefined;
}
