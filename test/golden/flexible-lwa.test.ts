/**
 * Let's Wait Awhile, scenario II, interrupting jobs with next-workday
 * deadlines and a perfect forecast (Wiesner et al., Middleware '21,
 * doi:10.1145/3464298.3493399): published savings 8.16 % (Germany) and
 * 6.22 % (France). The study's 3,387 jobs (bench/flexible-lwa-jobs.csv, drawn
 * by bench/flexible-lwa-ref.py exactly as the study's code draws them) on its
 * series as shipped in traces/grid, one 1 W one-core node per job, policy
 * flexible with the Wait AWhile rule.
 *
 * With the study's window (its code plans over one 30-min slot past the
 * deadline, and its baseline may start 30 min late) the simulator must give
 * the published figures to their two decimals; keeping the deadline, within
 * the issue's 1 percentage point, with no job past it.
 */
import { describe, expect, it } from "vitest";
import { policyEasyBackfill, policyFlexible } from "../../src/planner/index.js";
import type { Policy } from "../../src/planner/view.js";
import { ccSeries, lwaJobs, lwaSeriesFile, onePlatform, oneCoreJob, runFlexible } from "../../bench/flexible-lib.js";

const jobs = lwaJobs();
const cases = [
  ["Germany", "traces/grid/de_ci_2020.csv", 8.16],
  ["France", "traces/grid/fr_ci_2020.csv", 6.22],
] as const;

describe("Let's Wait Awhile scenario II (interrupting, next workday) in the simulator", () => {
  for (const [country, file, published] of cases) {
    it(`${country}: ${published} % as published`, async () => {
      const { starts, g } = lwaSeriesFile(file);
      const platform = onePlatform(ccSeries(starts, g, starts[starts.length - 1] + 1800), 400);
      const waitAwhile = () => policyFlexible({ rule: "wait-awhile", step_s: 1800 }) as Policy<unknown>;
      const withDelay = (extra: number) =>
        jobs.map((j) => oneCoreJob(j.id, j.arrival, j.duration, { qos: { name: "ml", max_delay_s: j.slack.next_workday + extra, impact_preference: 1, preemptible: true } }));
      // The study's baseline: the better of starting at arrival or 30 min later (one piece).
      const studyBase = await runFlexible(
        platform,
        policyFlexible({ rule: "lowest-window", step_s: 1800 }) as Policy<unknown>,
        jobs.map((j) => oneCoreJob(j.id, j.arrival, j.duration, { qos: { name: "base", max_delay_s: 1800, impact_preference: 1 } })),
      );
      const published_ = await runFlexible(platform, waitAwhile(), withDelay(1800));
      expect(100 * (1 - published_.ccG / studyBase.ccG)).toBeCloseTo(published, 2);

      const base = await runFlexible(platform, policyEasyBackfill(), jobs.map((j) => oneCoreJob(j.id, j.arrival, j.duration)));
      const strict = await runFlexible(platform, waitAwhile(), withDelay(0));
      expect(Math.abs(100 * (1 - strict.ccG / base.ccG) - published)).toBeLessThan(1);
      let late = 0;
      for (const [id, runs] of strict.runs) {
        const j = jobs[id - 1];
        if (runs[runs.length - 1].end > j.arrival + j.duration + j.slack.next_workday + 1e-6) late++;
      }
      expect(late).toBe(0);
      expect(strict.result.jobsKilled).toBe(0);
    });
  }
});
