/**
 * One scenario run, wired end to end: load the scenario and its inputs (io),
 * build the models, stream the workload through the simulator under the
 * policy (sim + planner), account impacts (accounting), and write jobs.csv,
 * sites.csv and summary.json. The CLI only parses flags and calls this.
 */
import { resolve } from "node:path";
import { Accountant, N_PHASED, type JobCharge } from "../accounting/index.js";
import { MetricsCollector } from "../accounting/index.js";
import { SITE_SERIES_COLUMNS, SiteSeries } from "../accounting/index.js";
import { NODE_COLUMNS, NodeTimeline } from "../accounting/index.js";
import { ENERGY, INDICATORS, N_COORDS, PHASES } from "../core/index.js";
import { AdjustmentLog, InputError } from "../core/index.js";
import { describeNodes, MAX_LIFETIME_YEARS, MAX_NODES, MAX_PUE } from "../core/index.js";
import { hashUnit } from "../core/index.js";
import type { JsonLinesWriter } from "../io/index.js";
import { prepareOutputDir } from "../io/index.js";
import { RunOutputs } from "../io/index.js";
import { singleScore, type ScoreMethod } from "../core/index.js";
import type { Extension } from "../core/index.js";
import type { CsvRows, CsvWriter } from "../io/index.js";
import { loadNodeType, loadPlatform, platformForProcs } from "../io/index.js";
import { loadScenario, resolveFrom } from "../io/index.js";
import { DEFAULT_SCORE_METHOD_PATH } from "../io/index.js";
import type { JobSpec, PlatformSpec, ScenarioSpec } from "../io/index.js";
import { openSwf } from "../io/index.js";
import { shippedPath } from "../io/index.js";
import { withPredictions, type Policy } from "../planner/index.js";
import { simulate, type SimulationResult, type StaticRule } from "../sim/index.js";
import { combineObservers, type SimObserver } from "../sim/index.js";
import { choosePolicy } from "./policyModule.js";
import { provenance } from "./provenance.js";
import { buildWorld, ELECTRICITY_FACTORS } from "./world.js";
import { coveredFrom, coveredUntil, extensionIssues, DEFAULT_EMBODIED_RULE } from "../models/index.js";
import { checkRunCovered, traceSpan } from "./runSpan.js";
import { PREDICTION_COLUMNS, PredictionLog } from "./predictions.js";
import { PIECE_COLUMNS, PiecesLog } from "./pieces.js";
import { buildSummary, type RunSummary } from "./summary.js";
import { loadWorkflows, WORKFLOW_COLUMNS, workflowRow, workflowSummary } from "./workflows.js";
import type { JobFact, WorkflowFact } from "../sim/index.js";

const root = shippedPath;
export const DEFAULT_SCENARIO = root("scenarios/default.json");
export { ELECTRICITY_FACTORS };
export const DEFAULT_NODE_TYPE = root("platforms/single-core-node.json");
/** Zone of the homogeneous machine used for a bare SWF trace: EU-27 average static factors (an assumption). */
export const DEFAULT_ZONE = "EEE";

export interface RunOverrides {
  readonly workload?: string;
  readonly platform?: string;
  /** A built-in policy by name (see POLICIES), replacing the scenario's. */
  readonly policy?: string;
  /**
   * A policy module file (relative to the working directory) replacing the
   * scenario's policy: its default export is a factory (params) => Policy
   * (see run/policyModule.ts). Not together with `policy`.
   */
  readonly policyModule?: string;
  /** Parameters of the policy (default: the scenario's when its policy is used, else none). */
  readonly policyParams?: Readonly<Record<string, unknown>>;
  readonly procs?: number;
  readonly seed?: number;
  readonly out?: string;
  readonly mode?: "strict" | "lenient";
  /**
   * A platform variant (sweeps): PUE of every site, node counts scaled (rounded,
   * at least 1 per group), the embodied lifetime of every node type, every
   * site's grid zone (static factors of that zone, series dropped).
   */
  readonly platformVariant?: { readonly pue?: number; readonly nodes_scale?: number; readonly lifetime_years?: number; readonly zone?: string };
  /** Workload scaling (sweeps): submit times divided by this factor (> 1 = denser arrivals). */
  readonly workloadScale?: number;
  /** Forecast error policies see, replacing the scenario's. */
  readonly forecast?: { readonly bias: number; readonly sigma: number };
  /** What grid series do past their rows, replacing the scenario's series_extension: refuse ("error"), hold the last values, or repeat. */
  readonly seriesExtension?: Extension;
  /** Every job of the trace gets whole nodes (as with sbatch --exclusive), replacing the scenario's workload.exclusive. */
  readonly exclusive?: boolean;
  /** Draw jobs' cores at their recorded CPU usage ("trace", the default) or fully busy ("ignore"), replacing the scenario's workload.cpu_usage. */
  readonly cpuUsage?: "trace" | "ignore";
  /** How a shared node's static power is split, replacing the scenario's attribution.static_split. */
  readonly staticSplit?: StaticRule;
  /** Write only summary.json (and impacts.arrow with impactTable): no jobs.csv, sites.csv, nodes.csv, predictions.csv or decisions.jsonl, and policies are told not to explain their decisions (ClusterView.explain). */
  readonly summaryOnly?: boolean;
  /** Also write impacts.arrow, every job's impacts by life-cycle phase (impactColumns), even with summaryOnly. */
  readonly impactTable?: boolean;
  /** Estimate every job when first queued (the pre-submission estimate) and score it against what then happened: predictions.csv and summary.predictions. */
  readonly predict?: boolean;
}

export interface RunOptions {
  /** Scenario file; the bundled default when absent. */
  readonly scenario?: string;
  readonly overrides?: RunOverrides;
  /**
   * A policy object to run instead of the scenario's, e.g. one of your own
   * (not together with overrides.policy, policyModule or policyParams). Its
   * name, version and params go into the run's provenance.
   */
  readonly policy?: Policy<unknown>;
  readonly onProgress?: (jobsFinished: number, simTime: number) => void;
  /**
   * Format and write jobs.csv on a worker thread once it passes
   * OUTPUT_THREAD_AFTER rows (io/csvThread.ts; the same bytes), and sites.csv
   * and nodes.csv on the same thread (at their next row once it runs, or past
   * SERIES_THREAD_AFTER rows): a long run then spends little of its own
   * thread on its files. For a process with a core to spare (the CLI's run,
   * on 2 or more); off by default (a sweep's lanes already use every core).
   * A number: the rows of each file before the thread takes over.
   */
  readonly outputThread?: boolean | number;
}

/**
 * Rows of jobs.csv written on the simulating thread before the output thread
 * takes over (outputThread). A choice: starting the thread costs about 0.1 s
 * of CPU (io/csvThread.ts), nearly all of it on the second core; from then on
 * the simulating thread spends about 0.4 us a row storing it instead of about
 * 4 us formatting it (bench/csv.ts). 5,000 keeps short runs (the default
 * scenario's 3,145 jobs) thread-free, and a long run formats few rows itself:
 * KTH x8 under callgrind, the simulating thread's instructions 23.38 G with
 * 20,000, 23.05 G with 5,000.
 */
export const OUTPUT_THREAD_AFTER = 5_000;
/**
 * The same for sites.csv and nodes.csv, whose rows have a third of a job's
 * numbers (10 or fewer against 33). Once jobs.csv (or any) has started the
 * thread, each goes to it at its next row whatever its length.
 */
const SERIES_THREAD_AFTER = 3 * OUTPUT_THREAD_AFTER;

export interface RunOutput {
  readonly summary: RunSummary;
  readonly outDir: string;
  readonly files: readonly string[];
  readonly result: SimulationResult;
}

/** Column names of jobs.csv; the first four are a stable interface. */
export function jobColumns(): string[] {
  return [
    "job_id", "submit", "start", "end", "wait_s", "runtime_s", "status", "site", "node_type", "nodes", "cores", "utilisation", "power_w",
    "energy_it_j", "energy_facility_j",
    ...INDICATORS.map((c) => c.column),
    ...PHASES.map((p) => `cc_${p}_kgco2eq`),
    "single_score_pt", "project", "user", "device", "workflow", "task",
    "alloc_cores", "alloc_gpus", "alloc_fpgas", "alloc_mem_mb", "exclusive",
  ];
}

/**
 * Columns of impacts.arrow: job_id (int64), the job's IT and facility energy,
 * then for each life-cycle phase every coordinate of its impacts, named as
 * jobs.csv names climate change by phase (cc_use_kgco2eq): the 16 EF 3.1
 * categories, energy_<phase>_j (the facility joules the phase is charged for)
 * and pe_<phase>_mj. Summed over phases, a category's columns give jobs.csv's.
 */
export function impactColumns(): { name: string; type?: "int64" }[] {
  const coords: string[] = [];
  for (let i = 0; i < N_COORDS; i++) coords.push(i === ENERGY ? "energy_j" : INDICATORS.find((c) => c.index === i)!.column);
  const cols: { name: string; type?: "int64" }[] = [{ name: "job_id", type: "int64" }, { name: "energy_it_j" }, { name: "energy_facility_j" }];
  for (const p of PHASES) for (const c of coords) cols.push({ name: c.replace("_", `_${p}_`) });
  return cols;
}

/** Numeric cells of a jobs.csv row (jobColumns() less its 8 text cells). */
const JOB_NUMBERS = 6 + 6 + INDICATORS.length + PHASES.length + 1 + 5;
/** The coordinate of each indicator column of jobs.csv, in its order. */
const INDICATOR_COORDS = Int32Array.from(INDICATORS, (c) => c.index);

/**
 * Writes a job's row of jobs.csv straight into the writer in jobColumns()'s
 * order: its numbers gathered in `cells` (reused) and written run by run (no
 * array of cells, no number allocated per job).
 */
function writeJobRow(w: CsvRows, c: JobCharge, siteId: string, nodeType: string, method: ScoreMethod, totals: Float64Array, cells: Float64Array): void {
  const f = c.fact;
  const impacts = c.impacts;
  // Each coordinate summed over phases, from zero and in phase order (as jobs.csv always has: 0 + x makes -0 a 0).
  for (let i = 0; i < N_COORDS; i++) {
    let t = 0;
    for (let at = i; at < N_PHASED; at += N_COORDS) t += impacts[at];
    totals[i] = t;
  }
  let k = 0;
  cells[k++] = f.job.id;
  cells[k++] = f.job.submit;
  cells[k++] = f.firstStart;
  cells[k++] = f.end;
  cells[k++] = f.firstStart - f.job.submit;
  cells[k++] = f.runSeconds;
  w.numbers(cells, 0, k);
  w.text(f.killed ? "killed" : "completed").text(siteId).text(nodeType);
  const second = k;
  cells[k++] = f.nodeCount;
  cells[k++] = f.job.cores;
  cells[k++] = f.utilisation;
  // power_w: its mean IT draw while it held its nodes (its share of them, when shared).
  cells[k++] = f.runSeconds > 0 ? c.itJ / f.runSeconds : 0;
  cells[k++] = c.itJ;
  cells[k++] = c.facilityJ;
  for (let i = 0; i < INDICATOR_COORDS.length; i++) cells[k++] = totals[INDICATOR_COORDS[i]];
  // Climate change (coordinate 0) by phase.
  for (let at = 0; at < N_PHASED; at += N_COORDS) cells[k++] = impacts[at];
  cells[k++] = singleScore(totals, method);
  w.numbers(cells, second, k);
  w.cell(f.job.project).cell(f.job.user).cell(f.device).cell(f.job.workflow ?? "").cell(f.job.task ?? "");
  const third = k;
  cells[k++] = f.allocCores;
  cells[k++] = f.allocGpus;
  cells[k++] = f.allocFpgas;
  cells[k++] = f.allocMemMb;
  cells[k++] = f.exclusive ? 1 : 0;
  w.numbers(cells, third, k);
  w.end();
}

/** A workload from which no job reached the simulator: nothing to report, so it is refused with what became of its records. */
function noJobs(file: string, log: AdjustmentLog, dropped: ReadonlyMap<string, number>): InputError {
  const skipped = Object.entries(log.toJSON()).map(([code, n]) => `${n} adjusted or skipped as ${code}`);
  const gone = [...dropped.entries()].map(([reason, n]) => `${n} dropped as ${reason}`);
  const what = [...skipped, ...gone];
  return new InputError([{ code: "invalid_value", file, message: `expected a workload with at least one job the platform can run, got ${what.length > 0 ? `none: ${what.join(", ")}` : "no job records"}` }]);
}

/** A bare trace's machine size: one node per processor, so it is checked before the simulator allocates it. */
function checkProcs(procs: number, from: { file: string; path?: string }): void {
  if (Number.isSafeInteger(procs) && procs >= 1 && procs <= MAX_NODES) return;
  const got = Number.isSafeInteger(procs) && procs > 0 ? describeNodes(procs) : String(procs);
  throw new InputError([{ ...from, code: "invalid_value", message: `expected a whole number of processors from 1 to ${MAX_NODES.toLocaleString("en-US")} (one node each; the simulator's limit), got ${got}`, value: procs }]);
}

/** The scenario's QoS assignment as a function of a job, or undefined without QoS classes. */
export function qosAssigner(scenario: ScenarioSpec, seed: number): ((job: JobSpec) => JobSpec) | undefined {
  const q = scenario.qos;
  if (!q) return undefined;
  const byName = new Map(q.classes.map((c) => [c.name, c]));
  const lookup = (name: string, path: string) => {
    const c = byName.get(name);
    if (!c) throw new InputError([{ code: "unknown_reference", file: scenario.name, path, message: `expected a QoS class (${[...byName.keys()].join(", ")}), got "${name}"`, value: name }]);
    return c;
  };
  if (q.assign.by === "project") {
    const projects = q.assign.projects;
    const fallback = lookup(q.assign.default, "qos.assign.default");
    for (const [p, name] of Object.entries(projects)) lookup(name, `qos.assign.projects.${p}`);
    return (job) => withFields(job, { qos: projects[job.project] !== undefined ? byName.get(projects[job.project]) : fallback });
  }
  const shares = Object.entries(q.assign.shares);
  const total = shares.reduce((a, [, x]) => a + x, 0);
  if (!(total > 0)) throw new InputError([{ code: "invalid_value", file: scenario.name, path: "qos.assign.shares", message: `expected shares summing to more than 0, got ${total}` }]);
  const classes = shares.map(([name, x]) => ({ c: lookup(name, `qos.assign.shares.${name}`), upTo: x / total }));
  for (let i = 1; i < classes.length; i++) classes[i].upTo += classes[i - 1].upTo;
  // Drawn per job id from the seed: the same job gets the same class whatever else changes.
  return (job) => {
    const u = hashUnit(seed, job.id);
    return withFields(job, { qos: (classes.find((k) => u < k.upTo) ?? classes[classes.length - 1]).c });
  };
}

/**
 * A copy of the job with fields added. Not `{ ...job, field }`: V8 (Node 20)
 * gives each object made so a hidden class of its own, and every later read
 * of those jobs went the slow way (KTH x8 --exclusive: 4x slower job views, and
 * their property lookups allocating over 130 MB); Object.assign onto {}
 * gives them all one.
 */
function withFields(job: JobSpec, fields: Partial<JobSpec>): JobSpec {
  return Object.assign({}, job, fields);
}

const EXCLUSIVE: Partial<JobSpec> = Object.freeze({ exclusive: true });
const NO_USAGE: Partial<JobSpec> = Object.freeze({ cpuUsage: undefined });

async function* mapBatches(source: AsyncIterable<JobSpec[]>, f: (job: JobSpec) => JobSpec): AsyncIterable<JobSpec[]> {
  for await (const batch of source) yield batch.map(f);
}

/** How the trace's jobs are read: QoS classes assigned, arrivals scaled, whole nodes for all, CPU usage kept or left out (and its caps counted). */
interface StreamOptions {
  readonly assignQos?: (job: JobSpec) => JobSpec;
  readonly scale?: number;
  readonly exclusive: boolean;
  readonly cpuUsage: "trace" | "ignore";
  /** Receives a record for each job whose CPU usage is capped at 1. */
  readonly log: AdjustmentLog;
  readonly label: string;
}

/** The workload as the simulator reads it. */
function jobStream(source: AsyncIterable<JobSpec[]>, o: StreamOptions): AsyncIterable<JobSpec[]> {
  const scale = o.scale;
  if (scale !== undefined && !(scale > 0)) throw new InputError([{ code: "invalid_value", file: "workload.scale", message: `expected a factor > 0, got ${scale}`, value: scale }]);
  const ignoreUsage = o.cpuUsage === "ignore";
  return mapBatches(source, (job) => {
    let j = o.assignQos ? o.assignQos(job) : job;
    if (o.exclusive) j = withFields(j, EXCLUSIVE);
    if (j.cpuUsage !== undefined) {
      if (ignoreUsage) {
        // Set to undefined, not removed: the record keeps the reader's keys and hidden class (io/swf.ts check).
        j = withFields(j, NO_USAGE);
      } else if (j.cpuUsage > 1) {
        // The simulator caps it (planner/resources cpuLoad); counted here, where the record is known.
        o.log.record({ code: "cpu_usage_capped", file: o.label, line: j.line, path: "field 6 (average CPU time)", message: `expected CPU time per processor at most the run time, got ${j.cpuUsage.toFixed(3)} x it: its cores are charged fully busy`, value: j.cpuUsage });
      }
    }
    return scale === undefined ? j : withFields(j, { submit: j.submit / scale });
  });
}

/** A copy of a platform with a sweep's variant applied (see RunOverrides.platformVariant). */
export function applyPlatformVariant(spec: PlatformSpec, v: NonNullable<RunOverrides["platformVariant"]>): PlatformSpec {
  const bad = (field: string, value: unknown, expected: string) => new InputError([{ code: "invalid_value", file: "platform variant", path: field, message: `expected ${expected}, got ${JSON.stringify(value)}`, value }]);
  if (v.pue !== undefined && !(v.pue >= 1)) throw bad("pue", v.pue, "a PUE >= 1");
  if (v.pue !== undefined && v.pue > MAX_PUE) throw bad("pue", v.pue, `a PUE <= ${MAX_PUE} (over three times the surveyed average; see core/limits.ts)`);
  if (v.nodes_scale !== undefined && !(v.nodes_scale > 0)) throw bad("nodes_scale", v.nodes_scale, "a factor > 0");
  if (v.lifetime_years !== undefined && !(v.lifetime_years > 0 && v.lifetime_years <= MAX_LIFETIME_YEARS)) throw bad("lifetime_years", v.lifetime_years, `years > 0 and <= ${MAX_LIFETIME_YEARS}`);
  if (v.nodes_scale !== undefined) {
    const scaled = spec.sites.reduce((n, site) => n + site.nodes.reduce((m, g) => m + Math.max(1, Math.round(g.count * v.nodes_scale!)), 0), 0);
    if (scaled > MAX_NODES) throw bad("nodes_scale", v.nodes_scale, `a factor giving at most ${MAX_NODES.toLocaleString("en-US")} nodes (the simulator's limit; it gives ${describeNodes(scaled)})`);
  }
  if (v.zone !== undefined && !/^[A-Z]{3}$/.test(v.zone)) throw bad("zone", v.zone, "a 3-letter zone code");
  const variant = "sweep variant (an assumption of the study, not data)";
  return {
    ...spec,
    node_types: Object.fromEntries(
      Object.entries(spec.node_types).map(([name, t]) => [
        name,
        v.lifetime_years === undefined ? t : { ...t, embodied: { ...t.embodied, lifetime_years: v.lifetime_years, lifetime_source: variant } },
      ]),
    ),
    sites: spec.sites.map((site) => ({
      ...site,
      ...(v.pue !== undefined ? { pue: v.pue, pue_source: variant } : {}),
      ...(v.zone !== undefined ? { grid: { zone: v.zone } } : {}),
      nodes: v.nodes_scale === undefined ? site.nodes : site.nodes.map((g) => ({ ...g, count: Math.max(1, Math.round(g.count * v.nodes_scale!)) })),
    })),
  };
}

/**
 * Runs a scenario with optional overrides.
 * @throws InputError on bad input files; SimulationError if the run fails
 */
export async function runScenario(opts: RunOptions = {}): Promise<RunOutput> {
  const scenarioPath = opts.scenario ?? DEFAULT_SCENARIO;
  const scenario: ScenarioSpec = await loadScenario(scenarioPath);
  const o = opts.overrides ?? {};
  const { policy, module: policyModule } = await choosePolicy(scenario, scenarioPath, { policy: opts.policy, name: o.policy, module: o.policyModule, params: o.policyParams });
  if (o.seed !== undefined && !Number.isSafeInteger(o.seed)) throw new InputError([{ code: "invalid_value", file: "--seed", message: `expected a whole number, got ${o.seed}`, value: o.seed }]);
  const seed = o.seed ?? scenario.seed;
  const mode = o.mode ?? scenario.workload.mode;
  const workload = o.workload ? resolve(o.workload) : resolve(resolveFrom(scenarioPath, scenario.workload.file));
  const outDir = resolve(o.out ?? resolveFrom(scenarioPath, scenario.output.dir));
  // Adjustments are kept apart by input, so the summary says which file they came from.
  const log = new AdjustmentLog();
  const seriesLog = new AdjustmentLog();
  const inputs: string[] = [resolve(scenarioPath), workload, ELECTRICITY_FACTORS, DEFAULT_SCORE_METHOD_PATH];
  if (policyModule !== undefined) inputs.push(policyModule);

  if (o.procs !== undefined) checkProcs(o.procs, { file: "--procs" });
  const swf = await openSwf(workload, { mode, log, label: o.workload ?? scenario.workload.file, maxProcs: o.procs });
  let platformSpec: PlatformSpec;
  let platformFile: string;
  let t0Epoch = Date.parse(scenario.workload.start) / 1000;
  let extension: Extension = o.seriesExtension ?? scenario.series_extension ?? "error";
  if (o.platform || !o.workload) {
    platformFile = resolve(o.platform ?? resolveFrom(scenarioPath, scenario.platform));
    platformSpec = await loadPlatform(platformFile);
  } else {
    // A bare trace: a homogeneous machine of its MaxProcs (or --procs) one-core nodes.
    const procs = o.procs ?? swf.header.maxProcs ?? swf.header.maxNodes;
    if (!procs) throw new InputError([{ code: "missing_field", file: o.workload, path: "MaxProcs", message: "expected a MaxProcs or MaxNodes header line, or --procs N, got neither" }]);
    checkProcs(procs, { file: o.workload, path: swf.header.maxProcs !== undefined ? "MaxProcs" : "MaxNodes" });
    platformFile = DEFAULT_NODE_TYPE;
    const reference = await loadPlatform(root("platforms/two-site-eu.json"));
    const nodeType = await loadNodeType(DEFAULT_NODE_TYPE, reference.lca_references);
    platformSpec = platformForProcs(procs, nodeType, DEFAULT_ZONE, { references: reference.lca_references });
    if (swf.header.unixStartTime !== undefined) t0Epoch = swf.header.unixStartTime;
    extension = o.seriesExtension ?? "hold";
  }
  if (o.platformVariant) platformSpec = applyPlatformVariant(platformSpec, o.platformVariant);
  inputs.push(platformFile);
  const forecastError = o.forecast ?? scenario.forecast ?? { bias: 0, sigma: 0 };
  const world = await buildWorld(platformSpec, { file: platformFile, t0Epoch, extension, log: seriesLog, forecastError, seed, scoreVersion: scenario.score_method === "ef3.0" ? "3.0" : "3.1", embodiedRule: scenario.attribution?.embodied_after_life });
  inputs.push(...world.files.filter((f) => !inputs.includes(f)));
  const { platform, method, forecasts } = world;
  const workflows = await loadWorkflows(scenario, scenarioPath, platform, inputs, seriesLog);
  if (coveredUntil(platform) < Infinity || coveredFrom(platform) > 0) {
    // Refuse now, not after simulating, a run the grid series cannot cover.
    const span = await traceSpan(workload, { mode, label: o.workload ?? scenario.workload.file, maxProcs: o.procs }, o.workloadScale);
    checkRunCovered(platform, Math.max(span.lastEnd, ...workflows.map((w) => w.submit)));
  }

  prepareOutputDir(outDir, o.out !== undefined ? "--out" : `${scenarioPath}: output.dir`);
  const outputs = new RunOutputs(outDir);
  const writeCsv = !o.summaryOnly && scenario.output.jobs_csv !== false;
  const writeSeries = !o.summaryOnly && scenario.output.timeseries_csv !== false;
  const threadAfter = opts.outputThread === true ? OUTPUT_THREAD_AFTER : opts.outputThread === false ? undefined : opts.outputThread;
  /** A long file's CSV writer: formatted on the run's output thread past `after` rows (or once the thread runs) when outputThread says so. */
  const longCsv = async (name: string, header: readonly string[], after: number): Promise<CsvRows> =>
    threadAfter === undefined ? outputs.csv(name, header) : outputs.threadedCsv(name, header, opts.outputThread === true ? after : threadAfter);
  let jobsCsv: CsvRows | undefined;
  const totals = new Float64Array(N_COORDS);
  const jobCells = new Float64Array(JOB_NUMBERS);
  if (writeCsv) jobsCsv = await longCsv("jobs.csv", jobColumns(), OUTPUT_THREAD_AFTER);
  const impactTable = o.impactTable ? await outputs.arrow("impacts.arrow", impactColumns()) : undefined;
  const impactRow = new Float64Array(3 + PHASES.length * N_COORDS);
  // Runs of suspended jobs are summed into the job's one row, written at its last run.
  const earlierRuns = new Map<number, { impacts: Float64Array; itJ: number; facilityJ: number }>();
  let predictionsCsv: CsvWriter | undefined;
  let predictions: PredictionLog | undefined;
  if (o.predict) {
    if (!o.summaryOnly) predictionsCsv = outputs.csv("predictions.csv", PREDICTION_COLUMNS);
    predictions = new PredictionLog(predictionsCsv);
  }
  const accountant = new Accountant(platform, (jobsCsv || predictions || impactTable) && ((c) => {
    const id = c.fact.job.id;
    const before = earlierRuns.size > 0 ? earlierRuns.get(id) : undefined;
    if (!c.fact.final) {
      if (before) {
        for (let i = 0; i < before.impacts.length; i++) before.impacts[i] += c.impacts[i];
        before.itJ += c.itJ;
        before.facilityJ += c.facilityJ;
      } else earlierRuns.set(id, { impacts: Float64Array.from(c.impacts), itJ: c.itJ, facilityJ: c.facilityJ });
      return;
    }
    let charge = c;
    if (before) {
      earlierRuns.delete(id);
      for (let i = 0; i < before.impacts.length; i++) before.impacts[i] += c.impacts[i];
      charge = { fact: c.fact, impacts: before.impacts, itJ: before.itJ + c.itJ, facilityJ: before.facilityJ + c.facilityJ };
    }
    const pool = platform.pools[c.fact.pool];
    if (jobsCsv) writeJobRow(jobsCsv, charge, platform.sites[c.fact.site].id, pool.nodeType, method, totals, jobCells);
    predictions?.measure(charge, platform.sites[c.fact.site].id);
    if (impactTable) {
      impactRow[0] = c.fact.job.id;
      impactRow[1] = charge.itJ;
      impactRow[2] = charge.facilityJ;
      impactRow.set(charge.impacts, 3);
      impactTable.row(impactRow);
    }
  }));
  const metrics = MetricsCollector.forPlatform(platform);
  // Scheduling metrics per QoS class as well.
  const qosMetrics = new Map<string, MetricsCollector>();
  /** Per QoS class: jobs that started later than their allowed delay (capacity, or a policy's fault), reported. */
  const lateStarts = new Map<string, number>();
  const perQos = {
    jobEnded(f: JobFact) {
      const q = f.job.qos;
      if (!q) return;
      let m = qosMetrics.get(q.name);
      if (!m) qosMetrics.set(q.name, (m = MetricsCollector.forPlatform(platform)));
      m.jobEnded(f);
      if (f.final && f.firstStart > f.job.submit + q.max_delay_s) lateStarts.set(q.name, (lateStarts.get(q.name) ?? 0) + 1);
    },
  };
  const observers: SimObserver[] = [accountant, metrics, perQos];
  if (writeSeries) {
    const writer = await longCsv("sites.csv", SITE_SERIES_COLUMNS, SERIES_THREAD_AFTER);
    const numbers = SITE_SERIES_COLUMNS.length - 1;
    observers.push(SiteSeries.cells(platform, 3600, (site, cells) => writer.text(site).numbers(cells, 0, numbers).end()));
  }
  // Node timelines: nodes.csv, and the packing figures of the summary either way.
  const nodesCsv = !o.summaryOnly && scenario.output.nodes_csv !== false ? await longCsv("nodes.csv", NODE_COLUMNS, SERIES_THREAD_AFTER) : undefined;
  const timeline = new NodeTimeline(platform, nodesCsv && ((cells) => nodesCsv.row(cells)));
  observers.push(timeline);
  const dropped = new Map<string, number>();
  observers.push({ jobDropped: (_j, reason) => dropped.set(reason, (dropped.get(reason) ?? 0) + 1) });

  let workflowsCsv: CsvWriter | undefined;
  if (workflows.length > 0 && writeCsv) {
    workflowsCsv = outputs.csv("workflows.csv", WORKFLOW_COLUMNS);
  }
  const workflowRows: WorkflowFact[] = [];
  observers.push({ workflowEnded: (f) => workflowRows.push(f) });

  // Explained decisions, written only when a policy gives reasons, and not in a run that writes only its
  // summary: there the view tells policies so (ClusterView.explain), and those that build long reasons skip them.
  let decisionsLog: JsonLinesWriter | undefined;
  const explain = !o.summaryOnly;
  if (explain) {
    observers.push({
      decided: (time, d) => {
        (decisionsLog ??= outputs.jsonLines("decisions.jsonl")).write({ time, ...d });
      },
    });
  }
  // The pieces each job with a QoS class ran in, and why any ended past its window (pieces.csv, written
  // only when such a job ran: runs without QoS classes keep their files).
  let piecesCsv: CsvWriter | undefined;
  if (writeCsv) observers.push(new PiecesLog((cells) => (piecesCsv ??= outputs.csv("pieces.csv", PIECE_COLUMNS)).row(cells)));
  const assignQos = qosAssigner(scenario, seed);
  const exclusive = o.exclusive ?? scenario.workload.exclusive ?? false;
  const cpuUsage = o.cpuUsage ?? scenario.workload.cpu_usage ?? "trace";
  const staticSplit = o.staticSplit ?? scenario.attribution?.static_split ?? "allocated";
  const scoring = predictions;
  try {
    const result = await simulate({
      platform,
      policy: scoring ? withPredictions(policy, (p) => scoring.record(p), { history: () => scoring.history }) : policy,
      jobs: jobStream(swf.batches(4096), { assignQos, scale: o.workloadScale, exclusive, cpuUsage, log, label: o.workload ?? scenario.workload.file }),
      staticRule: staticSplit,
      scoreMethod: method,
      forecasts,
      observer: combineObservers(...observers),
      mode,
      label: o.workload ?? scenario.workload.file,
      onProgress: opts.onProgress,
      workflows,
      explain,
    });
    if (result.jobsSubmitted === 0) throw noJobs(o.workload ?? resolveFrom(scenarioPath, scenario.workload.file), log, dropped);
    for (const issue of extensionIssues(platform, 0, result.end)) seriesLog.record(issue);
    const workflowSummaries = workflowRows.map((f) => workflowSummary(f, accountant, platform, method));
    if (workflowsCsv) for (const w of workflowSummaries) workflowsCsv.row(workflowRow(w));
    const summary = buildSummary({
      scenario: scenario.name,
      platform,
      result,
      metrics: metrics.result(),
      accountant,
      method,
      adjustments: { workload: log, series: seriesLog },
      dropped,
      provenance: { ...provenance(seed, policy, inputs, forecastError), allocation: { trace_exclusive: exclusive, static_split: staticSplit, cpu_usage: cpuUsage, embodied_after_life: scenario.attribution?.embodied_after_life ?? DEFAULT_EMBODIED_RULE }, node_types: world.nodeTypes, ...(o.platformVariant || o.workloadScale !== undefined ? { variant: { platform: o.platformVariant ?? {}, workload_scale: o.workloadScale ?? 1 } } : {}) },
      workflows: workflowSummaries,
      qosMetrics: new Map([...qosMetrics.entries()].map(([k, m]) => [k, m.result()])),
      lateStarts,
      decisionsExplained: decisionsLog?.lines ?? 0,
      packing: timeline.packing(),
      staticSplit,
    });
    if (predictions) summary.predictions = predictions.summary();
    const { paths, runId, outputs: written } = outputs.commit(summary as unknown as Record<string, unknown>);
    return { summary: { run_id: runId, ...summary, outputs: written }, outDir, files: paths, result };
  } catch (err) {
    outputs.abort();
    throw err;
  }
}
