/**
 * Pre-submission estimates wired end to end (SPECTRUM D6.1 rec. 4 and 7): a
 * Slurm-like request or a WfFormat workflow, a scenario's world (platform,
 * grid series, forecasts), and the planner's estimate() or estimateWorkflow()
 * run on the view a policy would see at the submission time: the simulator's
 * (idle, or loaded with the scenario's own workload replayed up to then; see
 * estimateView.ts) or a live cluster's (live/). Calibration, pool filters,
 * candidate starts and the suggested sbatch options are decided here.
 */
import { resolve } from "node:path";
import { AdjustmentLog, formatIssue, InputError } from "../core/index.js";
import { coveredUntil, EXTEND_HINT, extensionIssues, isoAt, shortSeriesText } from "../models/index.js";
import type { Extension } from "../core/index.js";
import { loadPlatform } from "../io/index.js";
import { loadProfile, profileSamples } from "../io/index.js";
import { loadScenario, resolveFrom } from "../io/index.js";
import { formatSlurmOptions, formatSlurmTime, requestedCores, type SlurmRequest, type SourcedField } from "../io/index.js";
import type { DeviceClass, JobSpec, QosSpec, ScenarioSpec } from "../io/index.js";
import { openSwf } from "../io/index.js";
import { readWorkflow } from "../io/index.js";
import type { ForecastError } from "../models/index.js";
import {
  calibrateFromHistory,
  calibrateFromSamples,
  calibrateFromUser,
  calibrateFromWalltime,
  estimate,
  estimateWorkflow,
  runtimeRatios,
  type Estimate,
  type EstimateOptions,
  type PastJob,
  type PoolView,
  type RuntimeCalibration,
  cannotHold,
  platformPoolFigures,
  poolView,
  queuedJobView,
  type WorkflowEstimate,
} from "../planner/index.js";
import { PROBE_ID, simulatedSource, type EstimateWorld, type Seen, type ViewSource } from "./estimateView.js";
import { DEFAULT_SCENARIO } from "./runScenario.js";
import { acceleratedModels } from "./workflows.js";
import { buildWorld } from "./world.js";

export { simulatedSource, type EstimateWorld, type Seen, type ViewSource };

export interface EstimateInputs {
  /** Scenario giving the platform, grid series and forecasts (default: the bundled default). */
  readonly scenario?: string;
  /** Platform file replacing the scenario's. */
  readonly platform?: string;
  /** Submission time: ISO 8601 with offset, or seconds from the scenario's start (default 0, its start). */
  readonly at?: string | number;
  /** Where `at` was given, named by errors about it (default the --at option; a cluster snapshot's time field, say). */
  readonly atSource?: Where;
  /** Replay the scenario's workload up to `at` (under its policy) so the platform is loaded as it would be. */
  readonly loaded?: boolean;
  /** Where the view comes from (default: the simulator, idle or loaded as `loaded` says). */
  readonly source?: ViewSource;
  /** Forecast error replacing the scenario's. */
  readonly forecast?: ForecastError;
  /** What grid series do past their rows, replacing the scenario's series_extension (models/coverage.ts, as for runs). */
  readonly seriesExtension?: Extension;
  /** 0 = time only .. 1 = impact only (default 0.5). */
  readonly preference?: number;
  /** Candidate starts: every `step_s` over `window_s` from `at` (default 24 h by 1 h; window 0: only `at`). */
  readonly window_s?: number;
  readonly step_s?: number;
}

export interface JobInputs extends EstimateInputs {
  readonly request: SlurmRequest;
  /** Expected run time, s, on a node of the platform's reference speed; with an optional [low, high] range. */
  readonly runtime_s?: number;
  readonly runtimeRange_s?: readonly [number, number];
  /** A measured runtime profile (JSON, io/profile.ts). */
  readonly profile?: string;
  /** A trace (SWF) of past jobs to calibrate from, and the user id in it. */
  readonly history?: string;
  readonly user?: number;
  /** Share of its cores' time the job keeps busy, (0, 1] (default 1): its cores are drawn and charged at this load. */
  readonly cpuUsage?: number;
}

export interface WorkflowInputs extends EstimateInputs {
  readonly workflow: string;
  /** Site id holding its input files (default: the first site). */
  readonly site?: string;
  /** Run-time spread around the recorded task times, [low, high] factors (default none). */
  readonly spread?: readonly [number, number];
}

export interface EstimateContext {
  readonly scenario: string;
  readonly platform: string;
  /** Submission time, s of simulation time and as ISO 8601 (UTC). */
  readonly at_s: number;
  readonly at_iso: string;
  readonly mode: "idle" | "loaded" | "live";
  /** Jobs running and queued at `at` (loaded and live modes). */
  readonly running: number;
  readonly queued: number;
  readonly forecast: { readonly bias: number; readonly sigma: number; readonly note: string };
  readonly preference: number;
  /** Each site's PUE (facility / IT power), so IT draws can be shown on the facility side as energies are. */
  readonly site_pue: Readonly<Record<string, number>>;
  readonly notes: readonly string[];
}

export interface JobEstimateReport {
  readonly context: EstimateContext;
  readonly request: { readonly cores: number; readonly nodes?: number; readonly gpus: number; readonly walltime_s: number | null; readonly mem_mb?: number; readonly partition?: string };
  readonly calibration: RuntimeCalibration & { readonly others?: string };
  readonly estimates: readonly Estimate[];
  /** sbatch options for the best estimate, and why. */
  readonly suggestion: { readonly options: readonly string[]; readonly why: string } | null;
  /** Node type of each pool index, for display. */
  readonly nodeTypes: readonly string[];
}

export interface WorkflowEstimateReport {
  readonly context: EstimateContext;
  readonly workflow: { readonly name: string; readonly file: string; readonly tasks: number; readonly site: string };
  readonly estimates: readonly WorkflowEstimate[];
}


/** Where a value came from, as an issue names it: a file (or "command line"), its line, the option or field. */
export interface Where {
  readonly file: string;
  readonly line?: number;
  readonly path?: string;
}

/** An option given on the command line (or its field in the library's inputs). */
const option = (name: string): Where => ({ file: "command line", path: name });

/** Where the request's field was set (a script line or the command line), else the command line's option. */
function whereIn(req: SlurmRequest, field: SourcedField, fallback: string): Where {
  const w = req.where?.[field];
  return w ? { file: w.file, ...(w.line === undefined ? {} : { line: w.line }), path: w.option } : option(fallback);
}

/** "--nodes (job.sh:2), --ntasks (command line)": the given fields and where each was set. */
function givenAt(req: SlurmRequest, fields: readonly SourcedField[]): string {
  return fields
    .flatMap((f) => {
      const w = req.where?.[f];
      return w ? [`${w.option} (${w.line === undefined ? w.file : `${w.file}:${w.line}`})`] : [];
    })
    .join(", ");
}

function bad(where: Where, message: string, value?: unknown): InputError {
  return new InputError([{ code: "invalid_value", file: where.file, ...(where.line === undefined ? {} : { line: where.line }), ...(where.path === undefined ? {} : { path: where.path }), message, value }]);
}

async function loadWorldFor(inputs: EstimateInputs): Promise<EstimateWorld> {
  const scenarioPath = resolve(inputs.scenario ?? DEFAULT_SCENARIO);
  const scenario = await loadScenario(scenarioPath);
  const platformFile = resolve(inputs.platform ?? resolveFrom(scenarioPath, scenario.platform));
  const platformSpec = await loadPlatform(platformFile);
  const t0Epoch = Date.parse(scenario.workload.start) / 1000;
  const extension: Extension = inputs.seriesExtension ?? scenario.series_extension ?? "error";
  const forecast = inputs.forecast ?? scenario.forecast ?? { bias: 0, sigma: 0 };
  const world = await buildWorld(platformSpec, { file: platformFile, t0Epoch, extension, log: new AdjustmentLog(), forecastError: forecast, seed: scenario.seed, embodiedRule: scenario.attribution?.embodied_after_life });
  return { scenario, scenarioPath, platformSpec, world, t0Epoch, forecast };
}

/** Seconds of simulation time for `at` (ISO 8601 with offset, or seconds); `where` names its source in errors. */
export function resolveAt(at: string | number | undefined, t0Epoch: number, where: Where = option("--at")): number {
  if (at === undefined) return 0;
  let t: number;
  if (typeof at === "number" || /^-?\d+(\.\d+)?$/.test(at)) t = Number(at);
  else {
    const ms = Date.parse(at);
    if (!/([zZ]|[+-]\d\d:?\d\d)$/.test(at) || Number.isNaN(ms)) throw bad(where, `expected an ISO 8601 time with an offset (e.g. 2020-03-02T09:00:00+01:00) or seconds from the scenario's start, got "${at}"`, at);
    t = ms / 1000 - t0Epoch;
  }
  if (!(t >= 0 && Number.isFinite(t))) throw bad(where, `expected a time at or after the scenario's start (${new Date(t0Epoch * 1000).toISOString()}), got ${JSON.stringify(at)}`, at);
  return t;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800 };

/**
 * Seconds after `at` of a Slurm --begin value: now[+count[units]] (seconds by
 * default; units singular or plural), or YYYY-MM-DD[THH:MM[:SS]] with an
 * optional offset. sbatch reads a time without an offset in the cluster's
 * local time, which a simulated platform does not have: it is read as UTC,
 * as the estimate's times are printed. `where` names its source in errors.
 */
export function resolveBegin(begin: string, at: number, t0Epoch: number, where: Where = option("--begin")): number {
  const rel = /^now(?:\+(\d+)(?:(second|minute|hour|day|week)s?)?)?$/.exec(begin);
  if (rel) return Number(rel[1] ?? 0) * UNIT_SECONDS[rel[2] ?? "second"];
  const abs = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(?::\d{2})?)?([zZ]|[+-]\d\d:?\d\d)?$/.exec(begin);
  if (abs) {
    const t = Date.parse(`${abs[1]}${abs[2] ?? "T00:00:00"}${abs[3] ?? "Z"}`) / 1000 - t0Epoch;
    if (Number.isFinite(t)) return Math.max(0, t - at);
  }
  throw bad(where, `expected now[+count[seconds|minutes|hours|days|weeks]] or YYYY-MM-DD[THH:MM[:SS]] (UTC unless an offset is given), got "${begin}"`, begin);
}

/** The candidate starts, s of simulation time. */
function candidateStarts(at: number, inputs: EstimateInputs, earliest = 0): number[] {
  const window = inputs.window_s ?? 86400;
  const step = inputs.step_s ?? 3600;
  if (!(window >= 0)) throw bad(option("--window"), `expected a duration >= 0, got ${window}`, window);
  if (!(step > 0)) throw bad(option("--step"), `expected a duration > 0, got ${step}`, step);
  const out: number[] = [];
  for (let t = earliest; t <= earliest + window + 1e-9; t += step) out.push(at + t);
  return out;
}


function sourceOf(inputs: EstimateInputs): ViewSource {
  return inputs.source ?? simulatedSource(inputs.loaded ?? false);
}

function contextOf(l: EstimateWorld, inputs: EstimateInputs, at: number, seen: { running: number; queued: number }, notes: string[]): EstimateContext {
  const f = l.forecast;
  return {
    scenario: l.scenario.name,
    platform: l.world.platform.name,
    at_s: at,
    at_iso: new Date((l.t0Epoch + at) * 1000).toISOString(),
    mode: sourceOf(inputs).mode,
    running: seen.running,
    queued: seen.queued,
    forecast: {
      bias: f.bias,
      sigma: f.sigma,
      note:
        f.sigma === 0 && f.bias === 0
          ? "the grid series is used as its own forecast (no forecast error assumed; give --forecast-sigma for one)"
          : `forecasts with relative bias ${f.bias} and noise ${f.sigma} per series segment; ranges widen by the noise`,
    },
    preference: inputs.preference ?? 0.5,
    site_pue: Object.fromEntries(l.world.platform.sites.map((s) => [s.id, s.pue])),
    notes,
  };
}

/** Reads the history trace into past jobs, with what the reader skipped ("3 wrong_field_count, ..."; empty when nothing). */
async function readHistory(path: string): Promise<{ jobs: PastJob[]; skipped: string }> {
  const log = new AdjustmentLog();
  const swf = await openSwf(path, { mode: "lenient", log, label: path });
  const jobs: PastJob[] = [];
  for await (const batch of swf.batches(8192)) for (const j of batch) jobs.push({ user: j.user, cores: j.cores, runtime: j.runtime, walltime: j.walltime });
  return { jobs, skipped: Object.entries(log.toJSON()).map(([code, n]) => `${n} ${code}`).join(", ") };
}

/** Which calibration the run time comes from: the user's figure, a profile, the history, or the walltime. */
async function calibrate(inputs: JobInputs, cores: number, device: DeviceClass, notes: string[]): Promise<{ cal: RuntimeCalibration; others?: { low: number; mid: number; high: number; n: number } }> {
  const wall = inputs.request.timeS;
  let history: PastJob[] | undefined;
  let skipped = "";
  if (inputs.history) ({ jobs: history, skipped } = await readHistory(resolve(inputs.history)));
  const others = history ? runtimeRatios(history) : undefined;
  if (inputs.runtime_s !== undefined) {
    const r = inputs.runtime_s;
    if (!(r > 0 && Number.isFinite(r))) throw bad(option("--runtime"), `expected a run time > 0, got ${r}`, r);
    const range = inputs.runtimeRange_s;
    if (range && !(range[0] > 0 && range[0] <= r && range[1] >= r)) throw bad(option("--runtime-range"), `expected low <= ${r} <= high, got ${range.join(",")}`, range);
    return { cal: calibrateFromUser(r, range ? { low: range[0], high: range[1] } : undefined), others };
  }
  if (inputs.profile) {
    const profile = await loadProfile(resolve(inputs.profile));
    const samples = profileSamples(profile, device);
    if (samples.length === 0) throw bad({ file: profile.file, path: "runs" }, `expected runs on ${device} (the device the request asks for), got runs on ${[...new Set(profile.runs.map((r) => r.device))].join(", ")}`);
    const cal = calibrateFromSamples(samples, `profile ${profile.file} (${profile.source})`);
    if (profile.runs.some((r) => r.device === device && r.cores !== undefined && r.cores !== cores)) notes.push(`the profile's ${device} runs used other core counts than the ${cores} requested; their run times are taken as they are`);
    return { cal, others };
  }
  if (history) {
    const cal = calibrateFromHistory(history, { user: inputs.user, cores, walltime: wall });
    if (cal) return { cal, others };
    notes.push(`the history ${inputs.history} has no usable job (${history.length} job records read${skipped ? `; lines skipped: ${skipped}` : ""}); the walltime is used`);
  }
  if (wall === undefined) {
    const script = inputs.request.script;
    // A script that gave no --time is where the walltime was expected: name it, and say whether it had any directive.
    if (script) {
      const had = script.directives === 0 ? "it has no #SBATCH line before its first command" : `none of its ${script.directives} #SBATCH line(s) sets --time`;
      throw bad({ file: script.file, path: "--time" }, `expected #SBATCH --time (the walltime) in the script, or --time, --runtime, --profile or --history on the command line, to tell the run time; got none (${had})`);
    }
    throw bad(option("--time"), "expected --time (the walltime), --runtime, --profile or --history to tell the run time, got none");
  }
  return { cal: calibrateFromWalltime(wall), others };
}

/** The scenario's QoS class named by --qos (none without one). */
function qosClass(scenario: ScenarioSpec, req: SlurmRequest): QosSpec | undefined {
  const name = req.qos;
  if (name === undefined) return undefined;
  const classes = scenario.qos?.classes ?? [];
  const q = classes.find((c) => c.name === name);
  if (!q) {
    throw new InputError([{ code: "unknown_reference", ...whereIn(req, "qos", "--qos"), message: classes.length ? `expected a QoS class of scenario ${scenario.name} (${classes.map((c) => c.name).join(", ")}), got "${name}"` : `expected no --qos: scenario ${scenario.name} has no QoS classes, got "${name}"`, value: name }]);
  }
  return q;
}

/**
 * Pools allowed by the request: its partition (a site or node type), and those
 * that can hold the job as asked (planner/resources cannotHold: its node
 * count, devices, memory and exclusivity); each pool left out is noted with why.
 */
function poolFilter(request: SlurmRequest, l: EstimateWorld, spec: JobSpec, notes: string[]): (pool: PoolView) => boolean {
  const platform = l.platformSpec;
  const part = request.partition;
  const siteIds = platform.sites.map((s) => s.id);
  const types = Object.keys(platform.node_types);
  if (part !== undefined && !siteIds.includes(part) && !types.includes(part)) {
    throw new InputError([{ code: "unknown_reference", ...whereIn(request, "partition", "--partition"), message: `expected a site (${siteIds.join(", ")}) or node type (${types.join(", ")}), got "${part}"`, value: part }]);
  }
  const job = queuedJobView(spec, { wallUsed: 0, ranSeconds: 0 });
  const device: DeviceClass = spec.gpus ? "gpu" : "cpu";
  const excluded = new Set<number>();
  platformPoolFigures(l.world.platform).forEach((figures, p) => {
    if (part !== undefined && figures.site !== part && figures.nodeType !== part) return excluded.add(p);
    const fault = cannotHold(job, poolView(figures, 0, 0, 0), device);
    if (fault === undefined) return;
    notes.push(`${figures.nodeType} at ${figures.site} left out: ${fault.why}`);
    excluded.add(p);
  });
  return (pool) => !excluded.has(pool.index);
}

/**
 * How the request shares nodes, as Slurm reads it: --exclusive, or --mem=0 (all
 * of each node's memory), holds whole nodes; -N spreads its cores over exactly
 * that many nodes; --mem and --mem-per-cpu bound what fits on a node.
 */
function shareOf(req: SlurmRequest, notes: string[]): Pick<JobSpec, "exclusive" | "exactNodes" | "memPerNodeMb" | "memPerCoreMb"> {
  const allMemory = req.memMb === 0;
  if (allMemory && !req.exclusive) notes.push(`${givenAt(req, ["mem"]) || "--mem"}: --mem=0 asks for all of each node's memory: the job holds its nodes whole`);
  return {
    ...(req.exclusive || allMemory ? { exclusive: true } : {}),
    ...(req.nodes !== undefined ? { exactNodes: req.nodes } : {}),
    ...(req.memMb !== undefined && req.memMb > 0 ? { memPerNodeMb: req.memMb } : {}),
    ...(req.memPerCpuMb !== undefined ? { memPerCoreMb: req.memPerCpuMb } : {}),
  };
}

/**
 * Estimates of a Slurm-like job request.
 * @throws InputError naming the option, file or field at fault
 */
export async function estimateJobRequest(inputs: JobInputs): Promise<JobEstimateReport> {
  const l = await loadWorldFor(inputs);
  const req = inputs.request;
  const notes: string[] = [...req.notes];
  for (const i of req.ignored) notes.push(`${i.option} (${i.where}) has no effect on an estimate`);
  const cores = requestedCores(req);
  const gpus = req.gpus ?? 0;
  const device: DeviceClass = gpus > 0 ? "gpu" : "cpu";
  const { cal, others } = await calibrate(inputs, cores, device, notes);
  const atWhere = inputs.atSource ?? option("--at");
  const at = resolveAt(inputs.at, l.t0Epoch, atWhere);
  const qos = qosClass(l.scenario, req);
  if (qos) notes.push(`QoS class ${qos.name}: preference ${qos.impact_preference}${inputs.window_s === undefined ? `, starts over its allowed delay (${formatSlurmTime(qos.max_delay_s)})` : ""}`);
  const mid = cal.runtime.mid;
  const walltime = req.timeS ?? Infinity;
  if (mid > walltime) notes.push(`the expected run time (${formatSlurmTime(mid)}) exceeds --time (${formatSlurmTime(walltime)}): the job would be killed at its walltime`);
  const spec: JobSpec = {
    id: PROBE_ID,
    submit: at,
    runtime: Math.min(mid, walltime),
    walltime,
    cores,
    user: inputs.user ?? -1,
    group: -1,
    project: req.account ?? "estimate",
    queue: -1,
    partition: -1,
    avgCpuTime: -1,
    runtimes: { [device]: mid },
    ...(gpus > 0 ? { gpus } : {}),
    ...(qos ? { qos } : {}),
    ...shareOf(req, notes),
    ...(inputs.cpuUsage !== undefined ? { cpuUsage: inputs.cpuUsage } : {}),
  };
  const allowPool = poolFilter(req, l, spec, notes);
  const begin = req.begin === undefined ? 0 : resolveBegin(req.begin, at, l.t0Epoch, whereIn(req, "begin", "--begin"));
  const preference = inputs.preference ?? qos?.impact_preference ?? 0.5;
  // Starts whose longest run would outlast the grid series are left out, and said so (the rule of runs: models/coverage.ts).
  const platform = l.world.platform;
  const end = coveredUntil(platform);
  const slowest = Math.min(...platform.pools.map((p) => p.speed));
  const longest = Math.min(walltime, device === "cpu" ? cal.runtime.high / slowest : cal.runtime.high);
  const all = candidateStarts(at, { ...inputs, window_s: inputs.window_s ?? qos?.max_delay_s }, begin);
  const starts = all.filter((t) => t + longest <= end);
  if (starts.length === 0) {
    // Named at the submission time (what the user chose), with the series and their spans as a run names them.
    throw bad(atWhere, `expected a submission the grid series cover: a run of up to ${formatSlurmTime(longest)} from ${isoAt(platform, all[0])} needs them to ${isoAt(platform, all[0] + longest)}, but ${shortSeriesText(platform, all[0], all[0] + longest)}; ${EXTEND_HINT}`, inputs.at);
  }
  if (starts.length < all.length) notes.push(`${all.length - starts.length} later start(s) left out: the grid series end at ${isoAt(platform, end)}`);
  for (const issue of extensionIssues(platform, 0, starts[starts.length - 1] + longest)) notes.push(formatIssue(issue));
  const options: EstimateOptions = {
    starts,
    preference,
    runtimeSpread: { low: cal.runtime.low / mid, high: cal.runtime.high / mid },
    othersRatio: others ? { low: others.low, mid: others.mid, high: 1 } : undefined,
    allowPool,
  };
  const none = () => {
    const why = notes.filter((n) => n.includes(" left out: "));
    // Named at the option that sets the job's size (a script line or the command line), with the others that shaped it.
    const SIZE: readonly SourcedField[] = ["nodes", "ntasks", "ntasksPerNode", "cpusPerTask", "gpus", "mem", "partition"];
    const first = SIZE.find((f) => req.where?.[f] !== undefined);
    const asked = SIZE.filter((f) => req.where?.[f] !== undefined).length > 1 ? givenAt(req, SIZE) : "";
    return new InputError([
      {
        code: "invalid_value",
        ...(first ? whereIn(req, first, "--ntasks") : { file: req.script?.file ?? "command line" }),
        message: `expected a pool that can hold ${cores} cores${gpus > 0 ? ` and ${gpus} GPUs` : ""}${req.nodes ? ` on ${req.nodes} nodes` : ""}${req.partition ? ` in partition ${req.partition}` : ""}${req.memMb || req.memPerCpuMb ? " with the memory asked" : ""}, got none${why.length ? ` (${why.join("; ")})` : ""}${asked ? `; asked by ${asked}` : ""}`,
      },
    ]);
  };
  // A loaded replay that runs past the series is refused by the simulator with the same rule.
  const seen: Seen<Estimate[]> | undefined = await sourceOf(inputs).see(l, at, spec, notes, (view, job) => estimate(job, view, options));
  if (!seen || seen.value.length === 0) throw none();
  const estimates = seen.value;
  return {
    context: contextOf(l, { ...inputs, preference }, at, seen, notes),
    request: { cores, nodes: req.nodes, gpus, walltime_s: Number.isFinite(walltime) ? walltime : null, mem_mb: req.memMb, partition: req.partition },
    calibration: { ...cal, ...(others ? { others: `other jobs' run/requested time from ${inputs.history}: p10 ${others.low.toFixed(2)}, median ${others.mid.toFixed(2)} of ${others.n} jobs` } : {}) },
    estimates,
    suggestion: suggest(estimates[0], estimates, req, l, at),
    nodeTypes: l.world.platform.pools.map((p) => p.nodeType),
  };
}

/** sbatch options for the best estimate: where (partition = site, constraint = node type when the site has several) and when (--begin when it waits on purpose). */
function suggest(best: Estimate, all: readonly Estimate[], req: SlurmRequest, l: EstimateWorld, at: number): JobEstimateReport["suggestion"] {
  const pools = l.world.platform.pools;
  const pool = pools[best.pool];
  const site = l.world.platform.sites[pool.site].id;
  const typesAtSite = new Set(pools.filter((p) => p.site === pool.site).map((p) => p.nodeType));
  const opts: string[] = [`--partition=${site}`];
  if (typesAtSite.size > 1) opts.push(`--constraint=${pool.nodeType}`);
  // The earliest this pool could take it: the least start among its estimates.
  const earliest = Math.min(...all.filter((e) => e.pool === best.pool && e.device === best.device).map((e) => e.start));
  const delay = Math.round(best.start - at);
  const held = best.start > earliest;
  const gpu = best.device === "gpu";
  // The request's own options, with the node count the estimate assumed and, when holding pays, a later --begin.
  opts.push(
    ...formatSlurmOptions({
      ...req,
      partition: undefined,
      nodes: best.nodes,
      gpus: gpu ? req.gpus : undefined,
      gpusPerNode: gpu ? req.gpusPerNode : undefined,
      gpuType: gpu ? req.gpuType : undefined,
      begin: held ? `now+${delay}` : req.begin,
    }),
  );
  if (held) return { options: opts, why: `the best of ${all.length} options: held ${(delay / 3600).toFixed(1)} h for a lower forecast impact than its earliest start` };
  return { options: opts, why: `the best of ${all.length} options, starting as early as ${site} allows${req.begin ? ` after --begin=${req.begin}` : ""}` };
}

/**
 * Estimates of a WfFormat workflow.
 * @throws InputError naming the file or field at fault
 */
export async function estimateWorkflowFile(inputs: WorkflowInputs): Promise<WorkflowEstimateReport> {
  const l = await loadWorldFor(inputs);
  const notes: string[] = [];
  const log = new AdjustmentLog();
  const wf = await readWorkflow(resolve(inputs.workflow), { mode: "lenient", log, label: inputs.workflow });
  for (const [code, n] of log.counts) notes.push(`${inputs.workflow}: ${n} record(s) adjusted (${code})`);
  // The scenario's own entry for this file, if any, gives its accelerator rules and home site.
  const entry = (l.scenario.workflows ?? []).find((w) => resolve(resolveFrom(l.scenarioPath, w.file)) === resolve(inputs.workflow));
  const sites = l.world.platform.sites.map((s) => s.id);
  const siteId = inputs.site ?? entry?.site ?? sites[0];
  const site = sites.indexOf(siteId);
  if (site < 0) throw new InputError([{ code: "unknown_reference", ...option("--site"), message: `expected a site of the platform (${sites.join(", ")}), got "${siteId}"`, value: siteId }]);
  const spread = inputs.spread;
  if (spread && !(spread[0] > 0 && spread[0] <= 1 && spread[1] >= 1)) throw bad(option("--spread"), `expected low <= 1 <= high factors, got ${spread.join(",")}`, spread);
  const at = resolveAt(inputs.at, l.t0Epoch, inputs.atSource ?? option("--at"));
  const probe: JobSpec = { id: PROBE_ID, submit: at, runtime: 1, walltime: 1, cores: 1, user: -1, group: -1, project: "estimate", queue: -1, partition: -1, avgCpuTime: -1 };
  const seen = await sourceOf(inputs).see(l, at, probe, notes, (view) =>
    estimateWorkflow({ spec: wf, site, project: entry?.project ?? `workflow:${wf.name}`, runtimes: entry ? acceleratedModels(entry).runtimes : undefined }, view, {
      preference: inputs.preference ?? 0.5,
      runtimeSpread: spread ? { low: spread[0], high: spread[1] } : undefined,
    }),
  );
  if (!seen || seen.value.length === 0) throw new InputError([{ code: "invalid_value", file: inputs.workflow, message: "expected a placement where every task can run, got none (a task needs more cores than any node has, or sites are not linked)" }]);
  notes.push(
    entry?.accelerated?.length
      ? `task run times are the workflow's recorded ones on CPUs of the platform's reference speed, and on accelerators as the scenario's rules say (${entry.accelerated.map((r) => `${r.task_prefix}* on ${r.device} x${r.speedup}`).join(", ")})`
      : "task run times are the workflow's recorded ones, on CPUs of the platform's reference speed",
  );
  return { context: contextOf(l, inputs, at, seen, notes), workflow: { name: wf.name, file: inputs.workflow, tasks: wf.tasks.length, site: siteId }, estimates: seen.value };
}
