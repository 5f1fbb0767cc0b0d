/**
 * The yargs commands of the command line (all but estimate, which reads sbatch
 * options itself): run, compare, pareto, sweep, merge, report, lca, serve,
 * ledger, bridge, submit, study.
 *
 * Start-up time: each command's module is loaded only when that command is
 * given (all of them for help or an unknown command), as several pull in much
 * (the sweep's worker pool, the HTTP service, the ledger's databases: 0.4 s
 * of CPU for a 10-job run); and yargs does not lay out a command's help text
 * before running it unless help is asked for (0.1 s).
 */
import yargs, { type CommandModule } from "yargs";
import { InputError, UsageError } from "../core/index.js";
import { runScenario } from "../run/index.js";
import { formatSummaryTable } from "./table.js";
import { EXIT } from "./exit.js";
import type { Extension } from "../core/index.js";
import { comparePolicies, formatComparison, type PolicyChoice } from "../run/index.js";

/** Grid series past their rows: refused unless the user picks an extension (counted in the summary's adjustments). */
const SERIES_EXTEND = {
  type: "string",
  choices: ["error", "hold", "repeat"],
  describe: "grid series that end before the run: error (refuse before simulating; the default), hold (their last values) or repeat (the series again, period after period); each use is counted in adjustments.series",
} as const;

function forecastOption(bias: number | undefined, sigma: number | undefined): { bias: number; sigma: number } | undefined {
  return bias === undefined && sigma === undefined ? undefined : { bias: bias ?? 0, sigma: sigma ?? 0 };
}

/** Splits "a,b:{...},c" at commas outside braces. */
function splitPolicies(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of list) {
    if (ch === "{") depth++;
    if (ch === "}") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x.length > 0);
}

function parsePolicy(text: string): PolicyChoice {
  const i = text.indexOf(":");
  if (i < 0) return { name: text };
  try {
    return { name: text.slice(0, i), params: JSON.parse(text.slice(i + 1)) as Record<string, unknown> };
  } catch {
    throw new InputError([{ code: "invalid_value", file: "--policies", path: text.slice(0, i), message: `expected parameters as JSON, got ${text.slice(i + 1)}` }]);
  }
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

/** The commands defined in their own modules, in the order help lists them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const MODULES: Readonly<Record<string, () => Promise<CommandModule<any, any>>>> = {
  pareto: async () => (await import("./pareto.js")).paretoCommand,
  sweep: async () => (await import("./sweep.js")).sweepCommand,
  merge: async () => (await import("./sweep.js")).mergeCommand,
  report: async () => (await import("./report.js")).reportCommand,
  lca: async () => (await import("./lca.js")).lcaCommand,
  serve: async () => (await import("./serve.js")).serveCommand,
  ledger: async () => (await import("./ledger.js")).ledgerCommand,
  bridge: async () => (await import("./bridge.js")).bridgeCommand,
  submit: async () => (await import("./submit.js")).submitCommand,
  study: async () => (await import("./study.js")).studyCommand,
};
const INLINE = new Set(["run", "compare", "estimate"]);

export async function commands(argv: string[]): Promise<number> {
  const name = argv[0];
  const given = name !== undefined && Object.hasOwn(MODULES, name) ? [name] : name !== undefined && INLINE.has(name) ? [] : Object.keys(MODULES);
  const modules = await Promise.all(given.map((n) => MODULES[n]()));
  const help = argv.includes("--help") || argv.includes("-h");
  const cli = yargs(argv)
    .scriptName("impactsim")
    .usage("$0 <command> [options]")
    .command(
      "run [scenario]",
      "Run a scenario (the bundled default when none is given) and write jobs.csv, sites.csv and summary.json",
      (y) =>
        y
          .positional("scenario", { type: "string", describe: "scenario JSON file" })
          .option("workload", { type: "string", describe: "SWF trace (plain or .gz) replacing the scenario's" })
          .option("platform", { type: "string", describe: "platform JSON replacing the scenario's" })
          .option("policy", { type: "string", choices: ["fcfs", "easy", "conservative", "heft", "temporal", "weighted", "consolidate", "powercap", "campaign", "flexible"], describe: "scheduling policy" })
          .option("policy-module", { type: "string", describe: "a policy of your own: a .js/.mjs/.cjs (or .ts) file whose default export is a factory (params) => Policy (see README, Library)" })
          .option("policy-params", { type: "string", describe: 'parameters of the policy as a JSON object, replacing the scenario\'s, e.g. \'{"impact":2}\'' })
          .conflicts("policy", "policy-module")
          .option("procs", { type: "number", describe: "machine size in processors for a bare SWF trace (default: its MaxProcs)" })
          .option("seed", { type: "number", describe: "random seed" })
          .option("out", { type: "string", describe: "output folder" })
          .option("mode", { type: "string", choices: ["strict", "lenient"], describe: "strict fails on the first bad record; lenient skips and counts" })
          .option("forecast-bias", { type: "number", describe: "relative bias of the intensity forecasts policies see (e.g. 0.1)" })
          .option("forecast-sigma", { type: "number", describe: "relative noise of the intensity forecasts (standard deviation per series segment)" })
          .option("series-extend", SERIES_EXTEND)
          .option("exclusive", { type: "boolean", describe: "every job of the trace gets whole nodes, as if each asked sbatch --exclusive (default: the scenario's workload.exclusive, else jobs share nodes by cores)" })
          .option("cpu-usage", { type: "string", choices: ["trace", "ignore"], describe: "draw jobs' cores at the trace's recorded CPU usage (trace, default) or fully busy (ignore)" })
          .option("static-split", { type: "string", choices: ["allocated", "jobs"], describe: "a shared node's static power: by allocated cores, the idle rest to overhead (allocated, default), or all among its jobs (jobs)" })
          .option("summary-only", { type: "boolean", default: false, describe: "write only summary.json (and impacts.arrow with --impact-table)" })
          .option("impact-table", { type: "boolean", default: false, describe: "also write impacts.arrow: every job's impacts by life-cycle phase (16 EF categories, energy, primary energy) as an Apache Arrow IPC (Feather v2) file for pandas, polars, R or DuckDB" })
          .option("predict", { type: "boolean", default: false, describe: "estimate every job when queued (as impactsim estimate does) and score it against what then happened: predictions.csv and summary.predictions" })
          .option("quiet", { type: "boolean", default: false, describe: "no progress or table" }),
      async (args) => {
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
        });
        if (progress) process.stderr.write("\n");
        if (!args.quiet) {
          process.stdout.write(formatSummaryTable(out.summary));
          process.stdout.write(`\nwrote ${out.files.length} files to ${out.outDir} in ${((Date.now() - started) / 1000).toFixed(2)} s\n`);
        }
      },
    )
    .command(
      "compare [scenario]",
      "Run a scenario under several policies and compare impacts saved and wait added with the first (per QoS class too)",
      (y) =>
        y
          .positional("scenario", { type: "string", describe: "scenario JSON file (default: the bundled default)" })
          .option("policies", { type: "string", default: "easy,heft", describe: 'comma-separated policies, the first is the baseline; parameters as name:JSON, e.g. heft:{"impact_weight":1}' })
          .option("forecast-bias", { type: "number", describe: "relative bias of the intensity forecasts policies see" })
          .option("forecast-sigma", { type: "number", describe: "relative noise of the intensity forecasts" })
          .option("series-extend", SERIES_EXTEND)
          .option("json", { type: "boolean", default: false, describe: "print the rows as JSON" }),
      async (args) => {
        const policies = splitPolicies(args.policies).map(parsePolicy);
        const { rows } = await comparePolicies({ scenario: args.scenario, policies, overrides: { forecast: forecastOption(args["forecast-bias"], args["forecast-sigma"]), seriesExtension: args["series-extend"] as Extension | undefined } });
        process.stdout.write(args.json ? JSON.stringify(rows, null, 2) + "\n" : formatComparison(rows));
      },
    );
  for (const m of modules) cli.command(m);
  if (!help) {
    // yargs lays out a command's whole help text before running it, kept for a failure that our fail() reports without help: skipped.
    const usage = (cli as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.().getUsageInstance?.();
    if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => {};
  }
  await cli
    .command("estimate", "Estimate a job's (sbatch options or script) or a workflow's wait, run time, energy and impacts before submission; see impactsim estimate --help", () => {}, () => {})
    .demandCommand(1, "give a command, e.g. impactsim run")
    .strict()
    .help()
    .alias("h", "help")
    .version()
    .fail((msg, err) => {
      if (err) throw err;
      // Throwing stops yargs before any command runs: a usage error never runs half a command.
      throw new UsageError(msg);
    })
    .parseAsync();
  return EXIT.ok;
}
