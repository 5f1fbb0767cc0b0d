/** The summary.json of a run: metrics, energy, impacts with their coverage, per site and project, adjustments and provenance. */
import type { PredictionSummary } from "./predictions.js";
import type { Accountant } from "../accounting/index.js";
import type { AccountSummary } from "../accounting/index.js";
import type { PoolPacking, SchedulingMetrics } from "../accounting/index.js";
import { formatIssue, type AdjustmentLog } from "../core/index.js";
import type { ScoreMethod } from "../core/index.js";
import type { PlatformModel } from "../models/index.js";
import type { SimulationResult } from "../sim/index.js";
import type { Provenance } from "./provenance.js";
import type { OutputRecord } from "../io/index.js";
import type { WorkflowSummary } from "./workflows.js";

/** A run's summary.json: its id first, then what buildSummary gives, then the files the run wrote (io/runOutputs.ts). */
export interface RunSummary extends RunSummaryBody {
  /** Derived from the content (inputs, options, results): the same inputs give the same id; every file of the folder is checked against `outputs`. */
  run_id: string;
  /** The other files of the run, by name: SHA-256, bytes and rows. */
  outputs: Record<string, OutputRecord>;
}

export interface RunSummaryBody extends SchedulingMetrics {
  scenario: string;
  jobs_submitted: number;
  jobs_rejected: number;
  jobs_never_started: number;
  /** Records skipped or repaired while reading inputs, by input and reason. */
  adjustments: { workload: Record<string, number>; series: Record<string, number> };
  /** The first adjustments of each input in words (file, line, what was done), so a count can be traced to its records. */
  adjustment_examples: { workload: string[]; series: string[] };
  /** Jobs that never ran, by reason. */
  dropped: Record<string, number>;
  energy_j: { it: number; facility: number; overhead_it: number; overhead_facility: number };
  impacts: AccountSummary["impacts"];
  single_score: AccountSummary["single_score"];
  sites: Record<string, { pue: number; nodes: number; jobs: AccountSummary; overhead: AccountSummary; meter: { it_j: number; facility_j: number } }>;
  projects: Record<string, { jobs: number; node_seconds: number; energy_facility_j: number; cc_kgco2eq: number; single_score_pt: number }>;
  attribution: string;
  /** Per pool: how densely its busy nodes were used (mean busy and allocated cores per busy node) and its nodes' energy (nodes.csv has every node's timeline). */
  packing: PoolPacking[];
  simulation: { end_s: number; events: number; policy_passes: number; refused_decisions: Record<string, number> };
  /** Data moved between sites for workflows. */
  transfers: { count: number; bytes: number; energy_j: number };
  workflows: WorkflowSummary[];
  /** Per QoS class: jobs, waits, energy and impacts (scenarios with QoS classes). */
  qos: Record<
    string,
    {
      jobs: number;
      mean_wait_s: number;
      mean_bounded_slowdown: number;
      /** Jobs that started later than submit + the class's maximum delay (no capacity in time, or the policy). */
      started_after_allowed_delay: number;
      energy_facility_j: number;
      cc_kgco2eq: number;
      single_score_pt: number;
    }
  >;
  /** Decisions recorded with their reasons (decisions.jsonl; 0 in a run that writes only its summary, which keeps none). */
  decisions_explained: number;
  /** With predictions on (RunOverrides.predict): how the jobs' pre-submission estimates fared. */
  predictions?: PredictionSummary;
  /** Per site id: seconds above its power budget (0 when it was kept). */
  seconds_over_power_budget: Record<string, number>;
  provenance: Provenance;
}

export function buildSummary(args: {
  scenario: string;
  platform: PlatformModel;
  result: SimulationResult;
  metrics: SchedulingMetrics;
  accountant: Accountant;
  method: ScoreMethod;
  adjustments: { workload: AdjustmentLog; series: AdjustmentLog };
  dropped: ReadonlyMap<string, number>;
  provenance: Provenance;
  workflows: WorkflowSummary[];
  qosMetrics: ReadonlyMap<string, SchedulingMetrics>;
  lateStarts: ReadonlyMap<string, number>;
  decisionsExplained: number;
  packing: PoolPacking[];
  staticSplit: "allocated" | "jobs";
}): RunSummaryBody {
  const { platform, result, accountant, method } = args;
  const ledger = accountant.ledger;
  const total = ledger.total().summarize(platform, method);
  let overheadIt = 0;
  let overheadFacility = 0;
  const sites: RunSummaryBody["sites"] = {};
  platform.sites.forEach((site, s) => {
    const overhead = ledger.siteOverhead[s].summarize(platform, method);
    overheadIt += overhead.energy_j.it;
    overheadFacility += overhead.energy_j.facility;
    const meter = accountant.meter(s);
    sites[site.id] = {
      pue: site.pue,
      nodes: platform.pools.filter((p) => p.site === s).reduce((a, p) => a + p.count, 0),
      jobs: ledger.siteJobs[s].summarize(platform, method),
      overhead,
      meter: { it_j: meter.itJ, facility_j: meter.facilityJ },
    };
  });
  const projects: RunSummaryBody["projects"] = {};
  for (const name of [...ledger.projects.keys()].sort()) {
    const p = ledger.projects.get(name)!.summarize(platform, method);
    projects[name] = {
      jobs: p.jobs,
      node_seconds: p.node_seconds,
      energy_facility_j: p.energy_j.facility,
      cc_kgco2eq: p.impacts.CC.total,
      single_score_pt: p.single_score.total_pt,
    };
  }
  const dropped = Object.fromEntries([...args.dropped.entries()].sort(([a], [b]) => a.localeCompare(b)));
  return {
    scenario: args.scenario,
    ...args.metrics,
    jobs_submitted: result.jobsSubmitted,
    jobs_rejected: result.jobsRejected,
    jobs_never_started: result.jobsNeverStarted,
    adjustments: { workload: args.adjustments.workload.toJSON(), series: args.adjustments.series.toJSON() },
    adjustment_examples: { workload: args.adjustments.workload.examples.map(formatIssue), series: args.adjustments.series.examples.map(formatIssue) },
    dropped,
    energy_j: { it: total.energy_j.it, facility: total.energy_j.facility, overhead_it: overheadIt, overhead_facility: overheadFacility },
    impacts: total.impacts,
    single_score: total.single_score,
    sites,
    projects,
    attribution: attributionText(args.staticSplit),
    packing: args.packing,
    simulation: { end_s: result.end, events: result.events, policy_passes: result.passes, refused_decisions: result.refusals },
    transfers: {
      count: accountant.transfers,
      bytes: accountant.transferBytes,
      energy_j: ledger.siteTransfers.reduce((a, t) => a + t.energy.values()[0], 0),
    },
    workflows: args.workflows,
    qos: Object.fromEntries(
      [...args.qosMetrics.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, m]) => {
        const a = ledger.qos.get(name)?.summarize(platform, method);
        return [name, { jobs: m.jobs, mean_wait_s: m.mean_wait_s, mean_bounded_slowdown: m.mean_bounded_slowdown, started_after_allowed_delay: args.lateStarts.get(name) ?? 0, energy_facility_j: a?.energy_j.facility ?? 0, cc_kgco2eq: a?.impacts.CC.total ?? 0, single_score_pt: a?.single_score.total_pt ?? 0 }];
      }),
    ),
    decisions_explained: args.decisionsExplained,
    seconds_over_power_budget: { ...result.secondsOverBudget },
    provenance: args.provenance,
  };
}

/** The attribution rule of a run in words (DESIGN.md, "Attribution"). */
export function attributionText(staticSplit: "allocated" | "jobs"): string {
  return (
    "Jobs share nodes by cores, devices and memory unless they or their pool ask for whole nodes. A node's draw is split among its jobs: dynamic CPU power (the load curve at the node's busy cores over its value at zero load) by each job's busy cores; " +
    (staticSplit === "allocated" ? "static CPU power by each job's allocated cores out of the node's, the unallocated cores' share to the site's overhead; " : "static CPU power among the node's jobs by their allocated cores; ") +
    "each GPU or FPGA to the job holding it. A job holding whole nodes pays their whole draw. The draw is charged times PUE times the site's impact intensity at each instant, plus embodied impacts per allocated core-second (the node's share) and device-second (the accelerators'). Idle, off and switching nodes and unallocated devices (energy and embodied) are the site's overhead; jobs plus overhead equal the site meter."
  );
}
