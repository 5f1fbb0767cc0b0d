/**
 * Predictions as a policy wrapper: every job, in the pass where it is first
 * seen queued, is estimated with estimate() — the function users call before
 * submitting — on the view the world shows then, for every pool and device,
 * starting as soon as it can. The wrapped policy decides as before; the world
 * later measures what happened, so predictions can be scored against it.
 *
 * The run time is calibrated online from the jobs finished so far (the
 * history the world hands in): similar jobs of the same user and size
 * (calibrateFromHistory), and other jobs' run/requested ratios for the waits;
 * with no usable history, the walltime as an upper bound. Workflow tasks and
 * jobs with runtime models use their models.
 */
import { calibrateFromHistory, runtimeRatios, type PastJob, type RuntimeCalibration } from "./calibrate.js";
import { estimate, type Estimate } from "./estimate.js";
import type { ClusterView, Decision, Policy, QueuedJobView, WorldEvent } from "./view.js";

export interface Prediction {
  readonly jobId: number;
  /** When it was predicted (its first pass in the queue), s. */
  readonly at: number;
  /** One estimate per pool and device where it can run, start = as soon as possible. */
  readonly options: readonly Estimate[];
  /** Where the run time came from. */
  readonly calibration: RuntimeCalibration["source"] | "model";
}

export interface PredictionOptions {
  /** Finished jobs so far, oldest first (the world appends). Only the last `window` are used. */
  readonly history?: () => readonly PastJob[];
  /** Most recent finished jobs used for calibration (default 2000, bounding the cost per job). */
  readonly window?: number;
}

/** `policy` that also predicts each job when first queued (a cache of calibration ratios aside, it adds no state: the policy's own is passed through). */
export function withPredictions<S>(policy: Policy<S>, onPrediction: (p: Prediction) => void, options: PredictionOptions = {}): Policy<S> {
  const window = options.window ?? 2000;
  let ratiosAt = -1;
  let ratios: ReturnType<typeof runtimeRatios>;
  return {
    name: policy.name,
    version: policy.version,
    params: policy.params,
    ...(policy.initialState ? { initialState: () => policy.initialState!() } : {}),
    decide(view: ClusterView, happened: readonly WorldEvent[], state: S): readonly Decision[] {
      let fresh: Set<number> | undefined;
      for (const e of happened) if (e.kind === "jobSubmitted") (fresh ??= new Set()).add(e.jobId);
      if (fresh) {
        const all = options.history?.() ?? [];
        const recent = all.length > window ? all.slice(all.length - window) : all;
        // The waits' ratios move slowly: recomputed when the history has grown by a tenth of the window.
        if (ratiosAt < 0 || all.length - ratiosAt >= window / 10) {
          ratios = runtimeRatios(recent);
          ratiosAt = all.length;
        }
        for (const job of view.queue) if (fresh.has(job.id)) onPrediction(predict(job, view, recent, ratios));
      }
      return policy.decide(view, happened, state);
    },
  };
}

function predict(job: QueuedJobView, view: ClusterView, history: readonly PastJob[], ratios: ReturnType<typeof runtimeRatios>): Prediction {
  const othersRatio = ratios ? { low: ratios.low, mid: ratios.mid, high: 1 } : undefined;
  if (job.runtimes !== undefined || !Number.isFinite(job.walltime)) {
    return { jobId: job.id, at: view.now, options: estimate(job, view, { othersRatio }), calibration: "model" };
  }
  const cal = history.length > 0 ? calibrateFromHistory(history, { user: job.user, cores: job.cores, walltime: job.walltime }) : undefined;
  if (!cal) return { jobId: job.id, at: view.now, options: estimate(job, view, { othersRatio }), calibration: "walltime" };
  const r = cal.runtime;
  // The calibrated median as the job's expected run time on a reference node, its range around it.
  const calibrated: QueuedJobView = {
    id: job.id,
    submit: job.submit,
    cores: job.cores,
    walltime: job.walltime,
    timeLeft: job.timeLeft,
    ranSeconds: job.ranSeconds,
    user: job.user,
    project: job.project,
    qos: job.qos,
    runtimes: { cpu: r.mid },
  };
  const spread = r.mid > 0 ? { low: Math.min(1, Math.max(r.low / r.mid, 1e-9)), high: Math.max(1, r.high / r.mid) } : undefined;
  return { jobId: job.id, at: view.now, options: estimate(calibrated, view, { othersRatio, runtimeSpread: spread }), calibration: cal.source };
}
