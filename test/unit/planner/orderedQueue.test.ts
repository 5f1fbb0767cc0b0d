import { describe, expect, it } from "vitest";
import { OrderedQueue, type QueueItem } from "../../../src/planner/orderedQueue.js";

/** A deterministic generator (LCG), so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** The brute-force answer: scan a plain array in arrival order. */
function bruteNext(items: readonly QueueItem[], after: QueueItem | undefined, cores: number, shortCores: number, shortSeconds: number): QueueItem | undefined {
  for (const x of items) {
    if (after !== undefined && x.arrival <= after.arrival) continue;
    if (x.leastCores <= cores || (x.leastCores <= shortCores && x.leastSeconds <= shortSeconds)) return x;
  }
  return undefined;
}

describe("OrderedQueue (the queue indexed by need)", () => {
  it("answers every search as a scan of the queue in arrival order would, through inserts, removals and re-inserts", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rnd = lcg(seed);
      const q = new OrderedQueue<QueueItem>();
      let ref: QueueItem[] = [];
      let arrival = 0;
      const removed: QueueItem[] = [];
      for (let step = 0; step < 1500; step++) {
        const r = rnd();
        if (r < 0.45) {
          const item = { arrival: arrival++, leastCores: 1 + Math.floor(rnd() * 64), leastSeconds: Math.floor(rnd() * 1000) };
          q.insert(item);
          ref.push(item);
        } else if (r < 0.8 && ref.length > 0) {
          const item = ref[Math.floor(rnd() * ref.length)];
          expect(q.remove(item)).toBe(true);
          expect(q.remove(item)).toBe(false);
          ref = ref.filter((x) => x !== item);
          removed.push(item);
        } else if (r < 0.85 && removed.length > 0) {
          // back at its place by arrival (a suspended job re-queued)
          const item = removed.splice(Math.floor(rnd() * removed.length), 1)[0];
          q.insert(item);
          ref = [...ref, item].sort((a, b) => a.arrival - b.arrival);
        } else {
          const after = rnd() < 0.3 || ref.length === 0 ? undefined : ref[Math.floor(rnd() * ref.length)];
          const cores = Math.floor(rnd() * 70);
          const shortCores = Math.floor(rnd() * 70);
          const shortSeconds = rnd() * 1000;
          expect(q.next(after, cores, shortCores, shortSeconds)).toBe(bruteNext(ref, after, cores, shortCores, shortSeconds));
        }
        expect(q.length).toBe(ref.length);
      }
      expect(q.toArray()).toEqual(ref);
      expect([...q]).toEqual(ref);
      expect(q.first()).toBe(ref[0]);
    }
  });

  it("continues after a job that has just left the queue, and passes over nothing with unbounded cores", () => {
    const q = new OrderedQueue<QueueItem>();
    const items = [0, 1, 2, 3].map((a) => ({ arrival: a, leastCores: 8, leastSeconds: 100 }));
    for (const x of items) q.insert(x);
    q.remove(items[1]);
    expect(q.next(items[1], 8, 0, 0)).toBe(items[2]);
    expect(q.next(undefined, Infinity, 0, -Infinity)).toBe(items[0]);
    expect(q.next(items[0], 7, 8, 99)).toBeUndefined();
    expect(q.next(items[0], 7, 8, 100)).toBe(items[2]);
  });
});
