/**
 * Trade-off exploration (issue 4): run one scenario under a policy for each
 * value of one of its parameters, on the worker pool, and mark the Pareto
 * front of the resulting schedules over chosen objectives (all minimised).
 * Candidates keep the order of the values given, and each is a pure function
 * of its parameters, so the output is the same whatever the number of workers.
 */
import { loadScenario } from "../io/index.js";
import { DEFAULT_SCENARIO } from "../run/index.js";
import type { RunSummary } from "../run/index.js";
import { paretoIndices } from "./pareto.js";
import { createPool, type RunPool } from "./pool.js";

/** What a schedule is judged on; every one is minimised. */
export type Objective = "mean_wait_s" | "single_score" | "cc" | "energy" | "makespan";

/** The figures of a candidate's run that the exploration reports (a subset of its RunSummary). */
export interface CandidateSummary {
  readonly jobs: number;
  readonly makespan_s: number;
  readonly mean_wait_s: number;
  readonly mean_bounded_slowdown: number;
  /** Facility energy of the whole run (jobs, idle overhead, transfers), J. */
  readonly energy_facility_j: number;
  /** Single score of the whole run (EF 3.1 normalised and weighted), Pt. */
  readonly single_score_pt: number;
  /** Climate change of the whole run, all phases, kg CO2e. */
  readonly cc_kgco2eq: number;
  /** Per QoS class, as in the run summary (empty without QoS classes). */
  readonly qos: RunSummary["qos"];
}

/** Each objective: its value in a candidate's summary, with a label and unit for tables. */
export const OBJECTIVES: Readonly<Record<Objective, { readonly label: string; readonly unit: string; readonly of: (s: CandidateSummary) => number }>> = {
  mean_wait_s: { label: "mean wait", unit: "s", of: (s) => s.mean_wait_s },
  single_score: { label: "single score", unit: "Pt", of: (s) => s.single_score_pt },
  cc: { label: "climate change", unit: "kg CO2e", of: (s) => s.cc_kgco2eq },
  energy: { label: "facility energy", unit: "J", of: (s) => s.energy_facility_j },
  makespan: { label: "makespan", unit: "s", of: (s) => s.makespan_s },
};

export const DEFAULT_OBJECTIVES: readonly Objective[] = ["mean_wait_s", "single_score"];

export interface Candidate {
  /** Position in the values explored. */
  readonly index: number;
  /** Every parameter the policy ran with that the exploration set (the scenario's, when it is the scenario's policy, with the explored one replaced). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly summary: CandidateSummary;
  readonly onFront: boolean;
}

export interface Exploration {
  readonly scenario: string;
  readonly policy: string;
  readonly param: string;
  readonly objectives: readonly Objective[];
  /** In the order of the values given. */
  readonly candidates: readonly Candidate[];
  /** The non-dominated candidates, in candidate order. */
  readonly front: readonly Candidate[];
}

export interface ExploreOptions {
  /** Scenario file; the bundled default when absent. */
  readonly scenario?: string;
  readonly policy: string;
  /** The policy parameter to vary, e.g. "impact_weight". */
  readonly param: string;
  readonly values: readonly number[];
  /** Default: mean wait and single score. */
  readonly objectives?: readonly Objective[];
  /** Lanes (default: up to cores, at most one per candidate, worker threads started once the work left repays them: pool.ts, "when-worth-it"); 0 or 1 runs in-process. Ignored with `pool`. */
  readonly workers?: number;
  /** An existing pool to run on (left open); otherwise one is created and closed. */
  readonly pool?: RunPool;
}

/** The compact figures of a run summary. */
export function candidateSummary(s: RunSummary): CandidateSummary {
  return {
    jobs: s.jobs,
    makespan_s: s.makespan_s,
    mean_wait_s: s.mean_wait_s,
    mean_bounded_slowdown: s.mean_bounded_slowdown,
    energy_facility_j: s.energy_j.facility,
    single_score_pt: s.single_score.total_pt,
    cc_kgco2eq: s.impacts.CC.total,
    qos: s.qos,
  };
}

/**
 * Runs `policy` with `param` set to each of `values` on the scenario and
 * returns every candidate and the Pareto front over the objectives.
 * @throws RangeError on no values, a value that is not finite, or an unknown objective;
 *   InputError / SimulationError from the runs (e.g. a parameter the policy does not know)
 */
export async function exploreTradeoff(options: ExploreOptions): Promise<Exploration> {
  const { policy, param, values } = options;
  const objectives = options.objectives ?? DEFAULT_OBJECTIVES;
  if (values.length === 0) throw new RangeError("exploreTradeoff: values: expected at least one value, got none");
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new RangeError(`exploreTradeoff: values[${bad}]: expected a finite number, got ${values[bad]}`);
  if (objectives.length === 0) throw new RangeError("exploreTradeoff: objectives: expected at least one, got none");
  for (const o of objectives) if (!(o in OBJECTIVES)) throw new RangeError(`exploreTradeoff: objectives: expected one of ${Object.keys(OBJECTIVES).join(", ")}, got "${o}"`);

  const scenario = options.scenario ?? DEFAULT_SCENARIO;
  const spec = await loadScenario(scenario);
  const base = spec.policy.name === policy ? (spec.policy.params ?? {}) : {};
  const params = values.map((v) => ({ ...base, [param]: v }));

  const pool = options.pool ?? createPool({ workers: options.workers, tasks: values.length });
  let summaries: CandidateSummary[];
  try {
    // Submitted together, awaited in candidate order: completion order does not matter.
    const results = await Promise.all(params.map((p, i) => pool.run({ id: String(i), scenario, overrides: { policy }, policyParams: p })));
    summaries = results.map((r) => candidateSummary(r.summary));
  } finally {
    if (!options.pool) await pool.close();
  }
  const fns = objectives.map((o) => OBJECTIVES[o].of);
  const onFront = new Set(paretoIndices(summaries, fns));
  const candidates = summaries.map((summary, index) => ({ index, params: params[index], summary, onFront: onFront.has(index) }));
  return { scenario, policy, param, objectives: [...objectives], candidates, front: candidates.filter((c) => c.onFront) };
}
