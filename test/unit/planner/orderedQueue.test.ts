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

  it("answers as the scan does on queues long enough for groups of blocks (thousands of jobs, a burst drained from the head, jobs leaving anywhere)", () => {
    for (let seed = 1; seed <= 3; seed++) {
      const rnd = lcg(100 + seed);
      const q = new OrderedQueue<QueueItem>();
      let ref: QueueItem[] = [];
      // A burst: 6,000 jobs, mostly wide and long, a few narrow or short ones (what a search must find).
      for (let a = 0; a < 6000; a++) {
        const narrow = rnd() < 0.01;
        const item = { arrival: a, leastCores: narrow ? 1 + Math.floor(rnd() * 4) : 16 + Math.floor(rnd() * 48), leastSeconds: narrow ? Math.floor(rnd() * 100) : 1000 + Math.floor(rnd() * 5000) };
        q.insert(item);
        ref.push(item);
      }
      let arrival = 6000;
      for (let step = 0; step < 3000; step++) {
        const r = rnd();
        if (r < 0.3 && ref.length > 0) {
          // the head starts (a burst drains from the front)
          const item = ref[Math.floor(rnd() * Math.min(3, ref.length))];
          expect(q.remove(item)).toBe(true);
          ref = ref.filter((x) => x !== item);
        } else if (r < 0.45 && ref.length > 0) {
          const item = ref[Math.floor(rnd() * ref.length)];
          expect(q.remove(item)).toBe(true);
          ref = ref.filter((x) => x !== item);
        } else if (r < 0.55) {
          const item = { arrival: arrival++, leastCores: 1 + Math.floor(rnd() * 64), leastSeconds: Math.floor(rnd() * 6000) };
          q.insert(item);
          ref.push(item);
        } else {
          // searches from the head and from anywhere, with bounds that pass over most jobs
          const after = rnd() < 0.5 || ref.length === 0 ? undefined : ref[Math.floor(rnd() * ref.length)];
          const cores = Math.floor(rnd() * 20);
          const shortCores = Math.floor(rnd() * 64);
          const shortSeconds = rnd() * 2000;
          expect(q.next(after, cores, shortCores, shortSeconds)).toBe(bruteNext(ref, after, cores, shortCores, shortSeconds));
        }
      }
      expect(q.length).toBe(ref.length);
      expect(q.toArray()).toEqual(ref);
      // Drained to empty and filled again: nothing of the old groups remains.
      for (const x of [...ref]) q.remove(x);
      expect(q.length).toBe(0);
      expect(q.next(undefined, Infinity, 0, -Infinity)).toBeUndefined();
      const again = Array.from({ length: 2000 }, (_, a) => ({ arrival: 10_000 + a, leastCores: a === 1500 ? 2 : 32, leastSeconds: 500 }));
      for (const x of again) q.insert(x);
      expect(q.next(undefined, 4, 0, -Infinity)).toBe(again[1500]);
      expect(q.next(again[1500], 4, 0, -Infinity)).toBeUndefined();
    }
  });

  it("finds a job that joins a group a search has just passed over (at the end, or re-queued at its place in the middle)", () => {
    const q = new OrderedQueue<QueueItem>();
    // 5,000 wide jobs (arrivals 0, 2, 4, ...): every group is passed over by a search for 4 cores.
    const wide = Array.from({ length: 5000 }, (_, k) => ({ arrival: 2 * k, leastCores: 32, leastSeconds: 1000 }));
    for (const x of wide) q.insert(x);
    expect(q.next(undefined, 4, 4, 10)).toBeUndefined();
    const last = { arrival: 20_000, leastCores: 2, leastSeconds: 1000 };
    q.insert(last);
    expect(q.next(undefined, 4, 4, 10)).toBe(last);
    const middle = { arrival: 3001, leastCores: 64, leastSeconds: 5 };
    q.insert(middle);
    expect(q.next(undefined, 4, 64, 10)).toBe(middle);
    expect(q.next(middle, 4, 64, 10)).toBe(last);
    // A block splits (more than 2 x 64 jobs in it) and later blocks shift: still found.
    for (let k = 0; k < 200; k++) q.insert({ arrival: 3001 + 2 * k + 0.5, leastCores: 32, leastSeconds: 1000 });
    expect(q.next(undefined, 4, 64, 10)).toBe(middle);
    expect(q.next(middle, 4, 4, 10)).toBe(last);
    expect(q.remove(middle)).toBe(true);
    expect(q.next(undefined, 4, 64, 10)).toBe(last);
  });

  it("finds a job whose block moved to the next group when an earlier block split", () => {
    const q = new OrderedQueue<QueueItem>();
    const wide = Array.from({ length: 5000 }, (_, k) => ({ arrival: 2 * k, leastCores: 32, leastSeconds: 1000 }));
    for (const x of wide) q.insert(x);
    // Near the end of the first group of blocks (blocks of about 64 jobs, 16 blocks a group).
    const narrow = { arrival: 2045, leastCores: 2, leastSeconds: 1000 };
    q.insert(narrow);
    expect(q.next(undefined, 4, 4, 10)).toBe(narrow);
    expect(q.next(narrow, 4, 4, 10)).toBeUndefined();
    // 70 jobs into the first block: it splits, and every later block moves up one place.
    for (let k = 0; k < 70; k++) q.insert({ arrival: 0.5 + k / 100, leastCores: 32, leastSeconds: 1000 });
    expect(q.next(undefined, 4, 4, 10)).toBe(narrow);
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

  it("answers as the scan does while groups split in the middle (jobs re-queued there) and empty groups merge with their neighbours (the middle drained)", () => {
    const rnd = lcg(7);
    const q = new OrderedQueue<QueueItem>();
    let ref: QueueItem[] = [];
    const key = (a: number): QueueItem => ({ arrival: a, leastCores: rnd() < 0.02 ? 1 + Math.floor(rnd() * 4) : 16 + Math.floor(rnd() * 48), leastSeconds: Math.floor(rnd() * 5000) });
    const check = () => {
      for (let k = 0; k < 5; k++) {
        const after = rnd() < 0.5 || ref.length === 0 ? undefined : ref[Math.floor(rnd() * ref.length)];
        const cores = Math.floor(rnd() * 20);
        const shortCores = Math.floor(rnd() * 64);
        const shortSeconds = rnd() * 3000;
        expect(q.next(after, cores, shortCores, shortSeconds)).toBe(bruteNext(ref, after, cores, shortCores, shortSeconds));
      }
      expect(q.length).toBe(ref.length);
    };
    // 4,000 jobs at even arrivals, then 4,000 more at odd arrivals inside the middle third: its blocks and groups split there.
    for (let a = 0; a < 4000; a++) {
      const x = key(2 * a);
      q.insert(x);
      ref.push(x);
    }
    for (let k = 0; k < 4000; k++) {
      const x = key(2 * (1300 + (k % 1300)) + 1 - 1e-4 * Math.floor(k / 1300) - 0.5);
      q.insert(x);
      ref.push(x);
      if (k % 97 === 0) {
        ref.sort((u, v) => u.arrival - v.arrival);
        check();
      }
    }
    ref.sort((u, v) => u.arrival - v.arrival);
    expect(q.toArray()).toEqual(ref);
    check();
    // The middle drained job by job (whole blocks and groups empty), the ends kept.
    const middle = ref.filter((x) => x.arrival > 2000 && x.arrival < 6000);
    for (let k = 0; k < middle.length; k++) {
      const x = middle[(k * 7919) % middle.length];
      if (!ref.includes(x)) continue;
      expect(q.remove(x)).toBe(true);
      ref = ref.filter((y) => y !== x);
      if (k % 211 === 0) check();
    }
    for (const x of middle) if (ref.includes(x)) {
      q.remove(x);
      ref = ref.filter((y) => y !== x);
    }
    expect(q.toArray()).toEqual(ref);
    check();
  });

  it("finds the narrow jobs while the queue drains in random order (blocks and groups emptying and merging, each search after one removal)", () => {
    const rnd = lcg(11);
    const q = new OrderedQueue<QueueItem>();
    let ref: QueueItem[] = [];
    for (let a = 0; a < 5000; a++) {
      const x = { arrival: a, leastCores: a === 1100 || a === 4900 ? 2 : 32, leastSeconds: 1000 + a };
      q.insert(x);
      ref.push(x);
    }
    const order = ref.filter((x) => x.leastCores > 2);
    for (let k = order.length - 1; k > 0; k--) {
      const j = Math.floor(rnd() * (k + 1));
      [order[k], order[j]] = [order[j], order[k]];
    }
    for (const x of order) {
      expect(q.remove(x)).toBe(true);
      ref = ref.filter((y) => y !== x);
      const after = ref[Math.floor(rnd() * ref.length)];
      expect(q.next(undefined, 4, 0, -Infinity)).toBe(bruteNext(ref, undefined, 4, 0, -Infinity));
      expect(q.next(after, 4, 0, -Infinity)).toBe(bruteNext(ref, after, 4, 0, -Infinity));
    }
    expect(q.toArray()).toEqual(ref);
  });

  it("walks as the scan does when each search goes on from the job the last one found or began after, with jobs joining and leaving between steps (the found job too)", () => {
    const rnd = lcg(23);
    const q = new OrderedQueue<QueueItem>();
    let ref: QueueItem[] = [];
    let arrival = 0;
    for (; arrival < 3000; arrival++) {
      const x = { arrival, leastCores: 1 + Math.floor(rnd() * 64), leastSeconds: Math.floor(rnd() * 5000) };
      q.insert(x);
      ref.push(x);
    }
    for (let walk = 0; walk < 300; walk++) {
      const cores = Math.floor(rnd() * 12);
      const shortCores = Math.floor(rnd() * 64);
      const shortSeconds = rnd() * 3000;
      let at: QueueItem | undefined = undefined;
      for (let step = 0; step < 40; step++) {
        // A look at the very next job first (EASY asks whether the head is the last job), then the search from the same job.
        if (rnd() < 0.5) expect(q.next(at, Infinity, 0, -Infinity)).toBe(bruteNext(ref, at, Infinity, 0, -Infinity));
        const want = bruteNext(ref, at, cores, shortCores, shortSeconds);
        const got = q.next(at, cores, shortCores, shortSeconds);
        expect(got).toBe(want);
        if (got === undefined) break;
        at = got;
        const r = rnd();
        if (r < 0.15) {
          // the job found leaves (it starts): the walk goes on after it
          q.remove(got);
          ref = ref.filter((x) => x !== got);
        } else if (r < 0.25 && ref.length > 0) {
          const x = ref[Math.floor(rnd() * ref.length)];
          if (x !== got) {
            q.remove(x);
            ref = ref.filter((y) => y !== x);
          }
        } else if (r < 0.3) {
          const x = { arrival: arrival++, leastCores: 1 + Math.floor(rnd() * 64), leastSeconds: Math.floor(rnd() * 5000) };
          q.insert(x);
          ref.push(x);
        }
      }
    }
  });
  it("works a queue emptied and filled again out afresh (the emptied group kept for the next job: its keys of the jobs gone are not kept)", () => {
    const q = new OrderedQueue<QueueItem>();
    let arrival = 0;
    // Each round: one wide long job, searched (its keys worked out), gone; then a narrow short one, searched by bounds the wide one failed.
    for (let round = 0; round < 5; round++) {
      const wide = { arrival: arrival++, leastCores: 64, leastSeconds: 5000 };
      q.insert(wide);
      expect(q.next(undefined, 4, 4, 100)).toBeUndefined();
      expect(q.next(undefined, 64, 0, -Infinity)).toBe(wide);
      expect(q.remove(wide)).toBe(true);
      expect(q.length).toBe(0);
      expect(q.first()).toBeUndefined();
      const narrow = { arrival: arrival++, leastCores: 2, leastSeconds: 50 };
      q.insert(narrow);
      expect(q.next(undefined, 4, 0, -Infinity)).toBe(narrow);
      expect(q.next(undefined, 1, 2, 50)).toBe(narrow);
      const short = { arrival: arrival++, leastCores: 32, leastSeconds: 10 };
      q.insert(short);
      expect(q.next(narrow, 4, 32, 10)).toBe(short);
      expect(q.toArray()).toEqual([narrow, short]);
      q.remove(narrow);
      q.remove(short);
      expect([...q]).toEqual([]);
    }
  });
  it("removes the head, the job the last search found, or any other, leaving the queue the scan's (found places stale after a change are not used)", () => {
    for (let seed = 1; seed <= 6; seed++) {
      const rnd = lcg(seed);
      const q = new OrderedQueue<QueueItem>();
      let ref: QueueItem[] = [];
      let arrival = 0;
      let found: QueueItem | undefined;
      for (let step = 0; step < 4000; step++) {
        const r = rnd();
        if (r < 0.4 || ref.length === 0) {
          const item = { arrival: arrival++, leastCores: 1 + Math.floor(rnd() * 64), leastSeconds: Math.floor(rnd() * 1000) };
          q.insert(item);
          ref.push(item);
        } else if (r < 0.6) {
          const after = rnd() < 0.3 ? undefined : ref[Math.floor(rnd() * ref.length)];
          const cores = Math.floor(rnd() * 70);
          const seconds = rnd() * 1000;
          found = q.next(after, cores, cores, seconds);
          expect(found).toBe(bruteNext(ref, after, cores, cores, seconds));
        } else {
          // The head, the found job (perhaps gone since, or its place stale), a job never queued, or any queued job.
          const pick = rnd();
          const item = pick < 0.3 ? ref[0] : pick < 0.6 && found !== undefined ? found : pick < 0.65 ? { arrival: -1, leastCores: 1, leastSeconds: 1 } : ref[Math.floor(rnd() * ref.length)];
          const queued = ref.includes(item);
          expect(q.remove(item)).toBe(queued);
          if (queued) ref = ref.filter((x) => x !== item);
        }
        expect(q.length).toBe(ref.length);
        if (step % 97 === 0) expect(q.toArray()).toEqual(ref);
      }
      expect(q.toArray()).toEqual(ref);
    }
  });
});
