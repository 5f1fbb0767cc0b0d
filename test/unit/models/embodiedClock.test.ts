/**
 * A pool's embodied clock (models/embodied.ts embodiedClock, embodiedSeconds):
 * the seconds of an interval charged embodied impacts under each rule, by hand
 * on the example (2,000 h life, one 4,000 h job) and against
 * embodiedShare, the rule stated as a share of the whole.
 */
import { describe, expect, it } from "vitest";
import { SECONDS_PER_YEAR } from "../../../src/core/units.js";
import { EMBODIED_RULES, embodiedClock, embodiedSeconds, embodiedShare } from "../../../src/models/embodied.js";

const H = 3600;
const years = (hours: number) => (hours * H) / SECONDS_PER_YEAR;
const clock = (rule: "linear" | "capped" | "paid", lifeH: number, ageH = 0) => embodiedClock(rule, [years(lifeH), years(lifeH), years(lifeH)], [years(ageH), years(ageH), years(ageH)]);

describe("embodiedSeconds", () => {
  it("the issue's example: a 4,000 h job on a node of 2,000 h life is charged 4,000 h linear, 2,000 h capped and paid; 1,000 h paid when the node is 1,000 h old", () => {
    expect(embodiedSeconds(clock("linear", 2000), 0, 0, 4000 * H, 0)).toBe(4000 * H);
    expect(embodiedSeconds(clock("capped", 2000), 0, 0, 4000 * H, 0)).toBeCloseTo(2000 * H, 3);
    expect(embodiedSeconds(clock("paid", 2000), 0, 0, 4000 * H)).toBeCloseTo(2000 * H, 3);
    expect(embodiedSeconds(clock("paid", 2000, 1000), 0, 0, 4000 * H)).toBeCloseTo(1000 * H, 3);
    expect(embodiedSeconds(clock("paid", 2000, 3000), 0, 0, 4000 * H)).toBe(0);
  });

  it("within the lifetime every rule charges exactly to - from", () => {
    for (const rule of EMBODIED_RULES) expect(embodiedSeconds(clock(rule, 2000), 1, 10.1, 20.3, 5)).toBe(20.3 - 10.1);
    expect(embodiedSeconds(undefined, 0, 10.1, 20.3)).toBe(20.3 - 10.1);
  });

  it("capped counts from the job's run start; time no job holds (no run start) is linear", () => {
    const c = clock("capped", 2000);
    // A run started at 5,000 h: its interval [6,500 h, 8,000 h] is charged up to 7,000 h.
    expect(embodiedSeconds(c, 0, 6500 * H, 8000 * H, 5000 * H)).toBeCloseTo(500 * H, 3);
    expect(embodiedSeconds(c, 0, 6500 * H, 8000 * H)).toBe(1500 * H);
  });

  it("paid clips to simulated time lifetime - age, whatever the interval", () => {
    const c = clock("paid", 2000, 500);
    expect(embodiedSeconds(c, 2, 1000 * H, 3000 * H)).toBeCloseTo(500 * H, 3);
    expect(embodiedSeconds(c, 2, 1600 * H, 3000 * H)).toBe(0);
  });

  it("agrees with embodiedShare on intervals from the run's start, for random ages, lengths and rules", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 300; i++) {
      const life = 100 + rnd() * 5000;
      const age = rnd() < 0.3 ? 0 : rnd() * 8000;
      const len = rnd() * 12000;
      const rule = EMBODIED_RULES[i % 3];
      const got = embodiedSeconds(clock(rule, life, age), 0, 0, len * H, 0) / (life * H);
      expect(got).toBeCloseTo(embodiedShare(age * H, len * H, life * H, rule), 9);
    }
  });

  it("refuses an unknown rule, a lifetime that is not > 0 and a negative age", () => {
    expect(() => embodiedClock("none" as never, [1, 1, 1], [0, 0, 0])).toThrow(/rule/);
    expect(() => embodiedClock("paid", [0, 1, 1], [0, 0, 0])).toThrow(/node: expected lifetime_years > 0/);
    expect(() => embodiedClock("paid", [1, 1, 1], [0, -1, 0])).toThrow(/gpu: expected age_years >= 0/);
  });
});
