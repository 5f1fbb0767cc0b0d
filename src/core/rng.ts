/**
 * Seeded random numbers. Planner and simulator code draw randomness only from
 * an Rng they are given, never from Math.random, so runs are reproducible.
 */
import seedrandom from "seedrandom";

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal draw (Box-Muller). */
  normal(): number;
}

/** A reproducible generator (Alea) seeded from a string or number. */
export function rngSeeded(seed: string | number): Rng {
  const alea = seedrandom.alea(String(seed));
  let spare: number | undefined;
  return {
    next: () => alea(),
    normal() {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      let u = 0;
      while (u === 0) u = alea();
      const v = alea();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

/** Derives a child seed from a parent seed and a label, so sub-streams stay independent and stable. */
export function deriveSeed(seed: string | number, label: string): string {
  return `${seed}/${label}`;
}

/**
 * A uniform number in [0, 1) from a seed and an integer key, without state:
 * the same pair always gives the same number (used to assign classes to jobs
 * reproducibly whatever the order they are read in). Mixing: splitmix32-style.
 */
export function hashUnit(seed: number, key: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(key | 0, 0x85ebca6b) ^ Math.floor(key / 4294967296)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}
