/**
 * Calibrations of a job's run time for a pre-submission estimate (estimate.ts):
 * the expected run time and a range around it, taken from the user's word, a
 * measured profile, the history of similar jobs in a trace, or, with nothing
 * else, the requested time as an upper bound. Each result says which source it
 * used, how many samples are behind it and, in plain words, what was matched.
 *
 * Quantiles are simple-statistics' quantileSorted: linear interpolation between
 * order statistics at index (n - 1) p (R and numpy type 7), so p = 0.5 is the
 * usual median and p = 0 and 1 are the smallest and largest sample.
 *
 * Pure: no I/O, no clock, no randomness.
 */
import { quantileSorted } from "simple-statistics";

/** A finished job of the history: what a trace records (SWF fields). */
export interface PastJob {
  /** User id, -1 when unknown. */
  readonly user: number;
  /** Requested processors (cores). */
  readonly cores: number;
  /** Actual run time, s. */
  readonly runtime: number;
  /** Requested time, s. */
  readonly walltime: number;
}

export type CalibrationSource = "user" | "profile" | "history" | "walltime";

/** Run times, s, with low <= mid <= high. */
export interface RuntimeRange {
  readonly low: number;
  readonly mid: number;
  readonly high: number;
}

export interface RuntimeCalibration {
  readonly source: CalibrationSource;
  /** Plain words on what was used, e.g. "history: 23 jobs of user 12 with 16-31 cores; run/requested time p10 0.21, median 0.48, p90 0.95, times the 2 h requested". */
  readonly detail: string;
  /** Samples behind it (0 for user input or walltime). */
  readonly n: number;
  /**
   * The run time's range, s, as measured where the samples come from (the
   * traced machine, or the profile's nodes); mid is the median.
   */
  readonly runtime: RuntimeRange;
  /** Which quantiles low and high are (e.g. 0.1 and 0.9), or null when none were taken (user input, walltime, a single sample). */
  readonly quantiles: readonly [number, number] | null;
}

export interface HistoryQuery {
  /** The job's user; absent or -1 (negative): unknown, so jobs are not matched on it. */
  readonly user?: number;
  /** Requested cores, an integer >= 1; jobs are matched on its power-of-two size class. */
  readonly cores: number;
  /** Requested time, s; absent or Infinity: the range is of run times, not of run/requested ratios. */
  readonly walltime?: number;
}

export interface HistoryOptions {
  /** Fewest matched jobs a level needs to be used (default 5). */
  readonly minMatches?: number;
  /** Quantiles for low and high, with low <= 0.5 <= high (default [0.1, 0.9]). */
  readonly quantiles?: readonly [number, number];
}

const DEFAULT_QUANTILES: readonly [number, number] = [0.1, 0.9];
const DEFAULT_MIN_MATCHES = 5;

/**
 * The run time of a job like `query`, from the jobs of a history that match it
 * best. Levels, in order, the first with at least `minMatches` jobs: (a) same
 * user and size class, (b) same user, any size, (c) same size class, any user,
 * (d) every job (used whatever its count). A size class is a power-of-two
 * bucket of cores: 1, 2-3, 4-7, 8-15, ... With an unknown user it starts at (c).
 *
 * Jobs with a run time <= 0 or not finite are skipped, and when the query has a
 * walltime so are jobs without a finite requested time > 0; `detail` counts them.
 * With a walltime the range is the quantiles of run/requested time (capped at
 * 1: a job is killed at its walltime) times the query's walltime; without one,
 * the quantiles of the matched run times.
 * @returns undefined when no job of the history is usable
 * @throws RangeError on cores that are not an integer >= 1, a walltime that is not > 0, minMatches not an integer >= 1, or quantiles out of order
 */
export function calibrateFromHistory(history: readonly PastJob[], query: HistoryQuery, options: HistoryOptions = {}): RuntimeCalibration | undefined {
  if (!(Number.isInteger(query.cores) && query.cores >= 1)) throw new RangeError(`calibrateFromHistory: expected cores an integer >= 1, got ${query.cores}`);
  const w = query.walltime;
  if (w !== undefined && !(w > 0)) throw new RangeError(`calibrateFromHistory: expected a walltime > 0 s (or none), got ${w}`);
  const walltime = w !== undefined && Number.isFinite(w) ? w : undefined;
  const minMatches = options.minMatches ?? DEFAULT_MIN_MATCHES;
  if (!(Number.isInteger(minMatches) && minMatches >= 1)) throw new RangeError(`calibrateFromHistory: expected minMatches an integer >= 1, got ${minMatches}`);
  const q = checkQuantiles("calibrateFromHistory", options.quantiles ?? DEFAULT_QUANTILES);

  const byRatio = walltime !== undefined;
  const usable = history.filter((j) => isUsable(j, byRatio));
  const skipped = history.length - usable.length;
  if (usable.length === 0) return undefined;

  const user = query.user !== undefined && query.user >= 0 ? query.user : undefined;
  const cls = sizeClass(query.cores);
  const size = sizeWords(cls);
  const sameSize = (j: PastJob) => sizeClass(j.cores) === cls;
  const ofUser = user === undefined ? [] : usable.filter((j) => j.user === user);
  const ofUserSize = ofUser.filter(sameSize);
  const ofSize = usable.filter(sameSize);
  const few = (k: number) => `only ${k}, fewer than ${minMatches}`;

  // Each level with the words that say what it matched and why the ones before it were not used.
  const levels: { jobs: readonly PastJob[]; words: () => string }[] = [];
  if (user !== undefined) {
    levels.push({ jobs: ofUserSize, words: () => `${jobs(ofUserSize.length)} of user ${user} with ${size}` });
    levels.push({ jobs: ofUser, words: () => `${jobs(ofUser.length)} of user ${user}, any size (with ${size}: ${few(ofUserSize.length)})` });
  }
  const userFew = user === undefined ? "user unknown" : `of user ${user}: ${few(ofUser.length)}`;
  levels.push({ jobs: ofSize, words: () => `${jobs(ofSize.length)} with ${size}, any user (${userFew})` });
  levels.push({ jobs: usable, words: () => `all ${jobs(usable.length)}, any user and size (${userFew}; with ${size}: ${few(ofSize.length)})` });
  const level = levels.find((l) => l.jobs.length >= minMatches) ?? levels[levels.length - 1];
  const matched = level.jobs;

  let detail = `history: ${level.words()}`;
  let runtime: RuntimeRange;
  if (walltime !== undefined) {
    let capped = 0;
    const ratios = matched.map((j) => {
      const r = j.runtime / j.walltime;
      if (r > 1) capped++;
      return Math.min(r, 1);
    });
    const r = quantileRange(ratios, q);
    runtime = { low: r.low * walltime, mid: r.mid * walltime, high: r.high * walltime };
    detail += `; run/requested time ${pq(q[0])} ${ratio(r.low)}, median ${ratio(r.mid)}, ${pq(q[1])} ${ratio(r.high)}, times the ${duration(walltime)} requested`;
    if (capped > 0) detail += `; ${jobs(capped)} ran past the requested time, counted as 1`;
  } else {
    runtime = quantileRange(
      matched.map((j) => j.runtime),
      q,
    );
    detail += `; run time ${pq(q[0])} ${duration(runtime.low)}, median ${duration(runtime.mid)}, ${pq(q[1])} ${duration(runtime.high)}`;
  }
  if (skipped > 0) {
    const why = byRatio ? "run time <= 0 or unknown, or no requested time" : "run time <= 0 or unknown";
    detail += `; ${skipped} of ${history.length} history records skipped (${why})`;
  }
  return { source: "history", detail, n: matched.length, runtime, quantiles: q };
}

/**
 * The run time the user states, with an optional range in absolute seconds
 * (default: none, low = high = runtime).
 * @throws RangeError unless 0 < low <= runtime <= high, all finite
 */
export function calibrateFromUser(runtime: number, spread?: { low: number; high: number }): RuntimeCalibration {
  const low = spread?.low ?? runtime;
  const high = spread?.high ?? runtime;
  if (!(low > 0 && low <= runtime && runtime <= high && Number.isFinite(high))) {
    throw new RangeError(`calibrateFromUser: expected 0 < low <= runtime <= high s, all finite, got runtime ${runtime}, spread ${JSON.stringify(spread)}`);
  }
  const range = spread ? `, range ${duration(low)} to ${duration(high)}` : ", no range given";
  return { source: "user", detail: `user: run time ${duration(runtime)}${range}`, n: 0, runtime: { low, mid: runtime, high }, quantiles: null };
}

/**
 * The requested time, the only thing known without a profile or a history: an
 * upper bound (the job is killed there), used as low, mid and high alike.
 * @throws RangeError unless walltime is finite and > 0
 */
export function calibrateFromWalltime(walltime: number): RuntimeCalibration {
  if (!(walltime > 0 && Number.isFinite(walltime))) throw new RangeError(`calibrateFromWalltime: expected a finite walltime > 0 s, got ${walltime}`);
  return {
    source: "walltime",
    detail: `walltime: the ${duration(walltime)} requested, an upper bound of the run time (the job is killed there); no spread known`,
    n: 0,
    runtime: { low: walltime, mid: walltime, high: walltime },
    quantiles: null,
  };
}

/**
 * The run time from measured samples (a profile's runs on one device class):
 * one sample gives low = mid = high; two or more their quantiles, mid the median.
 * @param what where the samples come from, in words (the profile's source)
 * @throws RangeError on no sample, a sample not finite and > 0, or quantiles out of order
 */
export function calibrateFromSamples(samples: readonly number[], what: string, quantiles: readonly [number, number] = DEFAULT_QUANTILES): RuntimeCalibration {
  const q = checkQuantiles("calibrateFromSamples", quantiles);
  if (samples.length === 0) throw new RangeError(`calibrateFromSamples: expected at least one sample (${what}), got none`);
  const bad = samples.find((s) => !(s > 0 && Number.isFinite(s)));
  if (bad !== undefined) throw new RangeError(`calibrateFromSamples: expected run times finite and > 0 s (${what}), got ${bad}`);
  if (samples.length === 1) {
    const s = samples[0];
    return { source: "profile", detail: `profile: ${what}; one run, ${duration(s)}, no spread known`, n: 1, runtime: { low: s, mid: s, high: s }, quantiles: null };
  }
  const runtime = quantileRange(samples, q);
  const detail = `profile: ${what}; ${samples.length} runs, run time ${pq(q[0])} ${duration(runtime.low)}, median ${duration(runtime.mid)}, ${pq(q[1])} ${duration(runtime.high)}`;
  return { source: "profile", detail, n: samples.length, runtime, quantiles: q };
}

/**
 * Over all jobs of the history: quantiles of run time / requested time (capped
 * at 1), for predicting when other jobs end (estimate's othersRatio, the range
 * of waits). Jobs without a finite run time > 0 and requested time > 0 are left out.
 * @returns undefined when no job is usable
 * @throws RangeError on quantiles out of order
 */
export function runtimeRatios(history: readonly PastJob[], quantiles: readonly [number, number] = DEFAULT_QUANTILES): { low: number; mid: number; high: number; n: number } | undefined {
  const q = checkQuantiles("runtimeRatios", quantiles);
  const ratios = history.filter((j) => isUsable(j, true)).map((j) => Math.min(j.runtime / j.walltime, 1));
  if (ratios.length === 0) return undefined;
  return { ...quantileRange(ratios, q), n: ratios.length };
}

// ---------------------------------------------------------------------------

function isUsable(j: PastJob, byRatio: boolean): boolean {
  if (!(j.runtime > 0 && Number.isFinite(j.runtime))) return false;
  return !byRatio || (j.walltime > 0 && Number.isFinite(j.walltime));
}

/** Quantiles must straddle the median, so that low <= mid <= high. */
function checkQuantiles(fn: string, q: readonly [number, number]): readonly [number, number] {
  if (!(q.length === 2 && q[0] >= 0 && q[0] <= 0.5 && q[1] >= 0.5 && q[1] <= 1)) {
    throw new RangeError(`${fn}: expected quantiles [low, high] with 0 <= low <= 0.5 <= high <= 1, got ${JSON.stringify(q)}`);
  }
  return [q[0], q[1]];
}

/** Quantiles q and the median of non-empty samples. */
function quantileRange(samples: readonly number[], q: readonly [number, number]): RuntimeRange {
  const sorted = [...samples].sort((a, b) => a - b);
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  // Interpolation can round one ulp past a neighbour; clamping keeps min <= low <= mid <= high <= max exactly.
  const clamp = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);
  const mid = clamp(quantileSorted(sorted, 0.5), min, max);
  return { low: clamp(quantileSorted(sorted, q[0]), min, mid), mid, high: clamp(quantileSorted(sorted, q[1]), mid, max) };
}

/** Power-of-two bucket of a core count: 0 for 1 core, 1 for 2-3, 2 for 4-7, ...; -1 for an unknown count (< 1 or not finite). */
function sizeClass(cores: number): number {
  if (!(cores >= 1 && Number.isFinite(cores))) return -1;
  let k = Math.floor(Math.log2(cores));
  // log2 may round across a power of two for large counts; correct by one step.
  if (2 ** (k + 1) <= cores) k++;
  else if (2 ** k > cores) k--;
  return k;
}

function sizeWords(k: number): string {
  return k === 0 ? "1 core" : `${2 ** k}-${2 ** (k + 1) - 1} cores`;
}

const jobs = (n: number) => `${n} job${n === 1 ? "" : "s"}`;

/** A quantile as a percentile label: 0.1 -> "p10", 0.025 -> "p2.5". */
const pq = (p: number) => `p${Number((p * 100).toPrecision(6))}`;

/** A ratio with 2 significant digits: 0.21, 0.004, 1. */
const ratio = (x: number) => String(Number(x.toPrecision(2)));

/** A duration in words, 3 significant digits: "45 s", "90 min", "2 h". */
function duration(s: number): string {
  const f = (x: number) => String(Number(x.toPrecision(3)));
  if (s < 120) return `${f(s)} s`;
  if (s < 7200) return `${f(s / 60)} min`;
  return `${f(s / 3600)} h`;
}
