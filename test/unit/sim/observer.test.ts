/**
 * combineObservers: every call reaches every observer that listens to it, in
 * the order the observers were given, with the same arguments, whatever the
 * number of listeners (one, the direct calls made for two to four, the loop
 * beyond; a site's meter reading to one, two or more); observers that do not
 * listen are skipped.
 */
import { describe, expect, it } from "vitest";
import { combineObservers, type JobFact, type SimObserver } from "../../../src/sim/observer.js";

describe("combineObservers", () => {
  for (const n of [0, 1, 2, 3, 4, 5, 7]) {
    it(`forwards a job end to each of ${n} listeners in order, skipping an observer without jobEnded`, () => {
      const calls: string[] = [];
      const fact = { end: 42 } as unknown as JobFact;
      const observers: SimObserver[] = [];
      for (let i = 0; i < n; i++) {
        observers.push({
          jobEnded(f) {
            expect(f).toBe(fact);
            calls.push(`end ${i}`);
          },
        });
        // One that listens to something else only, between the listeners.
        observers.push({ finished: (t) => calls.push(`finished ${i} at ${t}`) });
      }
      const o = combineObservers(...observers);
      o.jobEnded!(fact);
      o.finished!(7);
      const ends = Array.from({ length: n }, (_, i) => `end ${i}`);
      const finishes = Array.from({ length: n }, (_, i) => `finished ${i} at 7`);
      expect(calls).toEqual([...ends, ...finishes]);
    });
  }

  for (const n of [1, 2, 3]) {
    it(`forwards a site's meter reading with its six arguments to each of ${n} listeners in order`, () => {
      const calls: string[] = [];
      const observers: SimObserver[] = Array.from({ length: n }, (_, i) => ({
        siteInterval: (...args: number[]) => void calls.push(`${i}: ${args.join(" ")}`),
      }));
      combineObservers(...observers, { jobEnded: () => calls.push("not this") }).siteInterval!(1, 2, 3, 4, 5, 6);
      expect(calls).toEqual(Array.from({ length: n }, (_, i) => `${i}: 1 2 3 4 5 6`));
    });
  }

  it("a listener's method is called on its own observer (this is kept)", () => {
    class Counter implements SimObserver {
      ends = 0;
      jobEnded(): void {
        this.ends++;
      }
    }
    const a = new Counter();
    const b = new Counter();
    const c = new Counter();
    const o = combineObservers(a, b, c);
    o.jobEnded!({} as JobFact);
    o.jobEnded!({} as JobFact);
    expect([a.ends, b.ends, c.ends]).toEqual([2, 2, 2]);
  });
});
