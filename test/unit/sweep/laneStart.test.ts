/**
 * When a pool's worker threads start (sweep/pool.ts, LaneStart): "now" at
 * once; "when-worth-it" (the default without a worker count) once the calling
 * lane's work left repays them. Results are the same either way.
 */
import { describe, expect, it } from "vitest";
import { shippedPath } from "../../../src/io/paths.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPool, worthStarting, WORTH_STARTING_S, type RunPool } from "../../../src/sweep/pool.js";
import { runSweep } from "../../../src/sweep/runSweep.js";

describe("worthStarting", () => {
  it("waits for two tasks, then weighs the unclaimed tasks at the lower median task time against the threshold", () => {
    // One task, however long, decides nothing by itself (unless it runs past the threshold).
    expect(worthStarting([100], 100)).toBe(false);
    // sweep-default: a cold first task (0.9 s) and a warm one (0.2 s): the lower median is 0.2; 7 left = 1.4 s < 4 s.
    expect(worthStarting([0.9, 0.2], 7)).toBe(false);
    // Then another policy's cold first task (0.7 s) and a warm one: sorted 0.2, 0.2, 0.7, 0.9: 0.2 x 5 = 1 s.
    expect(worthStarting([0.9, 0.2, 0.2, 0.7], 5)).toBe(false);
    // Odd count: the median itself. 0.2, 0.7, 0.9: 0.7 x 6 = 4.2 s.
    expect(worthStarting([0.9, 0.2, 0.7], 6)).toBe(true);
    // sweep-200: 198 left at 0.1 s = 19.8 s.
    expect(worthStarting([0.3, 0.1], 198)).toBe(true);
    // Exactly the threshold starts them; nothing unclaimed never does.
    expect(worthStarting([1, 1], WORTH_STARTING_S)).toBe(true);
    expect(worthStarting([1000, 1000], 0)).toBe(false);
    // A task running past the threshold (few long tasks) starts them, even the first: while it runs, or once it
    // ended (a task that never yields to the timer).
    expect(worthStarting([], 1, WORTH_STARTING_S)).toBe(true);
    expect(worthStarting([5], 1, 5)).toBe(true);
    expect(worthStarting([], 0, 1000)).toBe(false);
    // Another threshold.
    expect(worthStarting([0.9, 0.2], 7, 0, 1)).toBe(true);
    // The times given are left as they were.
    const times = [3, 1, 2];
    worthStarting(times, 10);
    expect(times).toEqual([3, 1, 2]);
  });
});

describe("a pool's worker threads", () => {
  const scenario = shippedPath("scenarios/qos-eu.json");
  const tasks = ["easy", "fcfs", "easy", "fcfs"].map((policy, i) => ({ id: String(i), scenario, overrides: { policy, seed: i } }));
  const runAll = async (pool: RunPool) => {
    try {
      const results = await Promise.all(tasks.map((t) => pool.run(t)));
      expect(pool.lanesUsed).toBeGreaterThanOrEqual(1);
      expect(pool.lanesUsed).toBeLessThanOrEqual(2);
      return { started: pool.threadsStarted, lanes: pool.lanesUsed, summaries: results.map((r) => JSON.stringify({ ...r.summary, provenance: undefined, generated_at: undefined })) };
    } finally {
      await pool.close();
    }
  };

  it("start at once with 'now', never with 'when-worth-it' on little work, and when any work is worth it; the results are the same", async () => {
    // Past setTimeout's range: no timer (which would fire at once), so never.
    const never = await runAll(createPool({ workers: 2, start: "when-worth-it", worthS: Infinity }));
    expect(never.started).toBe(false);
    expect(never.lanes).toBe(1);
    const soon = await runAll(createPool({ workers: 2, start: "when-worth-it", worthS: 0 }));
    expect(soon.started).toBe(true);
    const now = createPool({ workers: 2 });
    expect(now.threadsStarted).toBe(true);
    const eager = await runAll(now);
    expect(soon.summaries).toEqual(never.summaries);
    expect(eager.summaries).toEqual(never.summaries);
    // Without a worker count, threads wait for the work to be worth them.
    const auto = createPool();
    expect(auto.threadsStarted).toBe(false);
    await auto.close();
  }, 120_000);

  it("has no more lanes than the caller's tasks, and one task runs in-process", async () => {
    const one = createPool({ workers: 4, tasks: 1 });
    expect([one.workers, one.threadsStarted]).toEqual([0, false]);
    await one.close();
    const none = createPool({ workers: 4, tasks: 0 });
    expect(none.workers).toBe(0);
    await none.close();
    const two = createPool({ workers: 2, tasks: 5 });
    expect([two.workers, two.threadsStarted]).toEqual([2, true]);
    await two.close();
    expect(() => createPool({ workers: -1, tasks: 5 })).toThrow("createPool: workers: expected an integer >= 0, got -1");
  }, 60_000);

  it("refuses a threshold that is not a number of seconds", () => {
    expect(() => createPool({ workers: 2, worthS: -1 })).toThrow("createPool: worthS: expected a number of seconds >= 0, got -1");
    expect(() => createPool({ workers: 2, worthS: Number.NaN })).toThrow(RangeError);
  });
});

describe("a sweep's outcome", () => {
  it("says how many lanes ran its variants", async () => {
    const dir = mkdtempSync(join(tmpdir(), "impactsim-lanes-"));
    try {
      expect((await runSweep({ file: "test/fixtures/sweep/tiny.json", workers: 1, out: join(dir, "one") })).lanes).toBe(1);
      // Two lanes allowed: the worker thread runs some only if it is up before the calling lane has taken them all.
      const two = (await runSweep({ file: "test/fixtures/sweep/tiny.json", workers: 2, out: join(dir, "two") })).lanes;
      expect([1, 2]).toContain(two);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
