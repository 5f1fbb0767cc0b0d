/**
 * The impact ledger: charges per job, project, site and in total, each kept
 * per life-cycle phase and category, with the part resting on proxies and the
 * coordinates whose figures are missing. Sums are compensated so that job
 * shares plus overheads match the site meters to rounding.
 */
import { Basis } from "../core/impact.js";
import { CompensatedVector } from "../core/fsum.js";
import { EF_CATEGORIES, N_COORDS, N_PHASES, PHASES } from "../core/categories.js";
import { singleScore, type ScoreMethod } from "../core/score.js";

export const N_PHASED = N_PHASES * N_COORDS;

/** One account: a job, a project, a site, a site's overhead, or the total. */
export class Account {
  readonly impacts = new CompensatedVector(N_PHASED);
  readonly proxy = new CompensatedVector(N_PHASED);
  /** 1 where some charge had a missing figure (counted as 0) for that phase and coordinate. */
  readonly missing = new Uint8Array(N_PHASED);
  readonly energy = new CompensatedVector(2);
  jobs = 0;
  nodeSeconds = 0;

  /**
   * Adds a charge.
   * @param impacts phased impacts, N_PHASED values
   * @param basis basis of each coordinate, same layout
   * @param itJ IT energy in joules; facilityJ with PUE
   */
  charge(impacts: Float64Array, basis: Uint8Array, itJ: number, facilityJ: number): void {
    this.impacts.add(impacts);
    for (let i = 0; i < N_PHASED; i++) {
      const b = basis[i];
      if (b === Basis.Proxy) this.proxy.addAt(i, impacts[i]);
      else if (b === Basis.Missing) this.missing[i] = 1;
    }
    this.energy.addAt(0, itJ);
    this.energy.addAt(1, facilityJ);
  }

  merge(other: Account): void {
    this.impacts.merge(other.impacts);
    this.proxy.merge(other.proxy);
    for (let i = 0; i < N_PHASED; i++) this.missing[i] |= other.missing[i];
    this.energy.merge(other.energy);
    this.jobs += other.jobs;
    this.nodeSeconds += other.nodeSeconds;
  }

  /** Plain JSON summary of the account. */
  summarize(method: ScoreMethod): AccountSummary {
    const v = this.impacts.values();
    const px = this.proxy.values();
    const e = this.energy.values();
    const impacts: Record<string, CategorySummary> = {};
    EF_CATEGORIES.forEach((c, i) => {
      const byPhase: Record<string, number> = {};
      let total = 0;
      let proxy = 0;
      const missing: string[] = [];
      PHASES.forEach((ph, p) => {
        byPhase[ph] = v[p * N_COORDS + i];
        total += v[p * N_COORDS + i];
        proxy += px[p * N_COORDS + i];
        if (this.missing[p * N_COORDS + i]) missing.push(ph);
      });
      impacts[c.id] = {
        name: c.name,
        unit: c.unit,
        total,
        by_phase: byPhase,
        proxy_share: total !== 0 ? proxy / total : 0,
        missing_phases: missing,
      };
    });
    const scoreByPhase: Record<string, number> = {};
    let score = 0;
    PHASES.forEach((ph, p) => {
      const s = singleScore(v, method, p * N_COORDS);
      scoreByPhase[ph] = s;
      score += s;
    });
    return {
      jobs: this.jobs,
      node_seconds: this.nodeSeconds,
      energy_j: { it: e[0], facility: e[1] },
      impacts,
      single_score: { total_pt: score, by_phase_pt: scoreByPhase, method: method.name },
    };
  }
}

export interface CategorySummary {
  name: string;
  unit: string;
  total: number;
  by_phase: Record<string, number>;
  /** Fraction of the total that rests on documented proxies. */
  proxy_share: number;
  /** Phases where some figure was missing (counted as zero, so the total is a lower bound). */
  missing_phases: string[];
}

export interface AccountSummary {
  jobs: number;
  node_seconds: number;
  energy_j: { it: number; facility: number };
  impacts: Record<string, CategorySummary>;
  single_score: { total_pt: number; by_phase_pt: Record<string, number>; method: string };
}

/** Accounts of a run: per site (jobs and overhead apart), per project, and in total. */
export class Ledger {
  readonly siteJobs: Account[];
  readonly siteOverhead: Account[];
  readonly projects = new Map<string, Account>();

  constructor(readonly siteIds: readonly string[]) {
    this.siteJobs = siteIds.map(() => new Account());
    this.siteOverhead = siteIds.map(() => new Account());
  }

  chargeJob(site: number, project: string, nodeSeconds: number, impacts: Float64Array, basis: Uint8Array, itJ: number, facilityJ: number): void {
    const s = this.siteJobs[site];
    s.charge(impacts, basis, itJ, facilityJ);
    s.jobs++;
    s.nodeSeconds += nodeSeconds;
    let p = this.projects.get(project);
    if (!p) this.projects.set(project, (p = new Account()));
    p.charge(impacts, basis, itJ, facilityJ);
    p.jobs++;
    p.nodeSeconds += nodeSeconds;
  }

  chargeOverhead(site: number, nodeSeconds: number, impacts: Float64Array, basis: Uint8Array, itJ: number, facilityJ: number): void {
    const s = this.siteOverhead[site];
    s.charge(impacts, basis, itJ, facilityJ);
    s.nodeSeconds += nodeSeconds;
  }

  /** Jobs plus overhead of one site. */
  site(i: number): Account {
    const a = new Account();
    a.merge(this.siteJobs[i]);
    a.merge(this.siteOverhead[i]);
    return a;
  }

  total(): Account {
    const a = new Account();
    for (let i = 0; i < this.siteIds.length; i++) a.merge(this.site(i));
    return a;
  }
}

