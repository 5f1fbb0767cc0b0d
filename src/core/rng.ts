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
