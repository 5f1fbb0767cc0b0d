/**
 * Flexible and interruptible jobs: each job whose QoS class lets it wait gets
 * a plan of pieces within its window, made from the forecast when it arrives,
 * by one of the published rules; the plan is carried out by deferring the job
 * to each piece's start and, for preemptible jobs, suspending it at each
 * piece's end. Everything eligible runs under EASY backfilling. See
 * docs/flexible.md for the rules, their sources and how they compare.
 *
 * The window of a job (its QoS class's window rule): from its arrival to its
 * latest end E = submit + max_delay_s + walltime, and no later than
 * submit + deadline_s when the class has a deadline. The job's length is what
 * the scheduler knows: its walltime (params.length "walltime", the published
 * policies' known length when the walltime is the run time), or its predicted
 * run time (params.length "predicted": the median run/requested ratio of the
 * finished jobs most like it, planner/calibrate.ts calibrateFromHistory, times
 * its walltime; the walltime when there is no history). A plan places the
 * predicted work in [now, E - g], g being the walltime left beyond the
 * prediction, so a job that outruns its prediction runs on after its last
 * piece and still ends by E: the deadline holds on the walltime.
 *
 * Rules (params.rule), each a plan of pieces for the job's length L in its
 * window, on slots of step_s seconds from its arrival (slot rates: forecast
 * mean intensity of `category` over the slot):
 * - "slots" (default): the cheapest set of slots, chosen together, with the
 *   class's restart cost (checkpoint_s) before every piece after the first and
 *   pieces of at least min_piece_s (planner/pieces.ts, exact);
 * - "wait-awhile": the cheapest slots, ties to the earlier, the least piece
 *   ignored (restarts, when the class has them, are planned for, so the
 *   deadline holds; the published setting has none):
 *   Wiesner et al., "Let's Wait Awhile", Middleware '21 (interruptible
 *   strategy), GAIA's "Wait AWhile" (Hanafy et al., "Going Green for Less
 *   Green", ASPLOS '24: github.com/umassos/GAIA, suspend-resume,
 *   compute_schedule_optimal: the job's `length` cheapest slots of
 *   [arrival, arrival + length + wait), ties to the earlier slot);
 * - "ecovisor": threshold pausing (GAIA suspend-resume-threshold,
 *   compute_schedule_threshold, after Souza et al.'s Ecovisor, ASPLOS '23): the
 *   threshold is the `percentile` quantile (default 0.3, linear interpolation)
 *   of the slot rates over the next horizon_s (default 24 h); walking the
 *   window's slots, the job runs in a slot whose rate is below the threshold,
 *   or once waiting a slot more would leave too little time for the rest (and
 *   a restart to resume, when the class has one): with no restart, GAIA's
 *   waiting budget (window - L) in whole slots; waits otherwise;
 * - "lowest-window": one piece, the start among now + k start_step_s (up to
 *   E - L) of least mean rate over [t, t + L], ties to the earliest (GAIA
 *   "oracle"/"waiting", Let's Wait Awhile's non-interrupting strategy);
 * - "carbon-time": one piece, the start maximising the carbon saved against
 *   starting now per second of completion time, (C(now) - C(t)) / (t - now + L)
 *   with C(t) the forecast integral over [t, t + L], ties to the earliest
 *   (GAIA "cst_oracle"/"cst_average", Carbon Saving per waiting Time);
 * - "lowest-slot": one piece, starting at the cheapest slot start in
 *   [now, E - L], ties to the earliest (GAIA "lowest").
 * Jobs whose class is not preemptible (and workflow tasks) get one piece
 * whatever the rule: lowest-window for the interrupting rules.
 *
 * Carrying a plan out: a queued job whose next piece starts later is
 * deferred to it (a `defer` with the rule and the plan); from the piece's
 * start it is eligible and waits for capacity like any job. A running job
 * reaching the end of a piece that is not its last is suspended (`suspend`,
 * then `wakeAt` now so EASY uses the freed nodes), unless its work left no
 * longer fits what remains of its window (it started late: capacity was
 * short), in which case it runs on. After a suspension the rest of the plan
 * stands (the published policies plan once: a threshold taken afresh would
 * move); a job behind its plan (a piece started late), or released into a
 * piece that ended before it could start, is planned afresh from its work left
 * (walltime less the time it ran), paying a restart on its first piece. Equal
 * costs tie whatever their last bits, and a slot inside one segment of the
 * forecast has that segment's value exactly. With ample capacity and a perfect forecast the pieces run as
 * planned and "slots" is the optimum; where capacity binds, pieces start late
 * and the job may end after E: the run's pieces output says so and why.
 *
 * Deterministic; state is plain JSON (plans by job id, and for "predicted" a
 * bounded history of finished jobs).
 */
import { quantileSorted } from "simple-statistics";
import { EF_CATEGORIES, categoryIndex } from "../../core/index.js";
import type { QosSpec } from "../../io/index.js";
import { calibrateFromHistory, type PastJob } from "../calibrate.js";
import { planPieces, pieceCells, slotRates, type Piece } from "../pieces.js";
import type { ClusterView, Decision, Policy, QueuedJobView, WorldEvent } from "../view.js";
import { canHold, fitsNow } from "./common.js";
import { policyEasyBackfill } from "./easy.js";
import { restrictView } from "./restrict.js";

export const FLEXIBLE_RULES = ["slots", "wait-awhile", "ecovisor", "lowest-window", "carbon-time", "lowest-slot"] as const;
export type FlexibleRule = (typeof FLEXIBLE_RULES)[number];

export interface FlexibleParams {
  /** How pieces are chosen (default "slots"). */
  readonly rule?: FlexibleRule;
  /** Slot length, s (default 900). */
  readonly step_s?: number;
  /** Spacing of candidate starts of the one-piece rules, s (default step_s). */
  readonly start_step_s?: number;
  /** The length a plan is made for: "walltime" (default) or "predicted" (history of finished jobs). */
  readonly length?: "walltime" | "predicted";
  /** EF 3.1 category id whose intensity is compared (default "CC"). */
  readonly category?: string;
  /** Ecovisor: the quantile of the coming rates below which a job runs (default 0.3). */
  readonly percentile?: number;
  /** Ecovisor: the span of coming rates the quantile is taken over, s (default 86400). */
  readonly horizon_s?: number;
}

/** A job's plan: pieces [start, end, restart] in time order, where, and what it was planned on. */
export interface FlexiblePlan {
  pieces: [number, number, number][];
  site: string;
  /** Latest end (its window's end), s. */
  latestEnd: number;
  /** The start of the last defer emitted, so each is emitted once. */
  deferred: number | null;
  /** The piece end a wake-up was asked for. */
  woke: number | null;
  /** Work left when last seen queued, s (walltime less the time it ran). */
  left: number;
  /** Restart paid at the start of this run, s. */
  restart: number;
  /** Set when this policy suspended it behind its plan, until it is seen queued and planned again. */
  replan?: boolean;
  /** Walltime left beyond the predicted work when planned, s (0 when planned on the walltime). */
  guard: number;
  /** For the history ("predicted"): user, cores, this run's start, the seconds it ran before, walltime, as last seen running. */
  run?: [number, number, number, number, number];
  /** Index of the piece during which it was last seen eligible in the queue (-1: never). */
  released: number;
}

export interface FlexibleState {
  plans: Record<string, FlexiblePlan>;
  /** Finished jobs (user, cores, run time, walltime), newest last, at most HISTORY. */
  history: [number, number, number, number][];
}

const HISTORY = 500;
/** Most dynamic-programme cells per plan (4 bytes each); larger problems are planned on coarser slots. */
const MAX_CELLS = 1 << 23;
const J_PER_KWH = 3.6e6;
/** Relative difference below which two window costs are equal. */
const TIE = 1e-12;

/** A one-piece plan starting at `t`. */
const onePiece = (t: number, work: number): Piece[] => [{ start: t, end: t + work, restart: 0 }];

export function policyFlexible(params: FlexibleParams = {}): Policy<FlexibleState> {
  const rule = params.rule ?? "slots";
  const step = params.step_s ?? 900;
  const startStep = params.start_step_s ?? step;
  const lengthMode = params.length ?? "walltime";
  const categoryId = params.category ?? "CC";
  const percentile = params.percentile ?? 0.3;
  const horizon = params.horizon_s ?? 86400;
  if (!FLEXIBLE_RULES.includes(rule)) throw new RangeError(`policyFlexible: rule: expected one of ${FLEXIBLE_RULES.join(", ")}, got ${JSON.stringify(rule)}`);
  for (const [name, v] of [["step_s", step], ["start_step_s", startStep], ["horizon_s", horizon]] as const) {
    if (!(typeof v === "number" && Number.isFinite(v) && v > 0)) throw new RangeError(`policyFlexible: ${name}: expected a finite number of seconds > 0, got ${JSON.stringify(v)}`);
  }
  if (lengthMode !== "walltime" && lengthMode !== "predicted") throw new RangeError(`policyFlexible: length: expected "walltime" or "predicted", got ${JSON.stringify(lengthMode)}`);
  if (!(typeof percentile === "number" && percentile >= 0 && percentile <= 1)) throw new RangeError(`policyFlexible: percentile: expected a number in [0, 1], got ${JSON.stringify(percentile)}`);
  const category = categoryIndex(categoryId);
  if (category < 0 || category >= EF_CATEGORIES.length) {
    throw new RangeError(`policyFlexible: category: expected an EF 3.1 category id (${EF_CATEGORIES.map((c) => c.id).join(", ")}), got ${JSON.stringify(categoryId)}`);
  }
  const easy = policyEasyBackfill();
  const interrupting = rule === "slots" || rule === "wait-awhile" || rule === "ecovisor";

  /** Latest end of a job's window. */
  function latestEnd(submit: number, walltime: number, qos: QosSpec): number {
    let e = submit + qos.max_delay_s + walltime;
    if (qos.deadline_s !== undefined) e = Math.min(e, submit + qos.deadline_s);
    return e;
  }

  /** Predicted run time of a job from the history, or its walltime. */
  function predicted(job: QueuedJobView, state: FlexibleState): number {
    if (lengthMode === "walltime" || state.history.length === 0 || !Number.isFinite(job.walltime)) return job.walltime;
    const past: PastJob[] = state.history.map(([user, cores, runtime, walltime]) => ({ user, cores, runtime, walltime }));
    const c = calibrateFromHistory(past, { user: job.user, cores: Math.max(1, Math.round(job.cores)), walltime: job.walltime });
    return c === undefined ? job.walltime : Math.min(job.walltime, c.runtime.mid);
  }

  /** Pieces for `work` seconds in [now, to) at `site` by the rule; undefined when nothing fits. */
  function pieces(view: ClusterView, site: string, work: number, to: number, qos: QosSpec, resumed: boolean): { pieces: Piece[]; detail: string } | undefined {
    const now = view.now;
    if (!(to - now >= work - 1e-9)) return undefined;
    if (to - now <= work + 1e-9) return { pieces: onePiece(now, work), detail: "no slack left in the window" };
    const forecast = view.forecast(site);
    // A slot within one segment of the forecast has that segment's value exactly (a mean from prefix sums
    // can differ in its last bits, which would break the published rules' ties between equal values).
    const mean = (a: number, b: number) => (forecast.nextChange !== undefined && forecast.nextChange(a) >= b ? forecast.at(a, category) : forecast.mean(a, b, category));
    const preemptible = qos.preemptible === true;
    const r = interrupting && preemptible ? rule : rule === "lowest-slot" || rule === "carbon-time" ? rule : "lowest-window";
    if (r === "slots" || r === "wait-awhile") {
      // Wait AWhile ignores the least piece, but not restarts: they must fit the window for the deadline to hold.
      const restart = qos.checkpoint_s ?? 0;
      const minPiece = r === "slots" ? (qos.min_piece_s ?? 0) : 0;
      let s = step;
      while (pieceCells({ from: now, to, work, step: s, restart, minPiece }) > MAX_CELLS) s *= 2;
      const plan = planPieces({ from: now, to, work, step: s, rates: slotRates(now, to, s, mean), restart, minPiece, resumed });
      return plan && { pieces: [...plan.pieces], detail: `${plan.pieces.length} piece(s) in the cheapest ${s} s slots` };
    }
    if (r === "ecovisor") return ecovisor(now, to, work, mean, qos.checkpoint_s ?? 0, resumed);
    // One-piece rules: candidate starts now + k start_step up to the latest start.
    const latest = to - work;
    if (r === "lowest-slot") {
      let best = now;
      let bestRate = Infinity;
      for (let t = now; t <= latest + 1e-9; t += step) {
        const rate = mean(t, Math.min(t + step, to));
        if (rate < bestRate) [best, bestRate] = [t, rate];
      }
      return { pieces: onePiece(best, work), detail: `start at the cheapest slot, ${(bestRate * J_PER_KWH).toPrecision(4)} per kWh` };
    }
    const c0 = mean(now, now + work) * work;
    let best = now;
    let bestScore = r === "carbon-time" ? 0 : c0;
    for (let t = now + startStep; t <= latest + 1e-9; t += startStep) {
      const c = mean(t, t + work) * work;
      // Equal costs are ties whatever their last bits (window sums from prefix sums round): to the earliest.
      if (r === "carbon-time") {
        const score = (c0 - c) / (t - now + work);
        if (score > bestScore + (TIE * c0) / work) [best, bestScore] = [t, score];
      } else if (c < bestScore * (1 - TIE)) [best, bestScore] = [t, c];
    }
    const detail = r === "carbon-time" ? `saving per second of completion time ${(bestScore * J_PER_KWH).toPrecision(4)} per kWh` : `window mean ${((bestScore / work) * J_PER_KWH).toPrecision(4)} per kWh`;
    return { pieces: onePiece(best, work), detail };
  }

  /**
   * Ecovisor-style threshold pausing over the window's slots. A slot is waited
   * only if what is left (and a restart to resume, when the class has one) still
   * fits after it: with no restart, the published rule (wait while the budget
   * lasts, in whole slots).
   */
  function ecovisor(now: number, to: number, work: number, mean: (a: number, b: number) => number, restart: number, resumed: boolean): { pieces: Piece[]; detail: string } | undefined {
    const coming = slotRates(now, now + horizon, step, mean);
    const threshold = quantileSorted(Array.from(coming).sort((a, b) => a - b), percentile);
    const rates = slotRates(now, to, step, mean);
    let left = work;
    /** Restart seconds still to pay in the current piece. */
    let pending = 0;
    const out: Piece[] = [];
    let start = -1;
    let pieceRestart = 0;
    const resumeCost = () => (restart > 0 && (resumed || out.length > 0 || start >= 0) ? restart : 0);
    for (let k = 0; k < rates.length && left > 1e-9; k++) {
      const t = now + k * step;
      const canWait = to - (t + Math.min(step, to - t)) >= left + resumeCost() - 1e-9;
      if (rates[k] < threshold || !canWait) {
        if (start < 0) {
          start = t;
          pending = pieceRestart = restart > 0 && (resumed || out.length > 0) ? restart : 0;
        }
        let took = Math.min(step, to - t);
        const paid = Math.min(pending, took);
        pending -= paid;
        took -= paid;
        const worked = Math.min(took, left);
        left -= worked;
        if (left <= 1e-9) out.push({ start, end: t + paid + worked, restart: pieceRestart });
      } else {
        if (start >= 0) out.push({ start, end: t, restart: pieceRestart });
        start = -1;
      }
    }
    if (left > 1e-9) return undefined;
    return { pieces: out, detail: `run below the ${percentile} quantile of the coming ${horizon} s, ${(threshold * J_PER_KWH).toPrecision(4)} per kWh` };
  }

  /** Plans a queued job now; the plan, and a defer when its first piece starts later. */
  function plan(view: ClusterView, job: QueuedJobView, state: FlexibleState, resumed: boolean): { plan: FlexiblePlan; defer?: Decision } | undefined {
    const qos = job.qos;
    if (qos === undefined || job.workflow !== undefined || !Number.isFinite(job.walltime)) return undefined;
    if (!(qos.max_delay_s > 0) && qos.deadline_s === undefined) return undefined;
    const pool = view.pools.find((p) => fitsNow(job, p)) ?? view.pools.find((p) => canHold(job, p));
    if (pool === undefined) return undefined;
    const now = view.now;
    const end = latestEnd(job.submit, job.walltime, qos);
    const done = job.walltime - job.timeLeft;
    const length = predicted(job, state);
    const work = Math.max(0, length - done);
    // Walltime left beyond the prediction: kept free at the window's end so the job can run on.
    const guard = job.timeLeft - work;
    const base: FlexiblePlan = { pieces: [], site: pool.site, latestEnd: end, deferred: null, woke: null, left: job.timeLeft, restart: 0, released: -1, guard };
    if (!(work > 0)) return { plan: base };
    const made = pieces(view, pool.site, work, end - guard, qos, resumed);
    if (made === undefined) return { plan: base };
    base.pieces = made.pieces.map((p) => [p.start, p.end, p.restart]);
    const first = made.pieces[0];
    if (!(first.start > now)) return { plan: base };
    base.deferred = first.start;
    const defer: Decision = {
      kind: "defer",
      jobId: job.id,
      until: first.start,
      why: {
        reason: `flexible (${rule}) at site ${pool.site}: ${made.detail}; ${made.pieces.length} piece(s) of ${work} s of work by ${end} s`,
        expected: { start_s: first.start, delay_s: first.start - now, latest_end_s: end, work_s: work, pieces: made.pieces.length, length_s: length },
        alternatives: made.pieces.map((p, i) => ({ option: `piece ${i + 1}`, expected: { start_s: p.start, end_s: p.end, restart_s: p.restart } })),
      },
    };
    return { plan: base, defer };
  }

  /** Index of the piece a plan is in or before at `now` (pieces.length when past the last). */
  const current = (p: FlexiblePlan, now: number) => {
    let i = 0;
    while (i < p.pieces.length && p.pieces[i][1] <= now + 1e-9) i++;
    return i;
  };

  return {
    name: "flexible",
    version: "1",
    params: { rule, step_s: step, start_step_s: startStep, length: lengthMode, category: categoryId, ...(rule === "ecovisor" ? { percentile, horizon_s: horizon } : {}) },
    initialState: () => ({ plans: {}, history: [] }),
    decide(view: ClusterView, happened: readonly WorldEvent[], state: FlexibleState): readonly Decision[] {
      const plans = state.plans;
      const now = view.now;
      for (const e of happened) {
        if (e.kind === "jobEnded" || e.kind === "jobKilled") {
          const p = plans[e.jobId];
          if (lengthMode === "predicted" && p?.run !== undefined && e.kind === "jobEnded") {
            const [user, cores, start, before, walltime] = p.run;
            state.history.push([user, cores, now - start + before, walltime]);
            if (state.history.length > HISTORY) state.history.splice(0, state.history.length - HISTORY);
          }
          delete plans[e.jobId];
        } else if (e.kind === "decisionRefused" && e.decision.kind === "suspend") {
          const p = plans[e.decision.jobId];
          if (p) delete p.replan;
        }
      }
      const out: Decision[] = [];
      let held = 0;
      for (const job of view.queue) {
        let p = plans[job.id];
        // Planned afresh: when first seen, after this policy suspended it, or when a piece it was released for ended before it could start (capacity was short).
        if (p !== undefined && p.released >= 0 && p.pieces.length > 0 && current(p, now) > p.released) p.replan = true;
        if (p === undefined || p.replan) {
          const made = plan(view, job, state, job.ranSeconds > 0);
          if (made === undefined) {
            delete plans[job.id];
            continue;
          }
          plans[job.id] = p = made.plan;
          if (made.defer) out.push(made.defer);
        }
        p.left = job.timeLeft;
        p.restart = job.lastSuspendedAt !== undefined ? (job.qos?.checkpoint_s ?? 0) : 0;
        const i = current(p, now);
        if (!(i < p.pieces.length && p.pieces[i][0] > now + 1e-9)) {
          p.released = i < p.pieces.length ? i : -1;
          // Released into a piece that is not its last: wake at its end to suspend it (it may start in this pass).
          if (i < p.pieces.length - 1 && p.woke !== p.pieces[i][1]) {
            p.woke = p.pieces[i][1];
            out.push({ kind: "wakeAt", time: p.woke });
          }
        } else {
          held++;
          if (p.deferred !== p.pieces[i][0]) {
            p.deferred = p.pieces[i][0];
            out.push({ kind: "defer", jobId: job.id, until: p.deferred, why: { reason: `flexible (${rule}): piece ${i + 1} of ${p.pieces.length} starts at ${p.deferred} s` } });
          }
        }
      }
      let suspended = false;
      for (const run of view.running) {
        const p = plans[run.id];
        if (p === undefined) continue;
        if (lengthMode === "predicted") p.run = [run.user, run.cores, run.start, run.ranSeconds, run.walltime];
        if (p.pieces.length === 0) continue;
        const i = current(p, now);
        if (i >= p.pieces.length) continue; // past its last piece: it runs on
        const [, end] = p.pieces[i];
        if (i === p.pieces.length - 1) continue; // its last piece: it ends, or runs on past it
        if (end > now + 1e-9) {
          if (p.woke !== end) {
            p.woke = end;
            out.push({ kind: "wakeAt", time: end });
          }
          continue;
        }
      }
      // Suspensions at piece ends (checked again after current() moved past the piece).
      for (const run of view.running) {
        const p = plans[run.id];
        const qos = run.qos;
        if (p === undefined || p.pieces.length === 0 || p.replan || qos?.preemptible !== true) continue;
        p.released = -1;
        const i = current(p, now);
        if (i === 0 || i >= p.pieces.length) continue;
        // Piece i - 1 has ended and piece i starts later: suspend if the work left still fits the window.
        if (!(p.pieces[i][0] > now + 1e-9)) continue;
        if (run.start > p.pieces[i - 1][1]) continue;
        const left = p.left - Math.max(0, now - run.start - p.restart);
        if (!(left > 0)) continue;
        const restart = qos.checkpoint_s ?? 0;
        if (!(p.latestEnd - now >= left + restart + 1e-9)) continue;
        out.push({
          kind: "suspend",
          jobId: run.id,
          why: { reason: `flexible (${rule}): end of piece ${i} of ${p.pieces.length}; ${left} s of work left, next piece at ${p.pieces[i][0]} s`, expected: { resume_s: p.pieces[i][0], work_left_s: left, latest_end_s: p.latestEnd } },
        });
        // Planned again only when it fell behind its plan (it started a piece late): the rest of the plan
        // stands otherwise, as the published policies plan once (a threshold taken afresh would move).
        let planned = 0;
        for (let j = i; j < p.pieces.length; j++) planned += p.pieces[j][1] - p.pieces[j][0] - p.pieces[j][2];
        if (left - p.guard > planned + 1e-6) p.replan = true;
        suspended = true;
      }
      if (held === 0) out.push(...easy.decide(view, happened));
      else {
        const eligible = restrictView(view, undefined, (job) => {
          const p = plans[job.id];
          if (p === undefined) return true;
          const i = current(p, now);
          return !(i < p.pieces.length && p.pieces[i][0] > now + 1e-9);
        });
        out.push(...easy.decide(eligible, [...happened, { kind: "wokeUp" }]));
      }
      if (suspended) out.push({ kind: "wakeAt", time: now });
      return out;
    },
  };
}
