/**
 * Waste report of a run (issue 5; SPECTRUM blueprint recommendations 8 and 10):
 * per project and per site, the energy and impacts of jobs killed at their
 * walltime, of reserved but unused cores, the node-hours a perfect packing of
 * the requested cores would have needed, and (per site) the overhead of nodes
 * left idle while on. Computed from jobs.csv rows and summary.json only.
 *
 * Definitions (also written into waste.json):
 * - a job reserves whole nodes; jobs.csv's utilisation is cores / (nodes x cores
 *   per node), so reserved cores = cores / utilisation;
 * - unused-core share of a job = 1 - utilisation; its energy and CC are the
 *   job's facility energy and CC times that share (pro rata to cores reserved,
 *   an attribution choice: a node's idle draw is not split by core);
 * - perfect-packing node-hours = core-hours requested / cores per node
 *   = utilisation x nodes x runtime (a lower bound: no fragmentation, no rounding up);
 * - idle overhead: the site's overhead account (idle, off and switching nodes),
 *   which projects are not charged, so it appears per site only. Its climate
 *   change is the idle nodes' electricity (use) plus their embodied impacts
 *   over that time (fabrication, transport, end of life), given apart.
 */
import type { RunSummary } from "../run/index.js";

/** One row of jobs.csv as parsed (strings) or already typed. */
export type JobRow = Readonly<Record<string, string | number | undefined>>;

export interface WasteFigures {
  jobs: number;
  jobs_killed: number;
  energy_facility_j: number;
  cc_kgco2eq: number;
  single_score_pt: number;
  /** Jobs killed at their walltime: their whole consumption. */
  killed: { energy_facility_j: number; cc_kgco2eq: number; single_score_pt: number; node_hours: number };
  /** Cores reserved (whole nodes) but not requested. */
  unused_cores: { core_hours_requested: number; core_hours_reserved: number; share: number; energy_facility_j: number; cc_kgco2eq: number };
  /** Node-hours held vs node-hours a perfect packing of the requested cores would need. */
  packing: { node_hours_reserved: number; node_hours_perfect: number; utilisation_vs_request: number };
}

export interface SiteWaste extends WasteFigures {
  /** Idle, off and switching nodes: the site's overhead account from summary.json. */
  idle: {
    energy_it_j: number;
    energy_facility_j: number;
    /** All phases: cc_use_kgco2eq + cc_embodied_kgco2eq. */
    cc_kgco2eq: number;
    /** Of the electricity drawn (use phase). */
    cc_use_kgco2eq: number;
    /** Embodied (fabrication, transport, end of life) over the idle node-time. */
    cc_embodied_kgco2eq: number;
    /** All phases. */
    single_score_pt: number;
    share_of_site_facility_energy: number;
  };
}

export interface WasteReport {
  definitions: Record<string, string>;
  total: WasteFigures & { idle: SiteWaste["idle"] };
  by_project: Record<string, WasteFigures>;
  by_site: Record<string, SiteWaste>;
}

export const WASTE_DEFINITIONS: Record<string, string> = {
  killed: "jobs with status 'killed' (stopped at their walltime): all their facility energy, climate change and single score",
  unused_cores: "whole nodes are reserved; reserved cores = cores / utilisation (jobs.csv); the unused share 1 - utilisation of each job's energy and CC, pro rata to cores",
  packing: "perfect packing needs core-hours requested / cores per node = utilisation x nodes x runtime node-hours (no fragmentation, no rounding); utilisation_vs_request = perfect / reserved",
  idle: "the site's overhead (idle, off and switching nodes) from summary.json; not charged to projects, so shown per site and in total only; its climate change and single score cover all life-cycle phases: the electricity drawn (use) and the embodied impacts of the idle node-time (fabrication, transport, end of life)",
};

function num(row: JobRow, key: string): number {
  const v = row[key];
  const x = typeof v === "number" ? v : Number(v);
  if (v === undefined || v === "" || !Number.isFinite(x)) throw new RangeError(`wasteReport: job ${String(row.job_id)}: column ${key}: expected a number, got ${JSON.stringify(v)}`);
  return x;
}

function empty(): WasteFigures {
  return {
    jobs: 0,
    jobs_killed: 0,
    energy_facility_j: 0,
    cc_kgco2eq: 0,
    single_score_pt: 0,
    killed: { energy_facility_j: 0, cc_kgco2eq: 0, single_score_pt: 0, node_hours: 0 },
    unused_cores: { core_hours_requested: 0, core_hours_reserved: 0, share: 0, energy_facility_j: 0, cc_kgco2eq: 0 },
    packing: { node_hours_reserved: 0, node_hours_perfect: 0, utilisation_vs_request: 0 },
  };
}

function add(w: WasteFigures, row: JobRow): void {
  const nodes = num(row, "nodes");
  const cores = num(row, "cores");
  const runtimeH = num(row, "runtime_s") / 3600;
  const u = num(row, "utilisation");
  const e = num(row, "energy_facility_j");
  const cc = num(row, "cc_kgco2eq");
  const score = num(row, "single_score_pt");
  w.jobs++;
  w.energy_facility_j += e;
  w.cc_kgco2eq += cc;
  w.single_score_pt += score;
  if (row.status === "killed") {
    w.jobs_killed++;
    w.killed.energy_facility_j += e;
    w.killed.cc_kgco2eq += cc;
    w.killed.single_score_pt += score;
    w.killed.node_hours += nodes * runtimeH;
  }
  // utilisation 0 would mean no cores requested: count the nodes as reserved, none as requested.
  const reservedCores = u > 0 ? cores / u : 0;
  w.unused_cores.core_hours_requested += u > 0 ? cores * runtimeH : 0;
  w.unused_cores.core_hours_reserved += reservedCores * runtimeH;
  w.unused_cores.energy_facility_j += (1 - u) * e;
  w.unused_cores.cc_kgco2eq += (1 - u) * cc;
  w.packing.node_hours_reserved += nodes * runtimeH;
  w.packing.node_hours_perfect += u * nodes * runtimeH;
}

function finish<T extends WasteFigures>(w: T): T {
  const r = w.unused_cores.core_hours_reserved;
  w.unused_cores.share = r > 0 ? 1 - w.unused_cores.core_hours_requested / r : 0;
  const n = w.packing.node_hours_reserved;
  w.packing.utilisation_vs_request = n > 0 ? w.packing.node_hours_perfect / n : 0;
  return w;
}

/**
 * Waste figures per project, per site and in total.
 * @param jobs rows of jobs.csv (columns nodes, cores, runtime_s, utilisation, status, site, project, energy_facility_j, cc_kgco2eq, single_score_pt)
 * @param summary the run's summary.json (its sites' overhead accounts)
 * @throws RangeError naming the job and column when a number is missing or not finite
 */
export function wasteReport(jobs: Iterable<JobRow>, summary: Pick<RunSummary, "sites">): WasteReport {
  const total = empty();
  const byProject = new Map<string, WasteFigures>();
  const bySite = new Map<string, WasteFigures>();
  for (const row of jobs) {
    const project = String(row.project ?? "");
    const site = String(row.site ?? "");
    if (!byProject.has(project)) byProject.set(project, empty());
    if (!bySite.has(site)) bySite.set(site, empty());
    add(total, row);
    add(byProject.get(project)!, row);
    add(bySite.get(site)!, row);
  }
  const siteIds = [...new Set([...Object.keys(summary.sites ?? {}), ...bySite.keys()])].sort();
  const totalIdle = { energy_it_j: 0, energy_facility_j: 0, cc_kgco2eq: 0, cc_use_kgco2eq: 0, cc_embodied_kgco2eq: 0, single_score_pt: 0, share_of_site_facility_energy: 0 };
  let allFacility = 0;
  const by_site: Record<string, SiteWaste> = {};
  for (const id of siteIds) {
    const s = summary.sites?.[id];
    const o = s?.overhead;
    const idleFacility = o?.energy_j.facility ?? 0;
    const siteFacility = idleFacility + (s?.jobs.energy_j.facility ?? 0);
    const cc = o?.impacts.CC?.total ?? 0;
    const ccUse = o?.impacts.CC?.by_phase?.use ?? 0;
    const idle = {
      energy_it_j: o?.energy_j.it ?? 0,
      energy_facility_j: idleFacility,
      cc_kgco2eq: cc,
      cc_use_kgco2eq: ccUse,
      cc_embodied_kgco2eq: cc - ccUse,
      single_score_pt: o?.single_score.total_pt ?? 0,
      share_of_site_facility_energy: siteFacility > 0 ? idleFacility / siteFacility : 0,
    };
    totalIdle.energy_it_j += idle.energy_it_j;
    totalIdle.energy_facility_j += idle.energy_facility_j;
    totalIdle.cc_kgco2eq += idle.cc_kgco2eq;
    totalIdle.cc_use_kgco2eq += idle.cc_use_kgco2eq;
    totalIdle.cc_embodied_kgco2eq += idle.cc_embodied_kgco2eq;
    totalIdle.single_score_pt += idle.single_score_pt;
    allFacility += siteFacility;
    by_site[id] = { ...finish(bySite.get(id) ?? empty()), idle };
  }
  totalIdle.share_of_site_facility_energy = allFacility > 0 ? totalIdle.energy_facility_j / allFacility : 0;
  const by_project: Record<string, WasteFigures> = {};
  for (const p of [...byProject.keys()].sort()) by_project[p] = finish(byProject.get(p)!);
  return { definitions: WASTE_DEFINITIONS, total: { ...finish(total), idle: totalIdle }, by_project, by_site };
}
