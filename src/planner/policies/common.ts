/** Small pieces shared by the queue policies. */
import type { PoolView, WorldEvent } from "../view.js";

/**
 * Index of the first pool (platform order) with enough free nodes for `cores`,
 * and takes them from `free`; -1 when none has.
 */
export function firstFit(cores: number, pools: readonly PoolView[], free: number[]): number {
  for (let p = 0; p < pools.length; p++) {
    const need = Math.ceil(cores / pools[p].coresPerNode);
    if (need <= free[p]) {
      free[p] -= need;
      return p;
    }
  }
  return -1;
}

/**
 * True when nothing but intensity changes happened: a queue policy that ignores
 * intensity would decide exactly as in its previous pass, so it can skip.
 */
export function onlyIntensityChanged(happened: readonly WorldEvent[]): boolean {
  if (happened.length === 0) return false;
  for (const e of happened) if (e.kind !== "intensityChanged") return false;
  return true;
}
