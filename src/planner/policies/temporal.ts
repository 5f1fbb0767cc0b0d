/**
 * Temporal shifting ("Let's Wait Awhile", Wiesner et al., Middleware '21,
 * doi:10.1145/3464298.3493399): a job whose QoS allows delay waits for the
 * window of lowest forecast impact intensity at its site, within its allowed
 * delay; everything eligible now is handed to EASY backfilling.
 *
 * For a queued job with qos.max_delay_s > 0 (jobs without a QoS, or with 0,
 * run as soon as possible):
 * - its pool is where EASY's first fit would put it now: the first pool
 *   (platform order) with enough free nodes, else the first that can ever hold
 *   it; its site is that pool's site and its run time r the expected run time
 *   there (walltime for batch jobs, the runtime model for workflow tasks:
 *   planner/resources). EASY chooses the pool again when the job is released,
 *   so on several sites the plan can be made for one site and run on another;
 * - its latest start is submit + max_delay_s, and earlier when the QoS has a
 *   deadline: submit + deadline_s - r. Past its latest start a job always runs;
 * - candidate starts are now, the grid submit + k * step_s (k >= 1) strictly
 *   between now and the latest start, and the latest start itself. The grid is
 *   anchored at the submit time, not at now, so re-planning later compares the
 *   same instants (at the first plan, now = submit, it is now + k * step_s);
 * - I(t) is the forecast mean intensity of `category` at the site over
 *   [t, t + r], per joule. The cost of starting at t, with p the QoS
 *   impact_preference in [0, 1], is
 *       cost(t) = (1 - p) * (t - now) / max(r, 1)  +  p * I(t) / I(now):
 *   delay counted in run times of the job (waiting one run time costs 1) and
 *   intensity relative to starting now (starting now costs p). So a job that
 *   weighs both equally (p = 0.5) waits one run time only for half the
 *   intensity or less. The least cost wins; ties go to the earliest start
 *   (costs within a relative 1e-9 tie: forecast means come from prefix sums,
 *   so equal windows may differ in the last bits);
 * - if the winner is later than now and its intensity is at least min_saving
 *   (relative) below I(now), the job is deferred to it: a `defer` decision
 *   whose `why` gives the forecasts compared (now, the chosen start, the
 *   latest start and the cheapest other candidates). Otherwise it is eligible
 *   now. With I(now) = 0 there is nothing to gain, and it runs now.
 *
 * The chosen start is remembered per job id, so a job is not deferred again on
 * every pass. It is re-planned only when an intensityChanged event names its
 * site (new forecast information), and a new `defer` is emitted only when the
 * start moves. At its start time the world wakes the policy (the defer asks
 * for it) and the job joins EASY's queue for good; if no capacity is free then,
 * it waits in queue order like any other job, so the latest start holds only
 * where capacity allows it. Jobs that are eligible are ordered by QoS priority
 * (higher first, stable otherwise) before EASY sees them.
 * Deterministic: no clock, no randomness; ties break by time and queue order.
 */
import { EF_CATEGORIES, categoryIndex } from "../../core/categories.js";
import type { ClusterView, Decision, Policy, QueuedJobView, WorldEvent } from "../view.js";
import { nodesFor, runtimeFor } from "./common.js";
import { policyEasyBackfill } from "./easy.js";
import { restrictView } from "./restrict.js";

export interface TemporalShiftParams {
  /** Spacing of candidate starts, s (default 900). */
  readonly step_s?: number;
  /** Least relative intensity saving worth a delay, in [0, 1] (default 0.05). */
  readonly min_saving?: number;
  /** EF 3.1 category id whose intensity is compared (default "CC"). */
  readonly category?: string;
}

/** Joules per kWh, to report intensities per kWh in explanations. */
const J_PER_KWH = 3.6e6;
/** Alternatives kept in an explanation besides now, the chosen start and the latest start. */
const OTHER_ALTERNATIVES = 2;

interface Plan {
  /** Chosen start (<= now once released; -Infinity for jobs that never wait). */
  until: number;
  /** Site id it was planned for ("" when it never waits). */
  site: string;
}

interface Candidate {
  readonly t: number;
  readonly intensity: number;
  readonly cost: number;
}

/** True when cost a is below b by more than a relative 1e-9 (closer costs tie). */
function cheaper(a: number, b: number): boolean {
  return a < b - 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

const NEVER_WAITS: Plan = Object.freeze({ until: -Infinity, site: "" }) as Plan;

export function policyTemporalShift(params: TemporalShiftParams = {}): Policy {
  const step = params.step_s ?? 900;
  const minSaving = params.min_saving ?? 0.05;
  const categoryId = params.category ?? "CC";
  if (!(Number.isFinite(step) && step > 0)) throw new RangeError(`policyTemporalShift: step_s: expected a finite number of seconds > 0, got ${step}`);
  if (!(minSaving >= 0 && minSaving <= 1)) throw new RangeError(`policyTemporalShift: min_saving: expected a number in [0, 1], got ${minSaving}`);
  const category = categoryIndex(categoryId);
  if (category < 0 || category >= EF_CATEGORIES.length) {
    throw new RangeError(`policyTemporalShift: category: expected an EF 3.1 category id (${EF_CATEGORIES.map((c) => c.id).join(", ")}), got ${JSON.stringify(categoryId)}`);
  }
  const easy = policyEasyBackfill();
  const plans = new Map<number, Plan>();

  /** Plans a job at view.now: its chosen start, and a defer decision when that is later than now. */
  function plan(view: ClusterView, job: QueuedJobView): { plan: Plan; defer?: Decision } {
    const qos = job.qos;
    if (qos === undefined || !(qos.max_delay_s > 0)) return { plan: NEVER_WAITS };
    const pool = view.pools.find((p) => nodesFor(job, p) <= p.freeNodes) ?? view.pools.find((p) => nodesFor(job, p) <= p.nodes);
    if (pool === undefined) return { plan: NEVER_WAITS };
    const r = runtimeFor(job, pool);
    const now = view.now;
    if (!Number.isFinite(r)) return { plan: { until: now, site: pool.site } };
    let latest = job.submit + qos.max_delay_s;
    if (qos.deadline_s !== undefined) latest = Math.min(latest, job.submit + qos.deadline_s - r);
    if (!(latest > now)) return { plan: { until: now, site: pool.site } };
    const forecast = view.forecast(pool.site);
    const i0 = forecast.mean(now, now + r, category);
    if (!(i0 > 0)) return { plan: { until: now, site: pool.site } };
    const p = qos.impact_preference;
    const timeScale = Math.max(r, 1);
    const candidates: Candidate[] = [{ t: now, intensity: i0, cost: p }];
    const add = (t: number) => {
      const intensity = forecast.mean(t, t + r, category);
      candidates.push({ t, intensity, cost: ((1 - p) * (t - now)) / timeScale + (p * intensity) / i0 });
    };
    for (let k = Math.floor((now - job.submit) / step) + 1; ; k++) {
      const t = job.submit + k * step;
      if (t >= latest) break;
      if (t > now) add(t);
    }
    add(latest);
    let best = candidates[0];
    for (const c of candidates) if (cheaper(c.cost, best.cost)) best = c;
    const saving = (i0 - best.intensity) / i0;
    if (best.t <= now || !(saving >= minSaving)) return { plan: { until: now, site: pool.site } };
    return { plan: { until: best.t, site: pool.site }, defer: deferral(job, pool.site, r, latest, p, candidates, best, saving) };
  }

  function deferral(job: QueuedJobView, site: string, r: number, latest: number, p: number, candidates: readonly Candidate[], best: Candidate, saving: number): Decision {
    const now = candidates[0];
    const describe = (c: Candidate) => ({ start_s: c.t, delay_s: c.t - now.t, intensity_per_kwh: c.intensity * J_PER_KWH, cost: c.cost });
    const last = candidates[candidates.length - 1];
    const others = candidates
      .filter((c) => c !== now && c !== best && c !== last)
      .sort((a, b) => (cheaper(a.cost, b.cost) ? -1 : cheaper(b.cost, a.cost) ? 1 : a.t - b.t))
      .slice(0, OTHER_ALTERNATIVES);
    const alternatives = [
      { option: "start now", expected: describe(now) },
      { option: "chosen start", expected: describe(best) },
      ...(last !== best ? [{ option: "latest start", expected: describe(last) }] : []),
      ...others.map((c) => ({ option: `start at ${c.t} s`, expected: describe(c) })),
    ];
    return {
      kind: "defer",
      jobId: job.id,
      until: best.t,
      why: {
        reason: `temporal shift at site ${site}: forecast ${categoryId} intensity over the run ${(saving * 100).toFixed(1)} % lower at ${best.t} s than now, within the allowed delay (latest start ${latest} s)`,
        expected: {
          start_s: best.t,
          delay_s: best.t - now.t,
          latest_start_s: latest,
          runtime_s: r,
          impact_preference: p,
          intensity_now_per_kwh: now.intensity * J_PER_KWH,
          intensity_per_kwh: best.intensity * J_PER_KWH,
          saving,
          cost_now: now.cost,
          cost: best.cost,
        },
        alternatives,
      },
    };
  }

  let noneTaken: number[] = [];

  return {
    name: "temporal",
    version: "1",
    params: { step_s: step, min_saving: minSaving, category: categoryId },
    decide(view: ClusterView, happened: readonly WorldEvent[]): readonly Decision[] {
      let changedSites: Set<string> | undefined;
      for (const e of happened) {
        if (e.kind === "jobEnded" || e.kind === "jobKilled") plans.delete(e.jobId);
        else if (e.kind === "intensityChanged") (changedSites ??= new Set()).add(e.site);
      }
      const now = view.now;
      const out: Decision[] = [];
      let held = 0;
      let released = false;
      let prioritised = false;
      for (const job of view.queue) {
        let entry = plans.get(job.id);
        if (entry === undefined) {
          const r = plan(view, job);
          plans.set(job.id, (entry = r.plan));
          if (r.defer) out.push(r.defer);
        } else if (entry.until > now && changedSites?.has(entry.site)) {
          // New forecast information: plan again; say so only when the start moves.
          const r = plan(view, job);
          if (r.plan.until !== entry.until && r.defer) out.push(r.defer);
          if (r.plan.until <= now) released = true;
          plans.set(job.id, (entry = r.plan));
        }
        if (entry.until > now) held++;
        if ((job.qos?.priority ?? 0) !== 0) prioritised = true;
      }
      if (held === 0 && !prioritised) {
        out.push(...easy.decide(view, released ? [...happened, { kind: "wokeUp" }] : happened));
        return out;
      }
      if (noneTaken.length !== view.pools.length) noneTaken = new Array<number>(view.pools.length).fill(0);
      let eligible = restrictView(view, noneTaken, (job) => !(plans.get(job.id)!.until > now));
      if (prioritised) {
        const queue = eligible.queue.map((job, i) => ({ job, i }));
        queue.sort((a, b) => (b.job.qos?.priority ?? 0) - (a.job.qos?.priority ?? 0) || a.i - b.i);
        eligible = { ...eligible, queue: queue.map((q) => q.job) };
      }
      // A job released by a new plan can start although no event but an intensity change came.
      out.push(...easy.decide(eligible, released ? [...happened, { kind: "wokeUp" }] : happened));
      return out;
    },
  };
}
