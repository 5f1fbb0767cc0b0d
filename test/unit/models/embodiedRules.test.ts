import { describe, expect, it } from "vitest";
import { DEFAULT_EMBODIED_RULE, embodiedShare, EMBODIED_RULES } from "../../../src/models/embodied.js";

const H = 3600;

describe("embodiedShare", () => {
  it("DEFAULT_EMBODIED_RULE is \"paid\", and the three rules are linear, capped, paid", () => {
    expect(DEFAULT_EMBODIED_RULE).toBe("paid");
    expect(EMBODIED_RULES).toEqual(["linear", "capped", "paid"]);
  });

  it("embodiedShare(age, seconds, lifetime, rule) agree within the lifetime: seconds / lifetime", () => {
    for (const rule of EMBODIED_RULES) expect(embodiedShare(100 * H, 500 * H, 2000 * H, rule)).toBe(500 / 2000);
  });

  it("embodiedShare(0, 4000 h, 2000 h) is 2 linear, 1 capped, 1 paid: the issue's 100 kg node running one 4,000 h job pays 200, 100 and 100 kg", () => {
    expect(100 * embodiedShare(0, 4000 * H, 2000 * H, "linear")).toBe(200);
    expect(100 * embodiedShare(0, 4000 * H, 2000 * H, "capped")).toBe(100);
    expect(100 * embodiedShare(0, 4000 * H, 2000 * H, "paid")).toBe(100);
  });

  it("embodiedShare(age past the lifetime, ...) is nothing when paid, the linear share otherwise", () => {
    expect(embodiedShare(3000 * H, 100 * H, 2000 * H, "paid")).toBe(0);
    expect(embodiedShare(3000 * H, 100 * H, 2000 * H, "capped")).toBe(100 / 2000);
    expect(embodiedShare(3000 * H, 100 * H, 2000 * H, "linear")).toBe(100 / 2000);
    // Straddling the end of life: only the part before it.
    expect(embodiedShare(1900 * H, 300 * H, 2000 * H, "paid")).toBe(100 / 2000);
  });

  it("embodiedShare over a node's whole service, in intervals, sums to exactly its embodied impacts when paid, more when linear", () => {
    // A node kept 3,000 h on a 2,000 h lifetime, used in 300 one-hour slices every 10 h.
    let paid = 0;
    let linear = 0;
    for (let age = 0; age < 3000 * H; age += 10 * H) {
      paid += embodiedShare(age, 10 * H, 2000 * H, "paid");
      linear += embodiedShare(age, 10 * H, 2000 * H, "linear");
    }
    expect(paid).toBeCloseTo(1, 12);
    expect(linear).toBeCloseTo(1.5, 12);
  });

  it("embodiedShare(...) throws a RangeError on a negative age or length, a lifetime that is not > 0, or an unknown rule", () => {
    expect(() => embodiedShare(-1, 1, 1)).toThrow("embodiedShare: expected ageStart >= 0 s, got -1");
    expect(() => embodiedShare(0, -1, 1)).toThrow("embodiedShare: expected seconds >= 0, got -1");
    expect(() => embodiedShare(0, 1, 0)).toThrow("embodiedShare: expected lifetime > 0 s, got 0");
    expect(() => embodiedShare(0, 1, 1, "straight" as never)).toThrow('embodiedShare: expected a rule (linear, capped, paid), got "straight"');
  });
});
