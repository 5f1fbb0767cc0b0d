/**
 * pieces.csv: the pieces each job ran in (issue 17), one row per run of every
 * job with a QoS class (a job suspended and resumed runs in several pieces;
 * jobs without a class cannot be shifted and run in one, reported in
 * jobs.csv). Each row gives the piece's start and end, the seconds spent
 * restarting from a checkpoint and working, and the job's window: its latest
 * end (its QoS class's window rule: submit + max_delay_s + walltime, no later
 * than submit + deadline_s). The last row of a job says whether it ended past
 * its window, and if so why, from what the run saw (and "killed at its
 * walltime" for a job that ran out of walltime, in its window or not: it had
 * more work than it asked for):
 * - "held by the policy until T s": a defer put its last piece too late to
 *   end in time (a policy's fault);
 * - "waited W s for capacity from T s": it was free to run (submitted,
 *   suspended, or released by its last defer at T) but did not start at once,
 *   and then no longer fitted its window;
 * - "its window was too short: W s of work left at T s": it started as soon
 *   as it was free and still could not end in time (a deadline shorter than
 *   its walltime, say).
 * So the invariant "a preemptible job either finishes its work within its
 * allowed delay or the output says why" can be checked from this file alone.
 */
import type { JobSpec } from "../io/index.js";
import type { Decision } from "../planner/index.js";
import type { JobFact, SimObserver } from "../sim/index.js";

export const PIECE_COLUMNS = ["job_id", "qos", "piece", "start_s", "end_s", "restart_s", "work_s", "killed", "final", "latest_end_s", "past_window", "why"] as const;

/** Latest end of a job's window by its QoS class (undefined without one). */
export function latestEnd(job: JobSpec): number | undefined {
  const q = job.qos;
  if (q === undefined) return undefined;
  const byDelay = job.submit + q.max_delay_s + job.walltime;
  return q.deadline_s !== undefined ? Math.min(byDelay, job.submit + q.deadline_s) : byDelay;
}

/** Why a job ended past its window, counted by kind of reason. */
export interface PiecesSummary {
  /** Jobs with a QoS class that ended, and their pieces. */
  jobs: number;
  pieces: number;
  /** Jobs run in more than one piece. */
  interrupted: number;
  /** Jobs that ended past their window, by reason (killed, policy, capacity, a window too short for the work). */
  past_window: { killed: number; policy: number; capacity: number; window: number };
}

/** Tolerance on times, s: ends within it of the latest end are in time. */
const EPS = 1e-6;

export class PiecesLog implements SimObserver {
  /** Per job: the piece index so far, and when it was last free to run (submit, suspension, or a defer's end) and by what. */
  private readonly state = new Map<number, { piece: number; freeFrom: number; heldUntil?: number }>();
  readonly totals: PiecesSummary = { jobs: 0, pieces: 0, interrupted: 0, past_window: { killed: 0, policy: 0, capacity: 0, window: 0 } };

  /** @param write receives each row's cells, in PIECE_COLUMNS order (undefined: summary only) */
  constructor(private readonly write?: (cells: readonly (string | number)[]) => void) {}

  private of(job: JobSpec) {
    let s = this.state.get(job.id);
    if (s === undefined) this.state.set(job.id, (s = { piece: 0, freeFrom: job.submit }));
    return s;
  }

  decided(time: number, d: Decision): void {
    if (d.kind !== "defer") return;
    const s = this.state.get(d.jobId) ?? { piece: 0, freeFrom: time };
    s.heldUntil = d.until;
    s.freeFrom = Math.max(time, d.until);
    this.state.set(d.jobId, s);
  }

  jobEnded(f: JobFact): void {
    const job = f.job;
    const end = latestEnd(job);
    if (end === undefined) return;
    const s = this.of(job);
    s.piece++;
    this.totals.pieces++;
    const restart = f.restartSeconds ?? 0;
    let past = 0;
    let why = "";
    if (f.final) {
      this.totals.jobs++;
      if (s.piece > 1) this.totals.interrupted++;
      if (f.killed) why = "killed at its walltime";
      if (f.end > end + EPS) {
        past = 1;
        const work = f.end - f.start - restart;
        if (f.killed) this.totals.past_window.killed++;
        else if (s.heldUntil !== undefined && s.heldUntil >= f.start - EPS && s.heldUntil + work > end + EPS) {
          why = `held by the policy until ${s.heldUntil} s`;
          this.totals.past_window.policy++;
        } else if (f.start > s.freeFrom + EPS) {
          why = `waited ${f.start - s.freeFrom} s for capacity from ${s.freeFrom} s`;
          this.totals.past_window.capacity++;
        } else {
          why = `its window was too short: ${work} s of work left at ${f.start} s`;
          this.totals.past_window.window++;
        }
      }
      this.state.delete(job.id);
    } else {
      // Suspended: free to run again from now, until a defer says otherwise.
      s.freeFrom = f.end;
      s.heldUntil = undefined;
    }
    this.write?.([job.id, job.qos!.name, s.piece, f.start, f.end, restart, f.end - f.start - restart, f.killed ? 1 : 0, f.final ? 1 : 0, end, past, why]);
  }
}
