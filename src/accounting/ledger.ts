/**
 * The impact ledger: accounts per site (jobs and overhead apart), per project
 * and in total. An account keeps sufficient statistics, not impact vectors:
 * use-phase impacts per site (power x PUE x intensity, integrated) and, per
 * pool, node-equivalent seconds held of each embodied part (the node, its
 * GPUs, its FPGAs; a whole node counts 1 of each), so embodied impacts are
 * those seconds x each part's rate.
 * So a charge costs ~20 additions, and the phase/category breakdown, the share
 * resting on proxies and the missing figures are derived once, in summarize().
 * Sums are compensated, so job shares plus overheads match the site meters to
 * rounding.
 */
import { Basis } from "../core/index.js";
import { CompensatedVector } from "../core/index.js";
import { ENERGY, INDICATORS, N_COORDS, N_PHASES, PHASES, PHASE_INDEX } from "../core/index.js";
import { singleScore, type ScoreMethod } from "../core/index.js";
import type { PlatformModel } from "../models/index.js";

export const N_PHASED = N_PHASES * N_COORDS;
const USE = PHASE_INDEX.use;

/** One account: a site's jobs, a site's overhead, a project, or a sum of accounts. */
export class Account {
  /** Use-phase impacts per site, N_COORDS each (ENERGY = facility joules). */
  readonly use: CompensatedVector;
  /** Per pool, node-equivalent seconds of its node, GPU and FPGA parts (held by jobs, or unheld for overhead), 3 per pool. */
  readonly nodeSeconds: CompensatedVector;
  /**
   * Of those, per pool and part, the node-equivalent seconds charged no
   * embodied impacts: past the lifetime under the scenario's rule
   * (models/embodied.ts embodiedSeconds). Zero within the lifetime.
   */
  readonly exempt: CompensatedVector;
  /** IT and facility energy, J. */
  readonly energy = new CompensatedVector(2);
  jobs = 0;

  constructor(readonly nSites: number, readonly nPools: number) {
    this.use = new CompensatedVector(nSites * N_COORDS);
    this.nodeSeconds = new CompensatedVector(3 * nPools);
    this.exempt = new CompensatedVector(3 * nPools);
  }

  /** Adds use-phase impacts `v * k` (N_COORDS) at site s. */
  chargeUse(s: number, v: ArrayLike<number>, k: number): void {
    this.use.add(v, k, s * N_COORDS);
  }

  /** Whole nodes of a pool held for `seconds` (node-seconds): every part of them. */
  chargeNodeSeconds(pool: number, seconds: number): void {
    for (let k = 0; k < 3; k++) this.nodeSeconds.addAt(3 * pool + k, seconds);
  }

  /** Node-equivalents of each part of a pool's nodes held for `seconds`. */
  chargeParts(pool: number, held: { readonly node: number; readonly gpu: number; readonly fpga: number }, seconds: number): void {
    if (held.node !== 0) this.nodeSeconds.addAt(3 * pool, held.node * seconds);
    if (held.gpu !== 0) this.nodeSeconds.addAt(3 * pool + 1, held.gpu * seconds);
    if (held.fpga !== 0) this.nodeSeconds.addAt(3 * pool + 2, held.fpga * seconds);
  }

  /** Node-equivalents `held` of a pool's parts, held for `node`, `gpu`, `fpga` seconds each beyond what the embodied rule charges. */
  exemptParts(pool: number, held: { readonly node: number; readonly gpu: number; readonly fpga: number }, node: number, gpu: number, fpga: number): void {
    if (held.node !== 0 && node !== 0) this.exempt.addAt(3 * pool, held.node * node);
    if (held.gpu !== 0 && gpu !== 0) this.exempt.addAt(3 * pool + 1, held.gpu * gpu);
    if (held.fpga !== 0 && fpga !== 0) this.exempt.addAt(3 * pool + 2, held.fpga * fpga);
  }

  chargeEnergy(itJ: number, facilityJ: number): void {
    this.energy.addAt(0, itJ);
    this.energy.addAt(1, facilityJ);
  }

  merge(other: Account): void {
    this.use.merge(other.use);
    this.nodeSeconds.merge(other.nodeSeconds);
    this.exempt.merge(other.exempt);
    this.energy.merge(other.energy);
    this.jobs += other.jobs;
  }

  /**
   * Impacts per phase (N_PHASED), with per coordinate the absolute amount
   * resting on proxies, the absolute total, and whether a missing figure was met.
   */
  expand(platform: PlatformModel): { impacts: Float64Array; absProxy: Float64Array; absAll: Float64Array; missing: Uint8Array } {
    const impacts = new Float64Array(N_PHASED);
    const absProxy = new Float64Array(N_PHASED);
    const absAll = new Float64Array(N_PHASED);
    const missing = new Uint8Array(N_PHASED);
    const use = this.use.values();
    const add = (i: number, v: number, basis: number, active: boolean) => {
      impacts[i] += v;
      absAll[i] += Math.abs(v);
      if (basis === Basis.Proxy) absProxy[i] += Math.abs(v);
      else if (basis === Basis.Missing && active) missing[i] = 1;
    };
    platform.sites.forEach((site, s) => {
      const active = use[s * N_COORDS + ENERGY] > 0;
      for (let c = 0; c < N_COORDS; c++) add(USE * N_COORDS + c, use[s * N_COORDS + c], site.intensity.basis[c], active);
    });
    // Node-equivalent seconds charged embodied impacts: held minus exempt (the same array when none is).
    const ns = this.nodeSeconds.values();
    const ex = this.exempt.values();
    for (let k = 0; k < ns.length; k++) if (ex[k] !== 0) ns[k] -= ex[k];
    const KIND = { node: 0, gpu: 1, fpga: 2 } as const;
    platform.pools.forEach((pool, p) => {
      if (ns[3 * p] === 0 && ns[3 * p + 1] === 0 && ns[3 * p + 2] === 0) return;
      for (let ph = 0; ph < N_PHASES; ph++) {
        if (ph === USE) continue;
        for (let c = 0; c < N_COORDS; c++) {
          const i = ph * N_COORDS + c;
          if (!pool.embodiedParts) add(i, ns[3 * p] * pool.embodiedPerNodeSecond[i], pool.embodiedBasis[i], true);
          else for (const part of pool.embodiedParts) add(i, ns[3 * p + KIND[part.kind]] * part.perNodeSecond[i], part.basis[i], true);
        }
      }
    });
    return { impacts, absProxy, absAll, missing };
  }

  /** Plain JSON summary of the account. */
  summarize(platform: PlatformModel, method: ScoreMethod): AccountSummary {
    const { impacts: v, absProxy, absAll, missing } = this.expand(platform);
    const e = this.energy.values();
    const out: Record<string, CategorySummary> = {};
    // The 16 EF categories, then primary energy (PE, MJ; not in the single score). Plain loops: an account's
    // summary made no closure or rest object per category.
    for (const ind of INDICATORS) {
      const i = ind.index;
      const byPhase: Record<string, number> = {};
      let total = 0;
      let proxy = 0;
      let all = 0;
      const missingPhases: string[] = [];
      for (let p = 0; p < N_PHASES; p++) {
        const ph = PHASES[p];
        const k = p * N_COORDS + i;
        byPhase[ph] = v[k];
        total += v[k];
        proxy += absProxy[k];
        all += absAll[k];
        if (missing[k]) missingPhases.push(ph);
      }
      out[ind.id] = { name: ind.name, unit: ind.unit, total, by_phase: byPhase, proxy_share: all > 0 ? proxy / all : 0, missing_phases: missingPhases };
    }
    const scoreByPhase: Record<string, number> = {};
    let score = 0;
    for (let p = 0; p < N_PHASES; p++) {
      const s = singleScore(v, method, p * N_COORDS);
      scoreByPhase[PHASES[p]] = s;
      score += s;
    }
    let nodeSeconds = 0;
    const ns = this.nodeSeconds.values();
    for (let k = 0; k < ns.length; k += 3) nodeSeconds += ns[k];
    return {
      jobs: this.jobs,
      node_seconds: nodeSeconds,
      energy_j: { it: e[0], facility: e[1] },
      impacts: out,
      single_score: { total_pt: score, by_phase_pt: scoreByPhase, method: method.name },
    };
  }
}

export interface CategorySummary {
  name: string;
  unit: string;
  total: number;
  by_phase: Record<string, number>;
  /** Share of the category's contributions (in absolute value) that rests on documented proxies. */
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
  /** Data transfers, by the site whose electricity they drew (sending, receiving, network). */
  readonly siteTransfers: Account[];
  readonly projects = new Map<string, Account>();
  /** Per workflow: its tasks and its transfers. */
  readonly workflows = new Map<number, Account>();
  private readonly nSites: number;
  private readonly nPools: number;

  constructor(platform: PlatformModel) {
    this.nSites = platform.sites.length;
    this.nPools = platform.pools.length;
    this.siteJobs = platform.sites.map(() => this.account());
    this.siteOverhead = platform.sites.map(() => this.account());
    this.siteTransfers = platform.sites.map(() => this.account());
  }

  workflow(w: number): Account {
    let a = this.workflows.get(w);
    if (!a) this.workflows.set(w, (a = this.account()));
    return a;
  }

  /** Charges transfer energy drawn at site s (use-phase impacts `use` x k, and energy in J) to the project and workflow. */
  chargeTransfer(s: number, project: string, workflow: number, use: ArrayLike<number>, k: number, energyJ: number): void {
    for (const a of [this.siteTransfers[s], this.project(project), this.workflow(workflow)]) {
      a.chargeUse(s, use, k);
      a.chargeEnergy(energyJ, energyJ);
    }
  }

  account(): Account {
    return new Account(this.nSites, this.nPools);
  }

  project(name: string): Account {
    let p = this.projects.get(name);
    if (!p) this.projects.set(name, (p = this.account()));
    return p;
  }

  /** Per QoS class name: its jobs. */
  readonly qos = new Map<string, Account>();
  /** The accounts of jobs outside workflows, per site, by QoS class name ("" without one), then by project. */
  private readonly plainAccounts: Map<string, Map<string, Account[]>>[] = [];

  /** The accounts a job is charged to: its site's jobs, its project, its workflow and its QoS class. */
  accountsOf(site: number, job: { readonly project: string; readonly workflow?: number; readonly qos?: { readonly name: string } }): readonly Account[] {
    if (job.workflow === undefined) {
      // Jobs outside workflows: cached per site, class and project (no array per charge; a charge is made per
      // interval of a job, and a QoS study's arrays were 49 MB of sweep-default's allocation).
      const bySite = (this.plainAccounts[site] ??= new Map());
      const qosName = job.qos ? job.qos.name : "";
      let byProject = bySite.get(qosName);
      if (!byProject) bySite.set(qosName, (byProject = new Map()));
      let cached = byProject.get(job.project);
      if (!cached) byProject.set(job.project, (cached = this.accountsFor(site, job)));
      return cached;
    }
    return this.accountsFor(site, job);
  }

  private accountsFor(site: number, job: { readonly project: string; readonly workflow?: number; readonly qos?: { readonly name: string } }): Account[] {
    const out = [this.siteJobs[site], this.project(job.project)];
    if (job.workflow !== undefined) out.push(this.workflow(job.workflow));
    if (job.qos) {
      let q = this.qos.get(job.qos.name);
      if (!q) this.qos.set(job.qos.name, (q = this.account()));
      out.push(q);
    }
    return out;
  }

  /** Jobs plus overhead of one site. */
  site(i: number): Account {
    const a = this.account();
    a.merge(this.siteJobs[i]);
    a.merge(this.siteOverhead[i]);
    return a;
  }

  /** Everything: every site's jobs, overhead and transfers. */
  total(): Account {
    const a = this.account();
    for (let i = 0; i < this.nSites; i++) {
      a.merge(this.site(i));
      a.merge(this.siteTransfers[i]);
    }
    return a;
  }
}
