/**
 * `impactsim run`: its options (one table, which commands.ts gives yargs), its
 * handler, and a fast path that reads the plain forms of those options
 * without yargs. Loading and setting up yargs was about a fifth of a 10-job
 * run's CPU (issue 13), so main.ts tries the fast path first; anything it does
 * not read exactly as yargs would (help, an unknown, repeated or negated
 * option, a value that looks like an option, a number that is not plain
 * decimal, a choice not offered, conflicting options, a second positional)
 * goes to yargs, which then accepts or refuses it as before.
 */
import { availableParallelism } from "node:os";
import { InputError, type Extension } from "../core/index.js";
import { runScenario } from "../run/index.js";
import { formatSummaryTable } from "./table.js";

/** Grid series past their rows: refused unless the user picks an extension (counted in the summary's adjustments). */
export const SERIES_EXTEND = {
  type: "string",
  choices: ["error", "hold", "repeat"],
  describe: "grid series that end before the run: error (refuse before simulating; the default), hold (their last values) or repeat (the series again, period after period); each use is counted in adjustments.series",
} as const;

interface OptionSpec {
  readonly type: "string" | "number" | "boolean";
  readonly choices?: readonly string[];
  readonly default?: boolean;
  readonly describe: string;
}

/** The options of run, in the order help lists them (policy and policy-module conflict). */
export const RUN_OPTIONS = {
  "workload": { type: "string", describe: "SWF trace (plain or .gz) replacing the scenario's" },
  "platform": { type: "string", describe: "platform JSON replacing the scenario's" },
  "policy": { type: "string", choices: ["fcfs", "easy", "conservative", "heft", "temporal", "weighted", "consolidate", "powercap", "campaign", "flexible"], describe: "scheduling policy" },
  "policy-module": { type: "string", describe: "a policy of your own: a .js/.mjs/.cjs (or .ts) file whose default export is a factory (params) => Policy (see README, Library)" },
  "policy-params": { type: "string", describe: 'parameters of the policy as a JSON object, replacing the scenario\'s, e.g. \'{"impact":2}\'' },
  "procs": { type: "number", describe: "machine size in processors for a bare SWF trace (default: its MaxProcs)" },
  "seed": { type: "number", describe: "random seed" },
  "out": { type: "string", describe: "output folder" },
  "mode": { type: "string", choices: ["strict", "lenient"], describe: "strict fails on the first bad record; lenient skips and counts" },
  "forecast-bias": { type: "number", describe: "relative bias of the intensity forecasts policies see (e.g. 0.1)" },
  "forecast-sigma": { type: "number", describe: "relative noise of the intensity forecasts (standard deviation per series segment)" },
  "series-extend": SERIES_EXTEND,
  "exclusive": { type: "boolean", describe: "every job of the trace gets whole nodes, as if each asked sbatch --exclusive (default: the scenario's workload.exclusive, else jobs share nodes by cores)" },
  "cpu-usage": { type: "string", choices: ["trace", "ignore"], describe: "draw jobs' cores at the trace's recorded CPU usage (trace, default) or fully busy (ignore)" },
  "static-split": { type: "string", choices: ["allocated", "jobs"], describe: "a shared node's static power: by allocated cores, the idle rest to overhead (allocated, default), or all among its jobs (jobs)" },
  "summary-only": { type: "boolean", default: false, describe: "write only summary.json (and impacts.arrow with --impact-table)" },
  "impact-table": { type: "boolean", default: false, describe: "also write impacts.arrow: every job's impacts by life-cycle phase (16 EF categories, energy, primary energy) as an Apache Arrow IPC (Feather v2) file for pandas, polars, R or DuckDB" },
  "predict": { type: "boolean", default: false, describe: "estimate every job when queued (as impactsim estimate does) and score it against what then happened: predictions.csv and summary.predictions" },
  "quiet": { type: "boolean", default: false, describe: "no progress or table" },
} as const satisfies Readonly<Record<string, OptionSpec>>;

type Spec = typeof RUN_OPTIONS;
type ValueOf<S> = S extends { readonly type: "number" } ? number : S extends { readonly type: "boolean" } ? boolean : string;

/** Parsed options of run, by option name. */
export type RunArgs = { scenario?: string } & { -readonly [K in keyof Spec]?: ValueOf<Spec[K]> } & { "summary-only": boolean; "impact-table": boolean; predict: boolean; quiet: boolean };

export function forecastOption(bias: number | undefined, sigma: number | undefined): { bias: number; sigma: number } | undefined {
  return bias === undefined && sigma === undefined ? undefined : { bias: bias ?? 0, sigma: sigma ?? 0 };
}

/** --policy-params as a JSON object. @throws InputError naming the option otherwise */
function policyParams(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError([{ code: "invalid_value", file: "--policy-params", message: `expected a JSON object, got ${JSON.stringify(text)}`, value: text }]);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InputError([{ code: "invalid_value", file: "--policy-params", message: `expected a JSON object, got ${text}`, value: text }]);
  }
  return value as Record<string, unknown>;
}

/** Runs the scenario and prints its summary table (unless quiet). */
export async function runCommand(args: RunArgs): Promise<void> {
  const started = Date.now();
  const progress = !args.quiet && process.stderr.isTTY;
  const out = await runScenario({
    scenario: args.scenario,
    overrides: {
      workload: args.workload,
      platform: args.platform,
      policy: args.policy,
      policyModule: args["policy-module"],
      policyParams: policyParams(args["policy-params"]),
      procs: args.procs,
      seed: args.seed,
      out: args.out,
      mode: args.mode as "strict" | "lenient" | undefined,
      summaryOnly: args["summary-only"],
      impactTable: args["impact-table"],
      predict: args.predict,
      forecast: forecastOption(args["forecast-bias"], args["forecast-sigma"]),
      seriesExtension: args["series-extend"] as Extension | undefined,
      exclusive: args.exclusive,
      staticSplit: args["static-split"] as "allocated" | "jobs" | undefined,
      cpuUsage: args["cpu-usage"] as "trace" | "ignore" | undefined,
    },
    onProgress: progress ? (n, t) => process.stderr.write(`\r${n} jobs finished, simulated time ${(t / 86400).toFixed(1)} d`) : undefined,
    // A long run's jobs.csv is formatted on the second core, if there is one.
    outputThread: availableParallelism() >= 2,
  });
  if (progress) process.stderr.write("\n");
  if (!args.quiet) {
    process.stdout.write(formatSummaryTable(out.summary));
    process.stdout.write(`\nwrote ${out.files.length} files to ${out.outDir} in ${((Date.now() - started) / 1000).toFixed(2)} s\n`);
  }
}

/** A plain decimal number, as yargs reads it with Number (hex, exponents and the like are left to yargs). */
const PLAIN_NUMBER = /^-?(?:\d+\.?\d*|\.\d+)$/;

/**
 * The arguments after `run`, read as yargs would read them, or undefined when
 * they are not all of the plain forms (see the module comment): then yargs reads them.
 */
export function fastRunArgs(argv: readonly string[]): RunArgs | undefined {
  const args: Record<string, unknown> = { "summary-only": false, "impact-table": false, predict: false, quiet: false };
  const seen = new Set<string>();
  let positional: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("-")) {
      if (positional !== undefined) return undefined;
      positional = a;
      continue;
    }
    if (!a.startsWith("--") || a === "--") return undefined;
    const eq = a.indexOf("=");
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    if (!Object.hasOwn(RUN_OPTIONS, name) || seen.has(name)) return undefined;
    seen.add(name);
    const spec: OptionSpec = RUN_OPTIONS[name as keyof Spec];
    if (spec.type === "boolean") {
      // "--quiet true" and "--quiet=false" are yargs's to read.
      if (eq >= 0 || argv[i + 1] === "true" || argv[i + 1] === "false") return undefined;
      args[name] = true;
      continue;
    }
    const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || value === "" || value.startsWith("-")) return undefined;
    if (spec.choices !== undefined && !spec.choices.includes(value)) return undefined;
    if (spec.type === "number") {
      if (!PLAIN_NUMBER.test(value)) return undefined;
      args[name] = Number(value);
    } else args[name] = value;
  }
  if (seen.has("policy") && seen.has("policy-module")) return undefined;
  if (positional !== undefined) args.scenario = positional;
  return args as RunArgs;
}
