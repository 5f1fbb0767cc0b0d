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
import type { JobFact, SimObserver, TransferFact } from "../sim/index.js";
import { attributeInterval } from "./attribution.js";
import { Ledger, N_PHASED, type Account } from "./ledger.js";
import type { PoolModel, SiteModel } from "../models/index.js";
import { PHASE_INDEX } from "../core/index.js";

const USE_FROM = PHASE_INDEX.use * N_COORDS;
const USE_TO = USE_FROM + N_COORDS;

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
  /** Node-seconds of the whole site over the window [0, end]. */
  nodeSeconds: number;
}

export class Accountant implements SimObserver {
  readonly ledger: Ledger;
  private readonly scratch = new Float64Array(N_COORDS);
  private readonly charge = new Float64Array(N_PHASED);
  private readonly part = new Float64Array(N_PHASED);
  private readonly meterUse: CompensatedVector[];
  private readonly meterEnergy: CompensatedVector[];
  private end = 0;
  /** Sites whose intensity never changes, and their accumulated IT and overhead watt-seconds. */
  private readonly constant: boolean[];
  private readonly meterWattSeconds: CompensatedVector[];

  /** @param onJob receives each job's full phased impacts (computed only when given) */
  constructor(private readonly platform: PlatformModel, private readonly onJob?: (c: JobCharge) => void) {
    this.ledger = new Ledger(platform);
    this.meterUse = platform.sites.map(() => new CompensatedVector(N_COORDS));
    this.meterEnergy = platform.sites.map(() => new CompensatedVector(2));
    this.constant = platform.sites.map((s) => s.intensity.series.length === 1 && s.intensity.series.extension === "hold");
    this.meterWattSeconds = platform.sites.map(() => new CompensatedVector(2));
  }

  jobEnded(f: JobFact): void {
    const site = this.platform.sites[f.site];
    const pool = this.platform.pools[f.pool];
    // Phases: held while inputs travel, setup (FPGA reconfiguration), run; each at its own draw.
    const inputsAt = Math.min(f.inputsAt, f.end);
    const setupEnd = Math.min(Math.max(f.setupEnd, inputsAt), f.end);
    const accounts = this.ledger.accountsOf(f.site, f.job);
    if (this.onJob) this.charge.fill(0);
    let it = 0;
    if (inputsAt > f.start) it += this.chargePhase(f, site, pool, accounts, f.start, inputsAt, f.holdWattsPerNode);
    if (setupEnd > inputsAt) it += this.chargePhase(f, site, pool, accounts, inputsAt, setupEnd, f.setupWattsPerNode);
    it += this.chargePhase(f, site, pool, accounts, setupEnd, f.end, f.wattsPerNode);
    const charge = this.charge;
    for (const a of accounts) {
      a.chargeNodeSeconds(f.pool, f.nodeCount * (f.end - f.start));
      a.chargeEnergy(it, it * site.pue);
      if (f.final) a.jobs++; // a suspended run is charged, the job counted once
    }
    if (this.onJob) {
      attributeInterval(f.nodeCount, 0, f.start, f.end, site, pool, this.part, this.scratch);
      for (let i = 0; i < N_PHASED; i++) if (i < USE_FROM || i >= USE_TO) charge[i] += this.part[i];
      this.onJob({ fact: f, impacts: charge, itJ: it, facilityJ: it * site.pue });
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

  /** Charges one phase of a job at a constant draw; returns its IT energy, J. */
  private chargePhase(f: JobFact, site: SiteModel, pool: PoolModel, accounts: readonly Account[], a: number, b: number, wattsPerNode: number): number {
    const watts = f.nodeCount * wattsPerNode;
    site.intensity.series.integralInto(a, b, this.scratch);
    for (const acc of accounts) acc.chargeUse(f.site, this.scratch, watts * site.pue);
    if (this.onJob) {
      // embodied impacts come once, for the whole reservation (in jobEnded)
      attributeInterval(f.nodeCount, wattsPerNode, a, b, site, pool, this.part, this.scratch);
      for (let i = USE_FROM; i < USE_TO; i++) this.charge[i] += this.part[i];
    }
    return watts * (b - a);
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

  poolIdle(p: number, from: number, to: number, idleNodes: number): void {
    if (idleNodes !== 0) this.ledger.siteOverhead[this.platform.pools[p].site].chargeNodeSeconds(p, idleNodes * (to - from));
  }

  finished(end: number): void {
    this.end = end;
    this.platform.sites.forEach((site, s) => {
      if (!this.constant[s]) return;
      const [it, overhead] = this.meterWattSeconds[s].values();
      const v = site.intensity.series.values;
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
