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
 * The chosen start is remembered per job id in the policy's state (plain JSON
 * the world stores: job id -> chosen start and site), so a job is not deferred
 * again on every pass. It is re-planned only when an intensityChanged event names its
 * site (new forecast information), and a new `defer` is emitted only when the
 * start moves. At its start time the world wakes the policy (the defer asks
 * for it) and the job joins EASY's queue for good; if no capacity is free then,
 * it waits in queue order like any other job, so the latest start holds only
 * where capacity allows it. Jobs that are eligible are ordered by QoS priority
 * (higher first, stable otherwise) before EASY sees them.
 *
 * Preemption (params.preempt, default false). The allowed delay is a budget of
 * waiting: a job's time suspended counts against it, its time running does
 * not. So the remaining work of a job that has run for `ran` seconds (wall
 * time, over all its runs) may start as late as submit + max_delay_s + ran
 * (and, with a deadline, submit + deadline_s - r for the r seconds left), and
 * the job still ends by submit + max_delay_s + its work. Jobs never suspended
 * have ran = 0, so their plans are those above. On an intensityChanged event
 * for a site, each job running there whose QoS class is preemptible (and is no
 * workflow task) is compared as if it were queued with its remaining work:
 * r = predictedEnd - now (its remaining requested time), candidate starts on
 * the same grid up to that latest start, the same cost, ties and min_saving.
 * If a later start wins, the policy emits `suspend` with the forecasts compared,
 * then the `defer` to the chosen start (applied to the job the suspension has
 * put back in the queue), which it keeps as the job's plan (re-planned on later
 * intensity changes like any deferral), and asks to be woken at once (wakeAt
 * now) so that EASY sees the nodes freed in the same instant. A job is never
 * suspended with less than step_s of work left, nor within step_s of its last
 * suspension. What it needs of a running job (its submit time, QoS, the wall
 * time it ran before, its last suspension) is in the view.
 * Preemption here moves one remaining block at a time, greedily, on intensity
 * changes; the `flexible` policy (policies/flexible.ts, docs/flexible.md)
 * chooses all the pieces of an interruptible job together, with restart costs,
 * and is what reproduces the published interrupting policies.
 * Deterministic: no clock, no randomness; ties break by time and queue order.
 */
import { EF_CATEGORIES, categoryIndex } from "../../core/index.js";
import type { QosSpec } from "../../io/index.js";
import type { ClusterView, Decision, Explanation, Policy, QueuedJobView, RunningJobView, WorldEvent } from "../view.js";
import { canHold, fitsNow, runtimeFor } from "./common.js";
import { policyEasyBackfill } from "./easy.js";
import { restrictView } from "./restrict.js";

export interface TemporalShiftParams {
  /** Spacing of candidate starts, s (default 900). */
  readonly step_s?: number;
  /** Least relative intensity saving worth a delay, in [0, 1] (default 0.05). */
  readonly min_saving?: number;
  /** EF 3.1 category id whose intensity is compared (default "CC"). */
  readonly category?: string;
  /** Suspend running preemptible jobs whose remaining work would be cleaner later, on intensity changes (default false). */
  readonly preempt?: boolean;
}

/** Joules per kWh, to report intensities per kWh in explanations. */
const J_PER_KWH = 3.6e6;
/** Alternatives kept in an explanation besides now, the chosen start and the latest start. */
const OTHER_ALTERNATIVES = 2;

export interface TemporalPlan {
  /** Chosen start (<= now once released; null for jobs that never wait). */
  until: number | null;
  /** Site id it was planned for ("" when it never waits). */
  site: string;
  /** Set when this policy suspended the job, at that time, until the world confirms it. */
  suspendedAt?: number;
}

/** What temporal shifting remembers across calls (JSON data, stored by the world): each queued job's plan, by job id. */
export interface TemporalState {
  plans: Record<string, TemporalPlan>;
}

/** A plan's start, -Infinity for a job that never waits. */
const untilOf = (plan: TemporalPlan): number => plan.until ?? -Infinity;

interface Candidate {
  readonly t: number;
  readonly intensity: number;
  readonly cost: number;
}

/** True when cost a is below b by more than a relative 1e-9 (closer costs tie). */
function cheaper(a: number, b: number): boolean {
  return a < b - 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

const NEVER_WAITS: TemporalPlan = Object.freeze({ until: null, site: "" }) as TemporalPlan;

/** A suspension decided now: the suspension, and the plan and defer of its resumption. */
interface Suspension {
  readonly suspend: Decision;
  readonly plan: TemporalPlan;
  readonly defer: Decision;
}

/** Starting now, the cheapest candidate, the latest start and the relative intensity saving; every candidate only when the world keeps reasons. */
interface Comparison {
  readonly now: Candidate;
  readonly best: Candidate;
  readonly last: Candidate;
  readonly saving: number;
  /** Every candidate in time order (now first, the latest start last), for explanations; undefined without them (ClusterView.explain false). */
  readonly candidates: readonly Candidate[] | undefined;
}

/** Latest start of r seconds of work: submit + max_delay_s + ran, and no later than submit + deadline_s - r. */
function latestStart(submit: number, qos: QosSpec, r: number, ran: number): number {
  let latest = submit + qos.max_delay_s + ran;
  if (qos.deadline_s !== undefined) latest = Math.min(latest, submit + qos.deadline_s - r);
  return latest;
}

export function policyTemporalShift(params: TemporalShiftParams = {}): Policy<TemporalState> {
  const step = params.step_s ?? 900;
  const minSaving = params.min_saving ?? 0.05;
  const categoryId = params.category ?? "CC";
  const preempt = params.preempt ?? false;
  if (!(Number.isFinite(step) && step > 0)) throw new RangeError(`policyTemporalShift: step_s: expected a finite number of seconds > 0, got ${step}`);
  if (!(minSaving >= 0 && minSaving <= 1)) throw new RangeError(`policyTemporalShift: min_saving: expected a number in [0, 1], got ${minSaving}`);
  const category = categoryIndex(categoryId);
  if (category < 0 || category >= EF_CATEGORIES.length) {
    throw new RangeError(`policyTemporalShift: category: expected an EF 3.1 category id (${EF_CATEGORIES.map((c) => c.id).join(", ")}), got ${JSON.stringify(categoryId)}`);
  }
  if (typeof preempt !== "boolean") throw new TypeError(`policyTemporalShift: preempt: expected a boolean, got ${JSON.stringify(preempt)}`);
  const easy = policyEasyBackfill();

  /**
   * Compares starting r seconds of work at `site` now with the candidate starts
   * up to `latest` (> now); undefined when I(now) = 0 (nothing to gain). The
   * cheapest is kept as it goes (the first of equal costs); the candidates
   * are listed only for an explanation: a plan compares up to a day of steps
   * and is made again at each intensity change, and listing them was a third
   * of what sweep-default allocated.
   */
  function compare(view: ClusterView, site: string, r: number, submit: number, latest: number, p: number): Comparison | undefined {
    const now = view.now;
    const forecast = view.forecast(site);
    const i0 = forecast.mean(now, now + r, category);
    if (!(i0 > 0)) return undefined;
    const timeScale = Math.max(r, 1);
    const first: Candidate = { t: now, intensity: i0, cost: p };
    const candidates: Candidate[] | undefined = view.explain === false ? undefined : [first];
    let bestT = now;
    let bestIntensity = i0;
    let bestCost = p;
    let intensity = i0;
    let cost = p;
    // The steps after now before the latest start, then the latest start itself.
    for (let k = Math.floor((now - submit) / step) + 1; ; k++) {
      let t = submit + k * step;
      if (t >= latest) t = latest;
      else if (!(t > now)) continue;
      intensity = forecast.mean(t, t + r, category);
      cost = ((1 - p) * (t - now)) / timeScale + (p * intensity) / i0;
      candidates?.push({ t, intensity, cost });
      if (cheaper(cost, bestCost)) {
        bestT = t;
        bestIntensity = intensity;
        bestCost = cost;
      }
      if (t === latest) break;
    }
    const last = candidates !== undefined ? candidates[candidates.length - 1] : { t: latest, intensity, cost };
    const best = bestT === now ? first : bestT === latest ? last : (candidates?.find((c) => c.t === bestT) ?? { t: bestT, intensity: bestIntensity, cost: bestCost });
    return { now: first, best, last, saving: (i0 - bestIntensity) / i0, candidates };
  }

  /** True when a comparison chose a later start that saves at least min_saving. */
  const worthWaiting = (c: Comparison | undefined, now: number): c is Comparison => c !== undefined && c.best.t > now && c.saving >= minSaving;

  /** Plans a job at view.now: its chosen start, and a defer decision when that is later than now. */
  function plan(view: ClusterView, job: QueuedJobView): { plan: TemporalPlan; defer?: Decision } {
    const qos = job.qos;
    if (qos === undefined || !(qos.max_delay_s > 0)) return { plan: NEVER_WAITS };
    const pool = view.pools.find((p) => fitsNow(job, p)) ?? view.pools.find((p) => canHold(job, p));
    if (pool === undefined) return { plan: NEVER_WAITS };
    const r = runtimeFor(job, pool);
    const now = view.now;
    if (!Number.isFinite(r)) return { plan: { until: now, site: pool.site } };
    const latest = latestStart(job.submit, qos, r, job.ranSeconds);
    if (!(latest > now)) return { plan: { until: now, site: pool.site } };
    const c = compare(view, pool.site, r, job.submit, latest, qos.impact_preference);
    if (!worthWaiting(c, now)) return { plan: { until: now, site: pool.site } };
    return { plan: { until: c.best.t, site: pool.site }, defer: deferral(job.id, pool.site, r, latest, qos.impact_preference, c) };
  }

  /** The forecasts compared, as explanation alternatives: now, the chosen time, the latest, and the cheapest others. */
  function alternatives(c: Comparison, candidates: readonly Candidate[], labels: { now: string; chosen: string; latest: string; other: string }): Explanation["alternatives"] {
    const { now, best, last } = c;
    const describe = (x: Candidate) => ({ start_s: x.t, delay_s: x.t - now.t, intensity_per_kwh: x.intensity * J_PER_KWH, cost: x.cost });
    const others = candidates
      .filter((x) => x !== now && x !== best && x !== last)
      .sort((a, b) => (cheaper(a.cost, b.cost) ? -1 : cheaper(b.cost, a.cost) ? 1 : a.t - b.t))
      .slice(0, OTHER_ALTERNATIVES);
    return [
      { option: labels.now, expected: describe(now) },
      { option: labels.chosen, expected: describe(best) },
      ...(last !== best ? [{ option: labels.latest, expected: describe(last) }] : []),
      ...others.map((x) => ({ option: `${labels.other} ${x.t} s`, expected: describe(x) })),
    ];
  }

  /** The defer of a plan, with its reason (always: ClusterView.explain) and, when the world keeps reasons, the alternatives compared. */
  function deferral(jobId: number, site: string, r: number, latest: number, p: number, c: Comparison): Decision {
    const { now, best, saving, candidates } = c;
    return {
      kind: "defer",
      jobId,
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
        ...(candidates !== undefined ? { alternatives: alternatives(c, candidates, { now: "start now", chosen: "chosen start", latest: "latest start", other: "start at" }) } : {}),
      },
    };
  }

  /**
   * Whether to suspend a running job at view.now (its site's intensity changed):
   * the suspension and, for when the world confirms it, the resumption's plan and defer.
   */
  function preemption(view: ClusterView, run: RunningJobView, qos: QosSpec): Suspension | undefined {
    const now = view.now;
    const r = run.predictedEnd - now;
    // Less than a step of work left, or just started (nothing to checkpoint): keep running.
    if (!(r >= step) || !Number.isFinite(r) || !(now > run.start)) return undefined;
    const last = run.lastSuspendedAt;
    if (last !== undefined && now - last < step) return undefined;
    const site = view.pools[run.pool].site;
    const ran = run.ranSeconds + (now - run.start);
    const latest = latestStart(run.submit, qos, r, ran);
    if (!(latest > now)) return undefined;
    const p = qos.impact_preference;
    const c = compare(view, site, r, run.submit, latest, p);
    if (!worthWaiting(c, now)) return undefined;
    const { best, saving, candidates } = c;
    const at = c.now;
    const suspend: Decision = candidates === undefined ? { kind: "suspend", jobId: run.id } : {
      kind: "suspend",
      jobId: run.id,
      why: {
        reason: `preemption at site ${site}: forecast ${categoryId} intensity over the remaining ${r} s of work ${(saving * 100).toFixed(1)} % lower from ${best.t} s than now, within the allowed delay (latest resumption ${latest} s)`,
        expected: {
          resume_s: best.t,
          delay_s: best.t - now,
          latest_start_s: latest,
          remaining_s: r,
          ran_s: ran,
          impact_preference: p,
          intensity_now_per_kwh: at.intensity * J_PER_KWH,
          intensity_per_kwh: best.intensity * J_PER_KWH,
          saving,
          cost_now: at.cost,
          cost: best.cost,
        },
        alternatives: alternatives(c, candidates, { now: "keep running", chosen: "chosen resumption", latest: "latest resumption", other: "resume at" }),
      },
    };
    return { suspend, plan: { until: best.t, site }, defer: deferral(run.id, site, r, latest, p, c) };
  }


  return {
    name: "temporal",
    version: "1",
    // preempt appears only when on, so runs without it keep their provenance.
    params: { step_s: step, min_saving: minSaving, category: categoryId, ...(preempt ? { preempt } : {}) },
    initialState: () => ({ plans: {} }),
    decide(view: ClusterView, happened: readonly WorldEvent[], memory: TemporalState): readonly Decision[] {
      const plans = memory.plans;
      const out: Decision[] = [];
      let changedSites: Set<string> | undefined;
      for (const e of happened) {
        if (e.kind === "jobEnded" || e.kind === "jobKilled") delete plans[e.jobId];
        else if (e.kind === "intensityChanged") (changedSites ??= new Set()).add(e.site);
        else if (e.kind === "jobSuspended") {
          // Ours: its resumption is planned already. Someone else's: plan it again as it comes.
          const p = plans[e.jobId];
          if (p?.suspendedAt !== undefined) delete p.suspendedAt;
          else delete plans[e.jobId];
        } else if (e.kind === "decisionRefused" && e.decision.kind === "suspend") delete plans[e.decision.jobId]?.suspendedAt;
      }
      const now = view.now;
      let held = 0;
      let released = false;
      let prioritised = false;
      for (const job of view.queue) {
        let entry = plans[job.id];
        if (entry === undefined) {
          const r = plan(view, job);
          plans[job.id] = entry = r.plan;
          if (r.defer) out.push(r.defer);
        } else if (untilOf(entry) > now && changedSites?.has(entry.site)) {
          // New forecast information: plan again; say so only when the start moves.
          const r = plan(view, job);
          if (r.plan.until !== entry.until && r.defer) out.push(r.defer);
          if (untilOf(r.plan) <= now) released = true;
          plans[job.id] = entry = r.plan;
        }
        if (untilOf(entry) > now) held++;
        if ((job.qos?.priority ?? 0) !== 0) prioritised = true;
      }
      let suspended = false;
      if (preempt && changedSites !== undefined) {
        for (const run of view.running) {
          const qos = run.qos;
          if (qos?.preemptible !== true || run.workflow !== undefined || !changedSites.has(view.pools[run.pool].site)) continue;
          const s = preemption(view, run, qos);
          if (s === undefined) continue;
          // Suspended, the job is queued again: the defer that follows applies to it, as its new plan.
          out.push(s.suspend, s.defer);
          plans[run.id] = { ...s.plan, suspendedAt: view.now };
          suspended = true;
        }
      }
      if (held === 0 && !prioritised) {
        out.push(...easy.decide(view, released ? [...happened, { kind: "wokeUp" }] : happened));
      } else {
        let eligible = restrictView(view, undefined, (job) => !(untilOf(plans[job.id]) > now));
        if (prioritised) {
          const queue = eligible.queue.map((job, i) => ({ job, i }));
          queue.sort((a, b) => (b.job.qos?.priority ?? 0) - (a.job.qos?.priority ?? 0) || a.i - b.i);
          eligible = { ...eligible, queue: queue.map((q) => q.job) };
        }
        // A job released by a new plan can start although no event but an intensity change came.
        out.push(...easy.decide(eligible, released ? [...happened, { kind: "wokeUp" }] : happened));
      }
      // Suspended jobs leave their nodes only once these decisions are applied: a pass at once lets EASY use them.
      if (suspended) out.push({ kind: "wakeAt", time: now });
      return out;
    },
  };
}
