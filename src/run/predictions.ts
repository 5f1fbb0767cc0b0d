/**
 * Predictions scored against what the simulator then measured: each job's
 * estimate (planner/predictions.ts) for the pool and device it ran on, next to
 * its actual start, run time, IT energy and climate change, in
 * predictions.csv, and the shares that fell inside the stated ranges in the
 * summary. This is how well the pre-submission estimate does on a loaded
 * platform, job by job.
 */
import { quantile } from "simple-statistics";
import type { JobCharge } from "../accounting/index.js";
import { N_COORDS, N_PHASES, categoryIndex } from "../core/index.js";
import { CsvWriter } from "../io/index.js";
import type { PastJob, Prediction } from "../planner/index.js";

const CC = categoryIndex("CC");

export const PREDICTION_COLUMNS = [
  "job",
  "predicted_at_s",
  "calibration",
  "site",
  "device",
  "start_pred_s",
  "start_low_s",
  "start_high_s",
  "start_s",
  "runtime_pred_s",
  "runtime_low_s",
  "runtime_high_s",
  "runtime_s",
  "energy_it_pred_j",
  "energy_it_low_j",
  "energy_it_high_j",
  "energy_it_j",
  "cc_pred_kg",
  "cc_low_kg",
  "cc_high_kg",
  "cc_kg",
];

/** What is kept of a prediction until its job ends: per option, pool, device and the figures compared. */
interface Kept {
  readonly at: number;
  readonly calibration: string;
  /** Per option: pool, device and 12 figures (start, runtime, energy, cc: predicted, low, high). */
  readonly pools: Int32Array;
  readonly devices: string[];
  readonly figures: Float64Array;
}

const PER_OPTION = 12;

function cc(v: Float64Array): number {
  let s = 0;
  for (let ph = 0; ph < N_PHASES; ph++) s += v[ph * N_COORDS + CC];
  return s;
}

export interface PredictionSummary {
  /** Jobs predicted, and those whose run could be scored (an estimate for the pool and device it ran on). */
  readonly predicted: number;
  readonly scored: number;
  /** Jobs by where their run time came from. */
  readonly calibration: Readonly<Record<string, number>>;
  /** Share of scored jobs whose actual figure fell inside the stated range. */
  readonly inside: { readonly start: number; readonly runtime: number; readonly energy_it: number; readonly cc: number };
  /** Median of |predicted - actual| / actual. */
  readonly median_abs_rel_error: { readonly runtime: number; readonly energy_it: number; readonly cc: number };
  readonly note: string;
}

export class PredictionLog {
  private readonly pending = new Map<number, Kept>();
  /** Finished jobs, oldest first, for the online calibration. */
  readonly history: PastJob[] = [];
  private predicted = 0;
  private readonly calibration = new Map<string, number>();
  private readonly inside = { start: 0, runtime: 0, energy_it: 0, cc: 0 };
  private readonly errors = { runtime: [] as number[], energy_it: [] as number[], cc: [] as number[] };
  private scored = 0;

  constructor(private readonly csv?: CsvWriter) {}

  record(p: Prediction): void {
    this.predicted++;
    this.calibration.set(p.calibration, (this.calibration.get(p.calibration) ?? 0) + 1);
    const n = p.options.length;
    const figures = new Float64Array(n * PER_OPTION);
    p.options.forEach((e, k) => {
      const r = e.range;
      figures.set(
        [e.start, p.at + r.wait_s[0], p.at + r.wait_s[1], e.runtime_s, r.runtime_s[0], r.runtime_s[1], e.energy_it_j, r.energy_it_j[0], r.energy_it_j[1], cc(e.impacts), cc(r.impacts_low), cc(r.impacts_high)],
        k * PER_OPTION,
      );
    });
    this.pending.set(p.jobId, { at: p.at, calibration: p.calibration, pools: Int32Array.from(p.options, (e) => e.pool), devices: p.options.map((e) => e.device), figures });
  }

  /** Scores the job's last run (its charge summed over all its runs) against its prediction. */
  measure(c: JobCharge, siteId: string): void {
    const f = c.fact;
    this.history.push({ user: f.job.user, cores: f.job.cores, runtime: Math.min(f.job.runtime, f.job.walltime), walltime: f.job.walltime });
    const kept = this.pending.get(f.job.id);
    if (!kept) return;
    this.pending.delete(f.job.id);
    let k = -1;
    for (let i = 0; i < kept.pools.length; i++) if (kept.pools[i] === f.pool && kept.devices[i] === f.device) k = i;
    if (k < 0) return;
    this.scored++;
    const x = kept.figures.subarray(k * PER_OPTION, (k + 1) * PER_OPTION);
    const actual = [f.firstStart, f.runSeconds, c.itJ, cc(c.impacts)];
    const slack = 1e-9;
    const within = (j: number) => actual[j] >= x[j * 3 + 1] * (1 - slack) - slack && actual[j] <= x[j * 3 + 2] * (1 + slack) + slack;
    if (within(0)) this.inside.start++;
    if (within(1)) this.inside.runtime++;
    if (within(2)) this.inside.energy_it++;
    if (within(3)) this.inside.cc++;
    const rel = (j: number) => (actual[j] > 0 ? Math.abs(x[j * 3] - actual[j]) / actual[j] : 0);
    this.errors.runtime.push(rel(1));
    this.errors.energy_it.push(rel(2));
    this.errors.cc.push(rel(3));
    this.csv?.row([f.job.id, kept.at, kept.calibration, siteId, f.device, x[0], x[1], x[2], actual[0], x[3], x[4], x[5], actual[1], x[6], x[7], x[8], actual[2], x[9], x[10], x[11], actual[3]]);
  }

  summary(): PredictionSummary {
    const share = (n: number) => (this.scored > 0 ? n / this.scored : 0);
    const median = (xs: number[]) => (xs.length > 0 ? quantile(xs, 0.5) : 0);
    return {
      predicted: this.predicted,
      scored: this.scored,
      calibration: Object.fromEntries(this.calibration),
      inside: { start: share(this.inside.start), runtime: share(this.inside.runtime), energy_it: share(this.inside.energy_it), cc: share(this.inside.cc) },
      median_abs_rel_error: { runtime: median(this.errors.runtime), energy_it: median(this.errors.energy_it), cc: median(this.errors.cc) },
      note: "each job estimated when first queued with the pre-submission estimate (run time calibrated online from the jobs finished before; waits from the queue ahead), scored on the pool and device it ran on; ranges are the conservative 80 % bands",
    };
  }
}
