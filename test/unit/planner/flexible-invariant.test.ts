/**
 * The invariant of issue 17, on random workloads under every rule of the
 * flexible policy: a job with a QoS class either ends its work within its
 * window (submit + max_delay_s + walltime, no later than submit + deadline_s)
 * or pieces.csv (run/pieces.ts) says
 * why. With ample capacity no job ends past its window unless its deadline is
 * shorter than its run time (said so); where capacity binds (two one-core
 * nodes) the reason is capacity or that short window, never the policy.
 * Each job's pieces also add up: its runs' work is its run time (none killed:
 * walltimes cover run times).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { N_COORDS, categoryIndex } from "../../../src/core/categories.js";
import { rngSeeded } from "../../../src/core/rng.js";
import { TimeSeries } from "../../../src/core/timeseries.js";
import type { JobSpec } from "../../../src/io/spec.js";
import { forecastFromActual } from "../../../src/models/forecast.js";
import { FLEXIBLE_RULES, policyFlexible } from "../../../src/planner/index.js";
import type { Policy } from "../../../src/planner/view.js";
import { PIECE_COLUMNS, PiecesLog } from "../../../src/run/pieces.js";
import { simulate } from "../../../src/sim/simulation.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";

const CC = categoryIndex("CC");
const ENERGY = categoryIndex("ENERGY");

function hourly(rates: readonly number[]): TimeSeries {
  const values = new Float64Array(rates.length * N_COORDS);
  rates.forEach((r, k) => {
    values[k * N_COORDS + CC] = r / 3.6e6;
    values[k * N_COORDS + ENERGY] = 1;
  });
  return new TimeSeries(
    rates.map((_, k) => k * 3600),
    values,
    N_COORDS,
    rates.length * 3600,
    "hold",
  );
}

const arbJob = fc.record({
  submit: fc.integer({ min: 0, max: 12 }).map((k) => k * 600),
  runtime: fc.integer({ min: 1, max: 12 }).map((k) => k * 300),
  over: fc.constantFrom(1, 1, 1.5),
  delay: fc.integer({ min: 0, max: 16 }).map((k) => k * 900),
  preemptible: fc.boolean(),
  checkpoint: fc.constantFrom(0, 0, 120, 600),
  minPiece: fc.constantFrom(0, 0, 900),
  /** A deadline after submit, s (undefined: none), sometimes shorter than the walltime. */
  deadline: fc.option(fc.integer({ min: 1, max: 24 }).map((k) => k * 600), { nil: undefined }),
});

const arbCase = fc.record({
  jobs: fc.array(arbJob, { minLength: 3, maxLength: 9 }),
  rates: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 12, maxLength: 12 }),
  rule: fc.constantFrom(...FLEXIBLE_RULES),
  length: fc.constantFrom("walltime" as const, "predicted" as const),
});

type Case = typeof arbCase extends fc.Arbitrary<infer T> ? T : never;

async function run(c: Case, nodes: number) {
  const platform = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: hourly(c.rates.map((r) => r / 10)) }], [{ nodes, cores: 1, idle: 0, max: 100 }]);
  const specs: JobSpec[] = c.jobs.map((j, i) => ({
    ...job(i + 1, j.submit, j.runtime, Math.ceil(j.runtime * j.over), 1),
    qos: { name: "q", max_delay_s: j.delay, impact_preference: 1, preemptible: j.preemptible, checkpoint_s: j.checkpoint, min_piece_s: j.minPiece, deadline_s: j.deadline },
  }));
  specs.sort((a, b) => a.submit - b.submit);
  const rows: (string | number)[][] = [];
  const log = new PiecesLog((cells) => rows.push([...cells]));
  await simulate({
    platform,
    policy: policyFlexible({ rule: c.rule, step_s: 600, length: c.length }) as Policy<unknown>,
    jobs: [specs],
    forecasts: platform.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1))),
    observer: log,
  });
  const col = (name: (typeof PIECE_COLUMNS)[number]) => PIECE_COLUMNS.indexOf(name);
  return { specs, rows, log, col };
}

describe("flexible: every job ends in its window or pieces.csv says why", () => {
  for (const [label, nodes] of [
    ["ample capacity", 20],
    ["two nodes", 2],
  ] as const) {
    it(label, async () => {
      await fc.assert(
        fc.asyncProperty(arbCase, async (c) => {
          const { specs, rows, log, col } = await run(c, nodes);
          for (const spec of specs) {
            const mine = rows.filter((r) => r[col("job_id")] === spec.id);
            const last = mine[mine.length - 1];
            expect(last[col("final")]).toBe(1);
            // All of its work, in its pieces (none is killed: walltime >= run time).
            const work = mine.reduce((a, r) => a + Number(r[col("work_s")]), 0);
            expect(work).toBeCloseTo(spec.runtime, 6);
            expect(last[col("killed")]).toBe(0);
            const q = spec.qos!;
            const latest = Math.min(spec.submit + q.max_delay_s + spec.walltime, q.deadline_s === undefined ? Infinity : spec.submit + q.deadline_s);
            expect(last[col("latest_end_s")]).toBe(latest);
            const late = Number(last[col("end_s")]) > latest + 1e-6;
            expect(last[col("past_window")]).toBe(late ? 1 : 0);
            // A window shorter than the run time cannot be kept: said so. Otherwise only capacity may make it late.
            const tooShort = latest - spec.submit < spec.runtime - 1e-6;
            if (late) expect(String(last[col("why")])).toMatch(tooShort ? /^(its window was too short|waited)/ : /^waited \d+(\.\d+)? s for capacity/);
            else expect(last[col("why")]).toBe("");
          }
          expect(log.totals.jobs).toBe(specs.length);
          expect(log.totals.past_window.policy).toBe(0);
          if (nodes === 20) expect(log.totals.past_window.capacity).toBe(0);
          const tooShort = specs.filter((sp) => sp.qos!.deadline_s !== undefined && sp.qos!.deadline_s < sp.runtime).length;
          expect(log.totals.past_window.window).toBeLessThanOrEqual(tooShort);
        }),
        { numRuns: 40, seed: 1717 },
      );
    });
  }
});
