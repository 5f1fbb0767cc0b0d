/**
 * Turns the simulator's facts into impacts: subscribes to job ends and meter
 * intervals, charges jobs by the attribution rule, and charges what no job ran
 * on (idle, off, switching nodes; their embodied impacts) to each site's
 * overhead. Independently it keeps each site's meter (whole-site power x
 * intensity), so "jobs + overhead = site" is checked, not assumed.
 */
import { CompensatedVector } from "../core/fsum.js";
import { N_COORDS, N_PHASES, PHASE_INDEX } from "../core/categories.js";
import type { PlatformModel } from "../models/platform.js";
import type { JobFact, SimObserver } from "../sim/observer.js";
import { attributeInterval, electricityBasis, embodiedBasis, jobBasis } from "./attribution.js";
import { Ledger, N_PHASED } from "./ledger.js";

const USE = PHASE_INDEX.use;

/** A finished job with its charges, handed to writers (e.g. jobs.csv). */
export interface JobCharge {
  readonly fact: JobFact;
  /** N_PHASED values; valid only during the callback. */
  readonly impacts: Float64Array;
  readonly itJ: number;
  readonly facilityJ: number;
}

export interface SiteMeter {
  itJ: number;
  facilityJ: number;
  /** Use-phase impacts of the whole site's electricity, N_COORDS. */
  use: Float64Array;
  /** Node-seconds of the whole site over the window (for embodied totals). */
  nodeSeconds: number;
}

export class Accountant implements SimObserver {
  readonly ledger: Ledger;
  private readonly jobBases: Uint8Array[];
  private readonly scratch = new Float64Array(N_COORDS);
  private readonly charge = new Float64Array(N_PHASED);
  // Overhead and meter accumulators, per site (use phase) and per pool (idle node-seconds).
  private readonly overheadUse: CompensatedVector[];
  private readonly overheadEnergy: CompensatedVector[];
  private readonly meterUse: CompensatedVector[];
  private readonly meterEnergy: CompensatedVector[];
  private readonly poolIdleSeconds: CompensatedVector;
  private end = 0;
  private closed = false;

  constructor(private readonly platform: PlatformModel, private readonly onJob?: (c: JobCharge) => void) {
    this.ledger = new Ledger(platform.sites.map((s) => s.id));
    this.jobBases = platform.pools.map((p) => jobBasis(platform.sites[p.site], p));
    this.overheadUse = platform.sites.map(() => new CompensatedVector(N_COORDS));
    this.overheadEnergy = platform.sites.map(() => new CompensatedVector(2));
    this.meterUse = platform.sites.map(() => new CompensatedVector(N_COORDS));
    this.meterEnergy = platform.sites.map(() => new CompensatedVector(2));
    this.poolIdleSeconds = new CompensatedVector(platform.pools.length);
  }

  jobEnded(f: JobFact): void {
    const pool = this.platform.pools[f.pool];
    const site = this.platform.sites[f.site];
    const e = attributeInterval(f.nodeCount, f.wattsPerNode, f.start, f.end, site, pool, this.charge, this.scratch);
    this.ledger.chargeJob(f.site, f.job.project, f.nodeCount * (f.end - f.start), this.charge, this.jobBases[f.pool], e.it, e.facility);
    this.onJob?.({ fact: f, impacts: this.charge, itJ: e.it, facilityJ: e.facility });
  }

  siteInterval(s: number, from: number, to: number, itWatts: number, overheadWatts: number): void {
    const site = this.platform.sites[s];
    const dt = to - from;
    site.intensity.series.integralInto(from, to, this.scratch);
    this.meterUse[s].add(this.scratch, itWatts * site.pue);
    this.meterEnergy[s].addAt(0, itWatts * dt);
    this.meterEnergy[s].addAt(1, itWatts * dt * site.pue);
    if (overheadWatts !== 0) {
      this.overheadUse[s].add(this.scratch, overheadWatts * site.pue);
      this.overheadEnergy[s].addAt(0, overheadWatts * dt);
      this.overheadEnergy[s].addAt(1, overheadWatts * dt * site.pue);
    }
  }

  poolIdle(p: number, from: number, to: number, idleNodes: number): void {
    this.poolIdleSeconds.addAt(p, idleNodes * (to - from));
  }

  /** Charges the overheads once the run is over. */
  finished(end: number): void {
    if (this.closed) throw new RangeError("Accountant.finished: called twice");
    this.closed = true;
    this.end = end;
    const charge = this.charge;
    this.platform.sites.forEach((site, s) => {
      charge.fill(0);
      const use = this.overheadUse[s].values();
      charge.set(use, USE * N_COORDS);
      const e = this.overheadEnergy[s].values();
      this.ledger.chargeOverhead(s, 0, charge, electricityBasis(site), e[0], e[1]);
    });
    const idle = this.poolIdleSeconds.values();
    this.platform.pools.forEach((pool, p) => {
      charge.fill(0);
      for (let ph = 0; ph < N_PHASES; ph++) {
        if (ph === USE) continue;
        for (let c = 0; c < N_COORDS; c++) charge[ph * N_COORDS + c] = idle[p] * pool.embodiedPerNodeSecond[ph * N_COORDS + c];
      }
      this.ledger.chargeOverhead(pool.site, idle[p], charge, embodiedBasis(pool), 0, 0);
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
