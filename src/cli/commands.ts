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
import { forecastOption, RUN_OPTIONS, runCommand, SERIES_EXTEND, type RunArgs } from "./run.js";
import { EXIT } from "./exit.js";
import type { Extension } from "../core/index.js";
import { comparePolicies, formatComparison, type PolicyChoice } from "../run/index.js";

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
          .options(RUN_OPTIONS)
          .conflicts("policy", "policy-module"),
      (args) => runCommand(args as unknown as RunArgs),
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
