/**
 * Reference FCFS and EASY-backfilling schedulers, used ONLY as a test oracle.
 *
 * Written independently of src/sim and src/planner, and deliberately naive:
 * plain arrays, linear scans, no event heap, O(n^2). Its only job is to be
 * obviously right, so that the real simulator can be compared against it.
 * See README.md in this directory for the semantics implemented.
 */

export interface RefJob {
  id: number;
  submit: number;
  runtime: number;
  walltime: number;
  procs: number;
}

/** A job currently holding processors. */
interface Running {
  procs: number;
  /** When it really releases its processors: start + min(runtime, walltime). */
  end: number;
  /** When the scheduler believes it ends: start + walltime (the only thing EASY may use). */
  predictedEnd: number;
}

type Policy = "fcfs" | "easy" | "conservative";

/** Start time of every job, by id, under first-come-first-served (no backfilling). */
export function referenceFcfs(jobs: readonly RefJob[], machineProcs: number): Map<number, number> {
  return simulate(jobs, machineProcs, "fcfs");
}

/** Start time of every job, by id, under EASY backfilling (Lifka 1995). */
export function referenceEasy(jobs: readonly RefJob[], machineProcs: number): Map<number, number> {
  return simulate(jobs, machineProcs, "easy");
}

/**
 * Start time of every job, by id, under conservative backfilling (Mu'alem and
 * Feitelson 2001): every queued job, in queue order, reserves the earliest
 * start at which its processors stay free for its whole walltime, given the
 * running jobs (until their predicted ends) and the reservations of the jobs
 * ahead of it; jobs whose reservation is now start. Reservations are made
 * afresh at every pass.
 */
export function referenceConservative(jobs: readonly RefJob[], machineProcs: number): Map<number, number> {
  return simulate(jobs, machineProcs, "conservative");
}

function validate(jobs: readonly RefJob[], machineProcs: number): void {
  if (!Number.isInteger(machineProcs) || machineProcs < 1) {
    throw new RangeError(`machineProcs must be a positive integer, got ${machineProcs}`);
  }
  const seen = new Set<number>();
  for (const j of jobs) {
    if (seen.has(j.id)) throw new RangeError(`duplicate job id ${j.id}`);
    seen.add(j.id);
    // A job that can never fit would block the queue forever; zero-length jobs
    // would need a rule for "ends at the instant it starts". Both are rejected.
    if (!Number.isInteger(j.procs) || j.procs < 1 || j.procs > machineProcs) {
      throw new RangeError(`job ${j.id}: procs must be an integer in [1, ${machineProcs}], got ${j.procs}`);
    }
    if (!Number.isFinite(j.submit)) throw new RangeError(`job ${j.id}: submit must be finite`);
    if (!(j.runtime > 0) || !Number.isFinite(j.runtime)) throw new RangeError(`job ${j.id}: runtime must be > 0`);
    if (!(j.walltime > 0) || !Number.isFinite(j.walltime)) throw new RangeError(`job ${j.id}: walltime must be > 0`);
  }
}

function simulate(jobs: readonly RefJob[], machineProcs: number, policy: Policy): Map<number, number> {
  validate(jobs, machineProcs);

  // Queue order = submit time, then input order. Array.prototype.sort is
  // stable, so jobs with equal submit times keep their input order.
  const arrivals = jobs.slice().sort((a, b) => a.submit - b.submit);
  let nextArrival = 0; // arrivals[nextArrival..] have not been submitted yet

  let queue: RefJob[] = []; // submitted, not started, in queue order
  let running: Running[] = [];
  let free = machineProcs;
  const starts = new Map<number, number>();

  function start(job: RefJob, now: number): void {
    starts.set(job.id, now);
    free -= job.procs;
    // A job that runs past its walltime is killed at the walltime.
    running.push({ procs: job.procs, end: now + Math.min(job.runtime, job.walltime), predictedEnd: now + job.walltime });
  }

  /** Conservative backfilling's pass: a reservation for every queued job, in order. */
  function conservativePass(now: number): void {
    // Reservations of this pass (jobs started now count as running instead).
    const reserved: { start: number; end: number; procs: number }[] = [];
    /** Processors free at instant t (>= now) as the scheduler believes it: running jobs until their predicted ends, reservations over [start, end). */
    const freeAt = (t: number): number => {
      let used = 0;
      for (const r of running) if (r.predictedEnd > t) used += r.procs;
      for (const x of reserved) if (x.start <= t && t < x.end) used += x.procs;
      return machineProcs - used;
    };
    const waiting: RefJob[] = [];
    for (const job of queue) {
      // Candidate starts: now and every instant at which processors come free.
      const candidates = [now, ...running.map((r) => r.predictedEnd), ...reserved.map((x) => x.end)].filter((t) => t >= now).sort((a, b) => a - b);
      let at = Infinity;
      for (const t of candidates) {
        // Free processors only drop inside the window where a reservation begins: check t and those instants.
        const checks = [t, ...reserved.map((x) => x.start).filter((s) => s > t && s < t + job.walltime)];
        if (checks.every((c) => freeAt(c) >= job.procs)) {
          at = t;
          break;
        }
      }
      if (at === Infinity) throw new Error("internal: job can never fit");
      if (at === now) start(job, now);
      else {
        reserved.push({ start: at, end: at + job.walltime, procs: job.procs });
        waiting.push(job);
      }
    }
    queue = waiting;
  }

  /** One scheduling pass at instant `now`. */
  function pass(now: number): void {
    if (policy === "conservative") return conservativePass(now);
    // Both policies: start jobs from the head of the queue while the head fits.
    while (queue.length > 0 && queue[0].procs <= free) start(queue.shift()!, now);
    if (policy === "fcfs" || queue.length === 0) return; // FCFS stops at the first job that does not fit.

    // EASY, step 1: reservation for the blocked head, computed once per pass.
    // Walk running jobs (including those just started from the head in this
    // pass) by PREDICTED end, adding their processors to the free count until
    // the head fits. That predicted end is the shadow time.
    const head = queue[0];
    const byPredictedEnd = running.slice().sort((a, b) => a.predictedEnd - b.predictedEnd);
    let shadow = Infinity;
    let accumulated = free;
    for (const r of byPredictedEnd) {
      accumulated += r.procs;
      if (accumulated >= head.procs) {
        shadow = r.predictedEnd;
        break;
      }
    }
    // Cannot happen after validate(): once everything ends, the whole machine is free.
    if (shadow === Infinity) throw new Error("internal: head can never fit");

    // Extra processors = free processors at the shadow time, counting EVERY
    // running job predicted to end at or before it (ties included), minus the head's need.
    let freeAtShadow = free;
    for (const r of running) if (r.predictedEnd <= shadow) freeAtShadow += r.procs;
    let extra = freeAtShadow - head.procs;

    // EASY, step 2: scan the rest of the queue in order. A job starts now if it
    // fits in the free processors AND either it is predicted to finish by the
    // shadow time, or it only uses processors the head will not need.
    const stillWaiting: RefJob[] = [head];
    for (const job of queue.slice(1)) {
      const endsByShadow = now + job.walltime <= shadow;
      if (job.procs <= free && (endsByShadow || job.procs <= extra)) {
        start(job, now); // reduces `free`; does not touch shadow (computed once)
        if (!endsByShadow) extra -= job.procs; // it will still hold these at the shadow time
      } else {
        stillWaiting.push(job);
      }
    }
    queue = stillWaiting;
  }

  // Event loop: jump to the next instant at which something happens, process
  // ALL completions and submissions of that instant, then ONE pass.
  while (nextArrival < arrivals.length || queue.length > 0) {
    let now = Infinity;
    if (nextArrival < arrivals.length) now = arrivals[nextArrival].submit;
    for (const r of running) now = Math.min(now, r.end);
    if (now === Infinity) throw new Error("internal: queue blocked with nothing running");

    // Completions at `now` release their processors.
    const stillRunning: Running[] = [];
    for (const r of running) {
      if (r.end === now) free += r.procs;
      else stillRunning.push(r);
    }
    running = stillRunning;

    // Submissions at `now` join the tail of the queue (already in queue order).
    while (nextArrival < arrivals.length && arrivals[nextArrival].submit === now) {
      queue.push(arrivals[nextArrival]);
      nextArrival++;
    }

    pass(now);
  }
  return starts;
}
