/**
 * Turns the simulator's facts into impacts: subscribes to job ends and meter
 * intervals, charges jobs by the attribution rule, and charges what no job ran
 * on (idle, off and switching nodes; their embodied impacts) to each site's
 * overhead. Independently it keeps each site's meter (whole-site power x
 * intensity), so "jobs + overhead = site" is checked, not assumed.
 */
import { CompensatedVector } from "../core/index.js";
import { N_COORDS } from "../core/index.js";
import type { PlatformModel } from "../models/index.js";
import type { JobFact, PartShares, SimObserver, TransferFact } from "../sim/index.js";
import type { JobSpec } from "../io/index.js";
import { chargedParts, chargeInto, embodiedRate, embodiedSeconds, type ChargeEnergy } from "../models/index.js";
import { Ledger, N_PHASED, type Account } from "./ledger.js";

/** A finished job with its charges, handed to writers (e.g. jobs.csv); the object and its impacts are reused: valid only during the callback. */
export interface JobCharge {
  readonly fact: JobFact;
  /** N_PHASED values. */
  readonly impacts: Float64Array;
  readonly itJ: number;
  readonly facilityJ: number;
}

/** A run's charge so far, while it spans more than one settled share. */
interface RunCharge {
  impacts: Float64Array;
  itJ: number;
  facilityJ: number;
}

export interface SiteMeter {
  itJ: number;
  facilityJ: number;
  /** Use-phase impacts of the whole site's electricity, N_COORDS. */
  use: Float64Array;
  /** Node-seconds of the whole site over the window [0, end]. */
  nodeSeconds: number;
}

/** Node-equivalent counts whose embodied rate is kept per pool (Accountant.nodeRates). */
const NODE_RATES = 64;

export class Accountant implements SimObserver {
  readonly ledger: Ledger;
  private readonly scratch = new Float64Array(N_COORDS);
  private readonly part = new Float64Array(N_PHASED);
  private readonly rate = new Float64Array(N_PHASED);
  private readonly energy: ChargeEnergy = { it: 0, facility: 0 };
  private readonly meterUse: CompensatedVector[];
  private readonly meterEnergy: CompensatedVector[];
  private end = 0;
  /** Sites whose intensity never changes, and their accumulated IT and overhead watt-seconds. */
  private readonly constant: boolean[];
  private readonly meterWattSeconds: CompensatedVector[];
  /**
   * Each running job's charge so far in its current run, when it has more
   * than the share settled as it ends (only when onJob is given); emptied
   * ones are kept in `spare` for the next, so a run costs no allocation.
   */
  private readonly runs = new Map<JobSpec, RunCharge>();
  private readonly spare: RunCharge[] = [];
  /** The charge handed to onJob (reused); its impacts are `ending`'s when the run's one share is settled as it ends. */
  private readonly charge: { fact: JobFact; impacts: Float64Array; itJ: number; facilityJ: number } = { fact: undefined as unknown as JobFact, impacts: new Float64Array(N_PHASED), itJ: 0, facilityJ: 0 };
  private readonly ending = new Float64Array(N_PHASED);
  /** The job whose end is being settled, while its pending share is charged straight into `ending` (see jobEnded). */
  private endingJob: JobSpec | undefined;
  /** When each running job's current run began: the "capped" rule's origin (kept only for pools under it). */
  private readonly runStarts = new Map<JobSpec, number>();
  /** Seconds beyond the embodied rule per part (node, gpu, fpga) of the last interval checked (pastLife). */
  private readonly beyond = new Float64Array(3);
  /** Node-equivalents of a run charged over an interval partly past the rule (reused, no object per charge). */
  private readonly charged = { node: 0, gpu: 0, fpga: 0 };
  /**
   * A share not charged yet: consecutive shares of one job over the same
   * interval (its nodes, settled one after another) add up first, so a job's
   * interval costs one intensity integral however many nodes it holds. Equal
   * per-node draws are kept as a count, so n identical nodes charge n x W.
   */
  private readonly pending = { job: undefined as JobSpec | undefined, site: 0, pool: 0, from: 0, to: 0, first: 0, count: 0, sum: 0, same: true, node: 0, gpu: 0, fpga: 0 };
  /** The job last charged, its site and its accounts: its end (usually the next call) counts it in them without a second look-up. */
  private lastJob: JobSpec | undefined;
  private lastSite = -1;
  private lastAccounts: readonly Account[] = [];
  /**
   * Per pool, the embodied rate of a run by the node-equivalents it is charged
   * for of the node part alone (no GPU or FPGA), for up to NODE_RATES counts:
   * runs hold a few counts of nodes over and over (KTH x8: 1, 2, 4, 8 or 16
   * nodes for 71 % of its runs), a run wholly past the embodied rule is
   * charged none, and each rate is 72 products.
   */
  private readonly nodeRates: Map<number, Float64Array>[];

  /** @param onJob receives each run's full phased impacts (computed only when given) */
  constructor(private readonly platform: PlatformModel, private readonly onJob?: (c: JobCharge) => void) {
    this.ledger = new Ledger(platform);
    this.nodeRates = platform.pools.map(() => new Map());
    this.meterUse = platform.sites.map(() => new CompensatedVector(N_COORDS));
    this.meterEnergy = platform.sites.map(() => new CompensatedVector(2));
    this.constant = platform.sites.map((s) => s.intensity.series.length === 1 && s.intensity.series.extension === "hold");
    this.meterWattSeconds = platform.sites.map(() => new CompensatedVector(2));
  }

  jobShare(job: JobSpec, site: number, pool: number, from: number, to: number, watts: number, held: Readonly<PartShares>): void {
    const p = this.pending;
    if (p.job !== job || p.from !== from || p.to !== to || p.site !== site || p.pool !== pool) {
      this.flushShare();
      p.job = job;
      p.site = site;
      p.pool = pool;
      p.from = from;
      p.to = to;
      p.first = watts;
      p.count = 0;
      p.sum = 0;
      p.same = true;
      p.node = 0;
      p.gpu = 0;
      p.fpga = 0;
    }
    if (watts !== p.first) p.same = false;
    p.count++;
    p.sum += watts;
    p.node += held.node;
    p.gpu += held.gpu;
    p.fpga += held.fpga;
  }

  /** Charges the pending share to the job's accounts and, with onJob, to its run. */
  private flushShare(): void {
    const p = this.pending;
    const job = p.job;
    if (!job) return;
    p.job = undefined;
    const site = this.platform.sites[p.site];
    const pool = this.platform.pools[p.pool];
    const watts = p.same ? p.count * p.first : p.sum;
    const dt = p.to - p.from;
    site.intensity.series.integralInto(p.from, p.to, this.scratch);
    const it = watts * dt;
    const held = p; // its node, gpu and fpga shares, read at once (no object per charge)
    let runStart: number | undefined;
    if (pool.embodiedClock?.rule === "capped") {
      runStart = this.runStarts.get(job);
      if (runStart === undefined) this.runStarts.set(job, (runStart = p.from));
    }
    const past = this.pastLife(p.pool, p.from, p.to, runStart);
    const b = this.beyond;
    const accounts = this.ledger.accountsOf(p.site, job);
    this.lastJob = job;
    this.lastSite = p.site;
    this.lastAccounts = accounts;
    for (const a of accounts) {
      a.chargeUse(p.site, this.scratch, watts * site.pue);
      a.chargeEnergy(it, it * site.pue);
      a.chargeParts(p.pool, held, dt);
      if (past) a.exemptParts(p.pool, held, b[0], b[1], b[2]);
    }
    if (!this.onJob) return;
    // The run is charged the node-equivalents held x the share of the interval each part is charged for.
    const h = past ? chargedParts(held, dt, dt - b[0], dt - b[1], dt - b[2], this.charged) : held;
    let rate: Float64Array = this.rate;
    if (h.gpu === 0 && h.fpga === 0) {
      const rates = this.nodeRates[p.pool];
      const kept = rates.get(h.node);
      if (kept !== undefined) rate = kept;
      else {
        if (rates.size < NODE_RATES) rates.set(h.node, (rate = new Float64Array(N_PHASED)));
        embodiedRate(pool, h, rate);
      }
    } else embodiedRate(pool, h, rate);
    const part = this.part;
    chargeInto(part, this.energy, 1, watts, dt, site.pue, this.scratch, rate);
    // Summed from zero as a run of several shares is (0 + x: -0 becomes 0 alike).
    if (job === this.endingJob) {
      const e = this.ending;
      for (let i = 0; i < N_PHASED; i++) e[i] = 0 + part[i];
      this.charge.itJ = 0 + this.energy.it;
      this.charge.facilityJ = 0 + this.energy.facility;
      this.endingJob = undefined;
      return;
    }
    let run = this.runs.get(job);
    if (!run) this.runs.set(job, (run = this.spare.pop() ?? { impacts: new Float64Array(N_PHASED), itJ: 0, facilityJ: 0 }));
    const sum = run.impacts;
    for (let i = 0; i < N_PHASED; i++) sum[i] += part[i];
    run.itJ += this.energy.it;
    run.facilityJ += this.energy.facility;
  }

  jobEnded(f: JobFact): void {
    const charge = this.charge;
    // A run whose one share is pending (the common case): charged straight into `ending`, with no run kept.
    const direct = this.onJob !== undefined && this.pending.job === f.job && (this.runs.size === 0 || !this.runs.has(f.job));
    if (direct) {
      this.endingJob = f.job;
      charge.impacts = this.ending;
    }
    this.flushShare();
    if (this.runStarts.size !== 0) this.runStarts.delete(f.job);
    if (f.final) {
      // A suspended run is charged, the job counted once.
      const accounts = this.lastJob === f.job && this.lastSite === f.site ? this.lastAccounts : this.ledger.accountsOf(f.site, f.job);
      for (const a of accounts) a.jobs++;
    }
    if (!this.onJob) return;
    charge.fact = f;
    if (direct) return this.onJob(charge);
    const run = this.runs.get(f.job);
    if (!run) {
      // Nothing charged (no share settled).
      this.ending.fill(0);
      charge.impacts = this.ending;
      charge.itJ = 0;
      charge.facilityJ = 0;
      return this.onJob(charge);
    }
    this.runs.delete(f.job);
    charge.impacts = run.impacts;
    charge.itJ = run.itJ;
    charge.facilityJ = run.facilityJ;
    try {
      this.onJob(charge);
    } finally {
      run.impacts.fill(0);
      run.itJ = 0;
      run.facilityJ = 0;
      this.spare.push(run);
    }
  }

  siteInterval(s: number, from: number, to: number, itWatts: number, overheadWatts: number): void {
    const site = this.platform.sites[s];
    const dt = to - from;
    if (this.constant[s]) {
      // Constant intensity: accumulate watt-seconds; multiplied by the intensity once, in meter()/finished().
      this.meterWattSeconds[s].addAt(0, itWatts * dt);
      this.meterWattSeconds[s].addAt(1, overheadWatts * dt);
      return;
    }
    site.intensity.series.integralInto(from, to, this.scratch);
    this.meterUse[s].add(this.scratch, itWatts * site.pue);
    this.meterEnergy[s].addAt(0, itWatts * dt);
    this.meterEnergy[s].addAt(1, itWatts * dt * site.pue);
    if (overheadWatts !== 0) {
      const o = this.ledger.siteOverhead[s];
      o.chargeUse(s, this.scratch, overheadWatts * site.pue);
      o.chargeEnergy(overheadWatts * dt, overheadWatts * dt * site.pue);
    }
  }

  /**
   * A transfer's energy: bytes x joules per byte at the sending site, at the
   * receiving site and in the network, each at the mean intensity of its site
   * over the transfer (the network's at the sending site's: an assumption, as no
   * per-network intensity is modelled). Energies are taken as facility-level.
   */
  transferEnded(f: TransferFact): void {
    this.transfers++;
    this.transferBytes += f.bytes;
    const links = this.platform.links;
    if (!links || f.bytes === 0 || f.end <= f.start) return;
    const l = links[f.link];
    const parts: [number, number][] = [
      [f.from, f.bytes * (l.joulesPerByte.source + l.joulesPerByte.network)],
      [f.to, f.bytes * l.joulesPerByte.destination],
    ];
    for (const [s, joules] of parts) {
      if (joules === 0) continue;
      this.platform.sites[s].intensity.series.integralInto(f.start, f.end, this.scratch);
      this.ledger.chargeTransfer(s, f.project, f.workflow, this.scratch, joules / (f.end - f.start), joules);
    }
  }

  /** Transfers accounted and their bytes. */
  transfers = 0;
  transferBytes = 0;

  poolIdle(p: number, from: number, to: number, idle: Readonly<PartShares>): void {
    if (idle.node === 0 && idle.gpu === 0 && idle.fpga === 0) return;
    const o = this.ledger.siteOverhead[this.platform.pools[p].site];
    o.chargeParts(p, idle, to - from);
    // Time no job holds has no run: "capped" charges it linearly.
    if (this.pastLife(p, from, to, undefined)) o.exemptParts(p, idle, this.beyond[0], this.beyond[1], this.beyond[2]);
  }

  /**
   * Whether any part of pool p is held over [from, to] beyond what its embodied
   * rule charges; if so, this.beyond holds those seconds per part (node, gpu, fpga).
   */
  private pastLife(p: number, from: number, to: number, runStart: number | undefined): boolean {
    const clock = this.platform.pools[p].embodiedClock;
    if (!clock || clock.rule === "linear") return false;
    const u = clock.until;
    // Within every part's lifetime (the common case): nothing to set apart, and no call per part.
    if (clock.rule === "paid" && to <= u[0] && to <= u[1] && to <= u[2]) return false;
    const dt = to - from;
    const b = this.beyond;
    for (let k = 0; k < 3; k++) b[k] = dt - embodiedSeconds(clock, k, from, to, runStart);
    return b[0] !== 0 || b[1] !== 0 || b[2] !== 0;
  }

  finished(end: number): void {
    this.flushShare();
    this.end = end;
    this.platform.sites.forEach((site, s) => {
      if (!this.constant[s]) return;
      const [it, overhead] = this.meterWattSeconds[s].values();
      // A constant series: its one row is the intensity at every instant.
      const v = site.intensity.series.row(0);
      this.meterUse[s].add(v, it * site.pue);
      this.meterEnergy[s].addAt(0, it);
      this.meterEnergy[s].addAt(1, it * site.pue);
      const o = this.ledger.siteOverhead[s];
      o.chargeUse(s, v, overhead * site.pue);
      o.chargeEnergy(overhead, overhead * site.pue);
    });
  }

  /** The independent meter of site s over [0, end]: energy, use-phase impacts, node-seconds. */
  meter(s: number): SiteMeter {
    const e = this.meterEnergy[s].values();
    let nodes = 0;
    for (const p of this.platform.pools) if (p.site === s) nodes += p.count;
    return { itJ: e[0], facilityJ: e[1], use: this.meterUse[s].values(), nodeSeconds: nodes * this.end };
  }
}
