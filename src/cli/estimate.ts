/**
 * `impactsim estimate`: where and when a job or workflow should run and what it
 * will cost, before it is submitted. The job is described as for sbatch
 * (options, or a batch script whose #SBATCH lines are read); impactsim's own
 * options are taken out first and everything else goes to the Slurm reader,
 * which names any option it does not understand.
 */
import { existsSync } from "node:fs";
import { InputError } from "../core/index.js";
import { JOULES_PER_KWH } from "../core/index.js";
import { N_COORDS, N_PHASES, PHASES, EF_CATEGORIES, categoryIndex } from "../core/index.js";
import { formatSlurmTime, mergeSlurm, parseSlurmArgs, readSbatchScript } from "../io/index.js";
import { loadSnapshot } from "../io/index.js";
import { snapshotSource } from "./clusterSource.js";
import { estimateJobRequest, estimateWorkflowFile, type EstimateInputs, type JobEstimateReport, type WorkflowEstimateReport } from "../run/index.js";

const CC = categoryIndex("CC");
const ENERGY = categoryIndex("ENERGY");
const PE = categoryIndex("PE");

export const ESTIMATE_USAGE = `impactsim estimate [sbatch options] [script.sh]
impactsim estimate --workflow wf.json [options]

Estimates, before submission, a job's wait, run time, facility energy and power, and
EF 3.1 impacts on every site and device of a scenario's platform, for starts
over the next hours, ranked by your preference between time and impact.

The job, as for sbatch (a script's #SBATCH lines are read; options given here win):
  -N, --nodes  -n, --ntasks  --ntasks-per-node  -c, --cpus-per-task
  --gres=gpu[:type]:N  -G, --gpus  --gpus-per-node  -t, --time  --mem  --mem-per-cpu
  -p, --partition (a site or node type)  --begin  -A, --account  -J, --job-name
  -q, --qos (a QoS class of the scenario: its preference and allowed delay)
  --cpu-usage U               share of its cores' time it keeps busy, in (0, 1] (as SWF
                              field 6 / run time): its cores draw at this load (default 1)

Run time (the first given is used, and the output says which):
  --runtime H:MM:SS|seconds   expected run time on a node of reference speed
  --runtime-range LOW,HIGH    its range (same formats)
  --profile FILE              measured runs (JSON with their source)
  --history FILE.swf          similar past jobs in a trace (by --user and size)
  --user N                    your user id in that trace
  (else --time, as an upper bound)

Where and when:
  --scenario FILE             platform, grid series and forecasts (default: bundled)
  --platform FILE             platform replacing the scenario's
  --at TIME                   submission time, ISO 8601 with offset or seconds
                              from the scenario's start (default: its start)
  --loaded                    replay the scenario's workload up to --at first
  --cluster FILE              a live cluster's state (snapshot JSON, see README):
                              estimate on it, at its time, after its queue
  --window DURATION           consider starts over this span (default 24:00:00; 0: now only)
  --step DURATION             between candidate starts (default 1:00:00)
  --preference P              0 = time only .. 1 = impact only (default 0.5)
  --forecast-sigma S          relative forecast noise per series segment
  --forecast-bias B           relative forecast bias
  --series-extend RULE        grid series ending before a start's run: error (leave such
                              starts out, refuse when none is left; default), hold or repeat

Workflows:
  --workflow FILE             a WfFormat 1.5 instance instead of a job
  --site ID                   site holding its input files (default: the first)
  --spread LOW,HIGH           run-time factors around the recorded task times

Output:
  --top N                     rows shown (default 10)
  --json                      everything as JSON
  --sbatch                    only the suggested sbatch options of the best choice
  -h, --help                  this text
`;

interface Flags {
  inputs: { -readonly [K in keyof EstimateInputs]: EstimateInputs[K] };
  runtime_s?: number;
  /** --cpu-usage: the share of its cores' time the job keeps busy, (0, 1]. */
  cpuUsage?: number;
  runtimeRange_s?: [number, number];
  profile?: string;
  history?: string;
  user?: number;
  workflow?: string;
  cluster?: string;
  site?: string;
  spread?: [number, number];
  top: number;
  json: boolean;
  sbatch: boolean;
  help: boolean;
  slurm: string[];
  script?: string;
}

function usage(option: string, message: string, value?: unknown): InputError {
  return new InputError([{ code: "invalid_value", file: "command line", path: option, message, value }]);
}

/** Seconds from H:MM:SS, MM:SS or plain seconds (also Slurm's D-HH:MM:SS). */
function duration(option: string, text: string): number {
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+(?:\.\d+)?))?$/.exec(text);
  if (m) {
    const [d, a, b, c] = [Number(m[1] ?? 0), Number(m[2]), m[3], m[4]];
    const s = c !== undefined ? a * 3600 + Number(b) * 60 + Number(c) : b !== undefined ? (m[1] !== undefined ? a * 3600 + Number(b) * 60 : a * 60 + Number(b)) : m[1] !== undefined ? a * 3600 : a;
    return d * 86400 + s;
  }
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  throw usage(option, `expected a duration as H:MM:SS, MM:SS, D-HH:MM:SS or seconds, got "${text}"`, text);
}

function number(option: string, text: string | undefined, check: (x: number) => boolean, expected: string): number {
  const x = Number(text);
  if (text === undefined || text === "" || !check(x)) throw usage(option, `expected ${expected}, got ${JSON.stringify(text ?? null)}`, text);
  return x;
}

function pair(option: string, text: string, parse: (t: string) => number): [number, number] {
  const parts = text.split(",");
  if (parts.length !== 2) throw usage(option, `expected LOW,HIGH, got "${text}"`, text);
  return [parse(parts[0]), parse(parts[1])];
}

const VALUE_FLAGS = new Set(["cpu-usage", "cluster", "runtime", "runtime-range", "profile", "history", "user", "scenario", "platform", "at", "window", "step", "preference", "forecast-sigma", "forecast-bias", "series-extend", "workflow", "site", "spread", "top"]);
const BOOLEAN_FLAGS = new Set(["loaded", "json", "sbatch", "help"]);

/** Splits impactsim's own options from the Slurm ones (and the script, the last word when it is a file). */
export function parseEstimateArgs(argv: readonly string[]): Flags {
  const f: Flags = { inputs: {}, top: 10, json: false, sbatch: false, help: false, slurm: [] };
  let bias: number | undefined;
  let sigma: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i];
    if (tok === "-h") {
      f.help = true;
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(tok);
    const name = m?.[1];
    if (name !== undefined && BOOLEAN_FLAGS.has(name)) {
      if (m![2] !== undefined) throw usage(`--${name}`, `expected no value, got "${m![2]}"`, m![2]);
      if (name === "loaded") f.inputs.loaded = true;
      else if (name === "json") f.json = true;
      else if (name === "sbatch") f.sbatch = true;
      else f.help = true;
      continue;
    }
    if (name === undefined || !VALUE_FLAGS.has(name)) {
      f.slurm.push(tok);
      continue;
    }
    let value = m![2];
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw usage(`--${name}`, "expected a value, got none");
    }
    const opt = `--${name}`;
    switch (name) {
      case "runtime":
        f.runtime_s = duration(opt, value);
        break;
      case "cpu-usage":
        f.cpuUsage = number(opt, value, (x) => x > 0 && x <= 1, "a share of the cores' time kept busy, in (0, 1] (e.g. 0.3 for 30 %)");
        break;
      case "runtime-range":
        f.runtimeRange_s = pair(opt, value, (t) => duration(opt, t));
        break;
      case "profile":
        f.profile = value;
        break;
      case "cluster":
        f.cluster = value;
        break;
      case "history":
        f.history = value;
        break;
      case "user":
        f.user = number(opt, value, (x) => Number.isInteger(x), "an integer user id");
        break;
      case "scenario":
        f.inputs.scenario = value;
        break;
      case "platform":
        f.inputs.platform = value;
        break;
      case "at":
        f.inputs.at = value;
        break;
      case "window":
        f.inputs.window_s = duration(opt, value);
        break;
      case "step":
        f.inputs.step_s = duration(opt, value);
        break;
      case "preference":
        f.inputs.preference = number(opt, value, (x) => x >= 0 && x <= 1, "a number in [0, 1]");
        break;
      case "forecast-sigma":
        sigma = number(opt, value, (x) => x >= 0 && Number.isFinite(x), "a number >= 0");
        break;
      case "forecast-bias":
        bias = number(opt, value, (x) => Number.isFinite(x) && x > -1, "a number > -1");
        break;
      case "series-extend":
        if (value !== "error" && value !== "hold" && value !== "repeat") throw usage(opt, `expected error, hold or repeat, got ${JSON.stringify(value ?? null)}`, value);
        f.inputs.seriesExtension = value;
        break;
      case "workflow":
        f.workflow = value;
        break;
      case "site":
        f.site = value;
        break;
      case "spread":
        f.spread = pair(opt, value, (t) => number(opt, t, (x) => x > 0 && Number.isFinite(x), "a factor > 0"));
        break;
      case "top":
        f.top = number(opt, value, (x) => Number.isInteger(x) && x >= 1, "an integer >= 1");
        break;
    }
  }
  if (bias !== undefined || sigma !== undefined) f.inputs.forecast = { bias: bias ?? 0, sigma: sigma ?? 0 };
  // As for sbatch, the script comes last.
  const last = f.slurm[f.slurm.length - 1];
  if (last !== undefined && !last.startsWith("-") && (existsSync(last) || /\.(sh|bash|slurm|sbatch|job)$/.test(last))) {
    f.script = last;
    f.slurm.pop();
  }
  return f;
}

/** A duration as h:mm:ss (d-hh:mm:ss from a day on), so a 20 s workflow reads 0:00:20, not 0:00. */
export const hms = (s: number) => {
  if (!Number.isFinite(s)) return "-";
  const t = Math.round(s);
  const d = Math.floor(t / 86400);
  const h = Math.floor((t % 86400) / 3600);
  const rest = `${String(Math.floor((t % 3600) / 60)).padStart(2, "0")}:${String(t % 60).padStart(2, "0")}`;
  return d > 0 ? `${d}-${String(h).padStart(2, "0")}:${rest}` : `${h}:${rest}`;
};
const sig = (x: number, digits = 3) => (x === 0 ? "0" : Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3 ? x.toExponential(digits - 1) : x.toPrecision(digits));
const range = (lo: number, hi: number, f: (x: number) => string = (x) => sig(x)) => (lo === hi ? "" : ` (${f(lo)}..${f(hi)})`);
const utc = (iso: string) => iso.slice(0, 16).replace("T", " ");

function ccTotal(v: Float64Array): number {
  let s = 0;
  for (let ph = 0; ph < N_PHASES; ph++) s += v[ph * N_COORDS + CC];
  return s;
}

/**
 * Each value over the least (over the largest where the least is 0; 1 where
 * all are 0): the two terms the planner's rank_cost combines, shown so the
 * order can be read off the table.
 */
function ratios(xs: readonly number[]): number[] {
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  return xs.map((x) => (min > 0 ? x / min : max > 0 ? x / max : 1));
}

const times = (x: number) => `x${x.toFixed(2)}`;

/** The legend of the rank columns: what the order is by, with the preference and what "time" and "impact" are. */
function rankLegend(p: number, n: number, time: string, impact: string): string {
  const w = (x: number) => String(Number(x.toFixed(3)));
  return (
    `rank: lowest cost first; cost = ${w(1 - p)} x time/least + ${w(p)} x impact/least, with preference ${w(p)} (0 = time only, 1 = impact only)\n` +
    `      time = ${time}, impact = ${impact}; "time x" and "impact x": each option's ratio to the least of all ${n} options\n`
  );
}

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i])).join("  ").trimEnd();
  return [line(head), ...rows.map(line)].join("\n") + "\n";
}

function contextLines(c: JobEstimateReport["context"]): string {
  const load = c.mode === "idle" ? "idle platform" : c.mode === "live" ? `live cluster state (${c.running} running, ${c.queued} queued)` : `platform loaded by the scenario's workload (${c.running} running, ${c.queued} queued)`;
  return `on ${c.platform} (scenario ${c.scenario}), submitted ${utc(c.at_iso)} UTC, ${load}\nforecast: ${c.forecast.note}\npreference ${c.preference} (0 = time only, 1 = impact only); ranges are conservative 80 % bands\n`;
}

export function formatJobReport(r: JobEstimateReport, top: number): string {
  const q = r.request;
  let out = `estimate of ${q.cores} core${q.cores === 1 ? "" : "s"}${q.gpus ? ` and ${q.gpus} GPU${q.gpus === 1 ? "" : "s"}` : ""}${q.walltime_s !== null ? `, --time ${formatSlurmTime(q.walltime_s)}` : ""} ${contextLines(r.context)}`;
  const c = r.calibration;
  out += `run time: ${c.detail}${c.others ? `\nwaits: ${c.others}` : ""}\n\n`;
  const atMs = Date.parse(r.context.at_iso) - r.context.at_s * 1000;
  const impactOf = (e: (typeof r.estimates)[number]) => e.single_score_pt ?? ccTotal(e.impacts);
  const tx = ratios(r.estimates.map((e) => e.wait_s + e.runtime_s));
  const ix = ratios(r.estimates.map(impactOf));
  const pue = (site: string) => r.context.site_pue[site] ?? 1;
  const rows = r.estimates.slice(0, top).map((e, i) => [
    String(i + 1),
    e.site,
    r.nodeTypes[e.pool],
    e.device,
    String(e.nodes),
    utc(new Date(atMs + e.start * 1000).toISOString()),
    hms(e.wait_s) + range(e.range.wait_s[0], e.range.wait_s[1], hms),
    hms(e.runtime_s) + range(e.range.runtime_s[0], e.range.runtime_s[1], hms),
    sig(e.energy_facility_j / JOULES_PER_KWH) + range(e.range.energy_facility_j[0] / JOULES_PER_KWH, e.range.energy_facility_j[1] / JOULES_PER_KWH),
    // The job's draw is constant while it runs (peak = mean): shown on the facility side, as the energy is.
    sig((e.power_peak_w * pue(e.site)) / 1000),
    sig(ccTotal(e.impacts)) + range(ccTotal(e.range.impacts_low), ccTotal(e.range.impacts_high)),
    e.single_score_pt === null ? "-" : sig(e.single_score_pt * 1000) + (e.range.single_score_pt ? range(e.range.single_score_pt[0] * 1000, e.range.single_score_pt[1] * 1000) : ""),
    times(tx[i]),
    times(ix[i]),
    e.rank_cost.toFixed(2),
  ]);
  out += table(["#", "site", "node type", "device", "nodes", "start (UTC)", "wait h:mm:ss", "run h:mm:ss", "energy kWh", "power kW", "CO2e kg", "score mPt", "time x", "impact x", "cost"], rows);
  if (r.estimates.length > top) out += `... ${r.estimates.length - top} more (--top N, or --json for all)\n`;
  out +=
    "\nenergy and power: facility side (IT x the site's PUE); power is the draw while the job runs (constant: energy = power x run time)" +
    "\nCO2e and score: all life-cycle phases (use from the forecast grid intensity, embodied per node-hour held); score in milli-points of the EF 3.1 single score; (low..high): the range\n";
  out += rankLegend(r.context.preference, r.estimates.length, "wait + run time", r.estimates[0]?.single_score_pt === null ? "CO2e (no score method)" : "single score");
  if (r.suggestion) out += `\nsuggested: sbatch ${r.suggestion.options.join(" ")}\n  (${r.suggestion.why})\n`;
  if (r.context.notes.length) out += `\nnotes:\n${r.context.notes.map((n) => `  - ${n}`).join("\n")}\n`;
  return out;
}

export function formatWorkflowReport(r: WorkflowEstimateReport, top: number): string {
  let out = `estimate of workflow ${r.workflow.name} (${r.workflow.tasks} tasks, inputs at ${r.workflow.site}) ${contextLines(r.context)}\n`;
  const impactOf = (e: (typeof r.estimates)[number]) => e.single_score_pt ?? ccTotal(e.impacts);
  const tx = ratios(r.estimates.map((e) => e.makespan_s));
  const ix = ratios(r.estimates.map(impactOf));
  let bounded = false;
  const rows = r.estimates.slice(0, top).map((e, i) => {
    // Facility side, as the energy: the IT peak times the PUE of the sites used (their highest when they differ, an upper bound).
    const pues = Object.keys(e.tasks_per_site).map((s) => r.context.site_pue[s] ?? 1);
    const pue = Math.max(1, ...pues);
    const upper = pues.some((x) => x !== pue);
    bounded ||= upper;
    const nodesJ = Math.max(0, e.energy_facility_j - e.transfer_energy_j);
    return [
      String(i + 1),
      e.placement,
      Object.entries(e.tasks_per_site).map(([s, n]) => `${s}:${n}`).join(" "),
      hms(e.makespan_s) + range(e.range.makespan_s[0], e.range.makespan_s[1], hms),
      sig(e.energy_facility_j / JOULES_PER_KWH) + range(e.range.energy_facility_j[0] / JOULES_PER_KWH, e.range.energy_facility_j[1] / JOULES_PER_KWH),
      (upper ? "<=" : "") + sig((e.power_peak_w * pue) / 1000),
      e.makespan_s > 0 ? sig(nodesJ / e.makespan_s / 1000) : "-",
      sig(e.bytes_moved / 1e9),
      sig(ccTotal(e.impacts)) + range(ccTotal(e.range.impacts_low), ccTotal(e.range.impacts_high)),
      e.single_score_pt === null ? "-" : sig(e.single_score_pt * 1000),
      times(tx[i]),
      times(ix[i]),
      e.rank_cost.toFixed(2),
    ];
  });
  out += table(["#", "placement", "tasks per site", "makespan h:mm:ss", "energy kWh", "peak kW", "mean kW", "GB moved", "CO2e kg", "score mPt", "time x", "impact x", "cost"], rows);
  if (r.estimates.length > top) out += `... ${r.estimates.length - top} more (--top N, or --json for all)\n`;
  out +=
    "\nenergy: facility side (IT x PUE) plus the energy of moving data between sites; peak and mean kW: the nodes' facility draw (IT x PUE), mean = their energy / makespan" +
    (bounded ? "; <=: an upper bound (the IT peak times the highest PUE of the sites used)" : "") +
    "\nCO2e and score: all life-cycle phases; score in milli-points of the EF 3.1 single score; (low..high): the range\n";
  out += rankLegend(r.context.preference, r.estimates.length, "makespan", r.estimates[0]?.single_score_pt === null ? "CO2e (no score method)" : "single score");
  if (r.context.notes.length) out += `\nnotes:\n${r.context.notes.map((n) => `  - ${n}`).join("\n")}\n`;
  return out;
}

/** Impacts as { phase: { category: value } } for JSON. */
function byPhase(v: Float64Array): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  PHASES.forEach((ph, p) => {
    out[ph] = {};
    EF_CATEGORIES.forEach((c, k) => (out[ph][c.id] = v[p * N_COORDS + k]));
    out[ph].ENERGY_J = v[p * N_COORDS + ENERGY];
    // Primary energy, MJ (not weighted in the score; missing where no source gives it).
    out[ph].PE = v[p * N_COORDS + PE];
  });
  return out;
}

/** JSON.stringify's replacer for a report: its impact vectors (Float64Array) as { phase: { category: value } }. */
function readableImpacts(_key: string, value: unknown): unknown {
  return value instanceof Float64Array ? byPhase(value) : value;
}

/**
 * The report as --json prints it, indented, its typed arrays as readable
 * objects: in one pass (an estimate's JSON is about 390 KB; stringified,
 * parsed and stringified again, as it was, it cost a cold start several ms).
 */
export function reportJsonText(r: JobEstimateReport | WorkflowEstimateReport): string {
  return JSON.stringify(r, readableImpacts, 2) + "\n";
}

/** --cluster: the estimate starts from a live cluster's snapshot, at its time unless --at says otherwise (shared with submit). */
export async function applyClusterSnapshot(f: Flags): Promise<void> {
  if (!f.cluster) return;
  if (f.inputs.loaded) throw usage("--cluster", "expected either --cluster (a live cluster's state) or --loaded (the scenario's replayed workload), got both");
  const snap = await loadSnapshot(f.cluster);
  f.inputs.source = snapshotSource(snap);
  // The snapshot's time is the submission time unless --at says otherwise; errors about it name the file's field.
  if (f.inputs.at === undefined) {
    f.inputs.at = snap.time;
    f.inputs.atSource = { file: f.cluster, path: "time" };
  }
}

/** Runs `impactsim estimate`; returns the exit code (errors are thrown for main's handler). */
export async function runEstimate(argv: readonly string[], write: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const f = parseEstimateArgs(argv);
  if (f.help) {
    write(ESTIMATE_USAGE);
    return 0;
  }
  await applyClusterSnapshot(f);
  if (f.workflow) {
    if (f.slurm.length > 0 || f.script) throw usage("--workflow", `expected no sbatch options or script with a workflow, got ${[...f.slurm, ...(f.script ? [f.script] : [])].join(" ")}`);
    const r = await estimateWorkflowFile({ ...f.inputs, workflow: f.workflow, site: f.site, spread: f.spread });
    write(f.json ? reportJsonText(r) : formatWorkflowReport(r, f.top));
    return 0;
  }
  const args = parseSlurmArgs(f.slurm);
  const request = f.script ? mergeSlurm(await readSbatchScript(f.script), args) : args;
  const r = await estimateJobRequest({ ...f.inputs, request, runtime_s: f.runtime_s, runtimeRange_s: f.runtimeRange_s, profile: f.profile, history: f.history, user: f.user, cpuUsage: f.cpuUsage });
  if (f.sbatch) write((r.suggestion?.options.join(" ") ?? "") + "\n");
  else write(f.json ? reportJsonText(r) : formatJobReport(r, f.top));
  return 0;
}
