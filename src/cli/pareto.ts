/**
 * `impactsim pareto [scenario]`: explore a policy parameter and print every
 * candidate with its figures, the Pareto front marked. A yargs command module,
 * registered in main.ts with `.command(paretoCommand)`.
 */
import type { Argv, CommandModule } from "yargs";
import { InputError } from "../core/index.js";
import { JOULES_PER_KWH } from "../core/index.js";
import { POLICIES } from "../planner/index.js";
import { DEFAULT_OBJECTIVES, exploreTradeoff, OBJECTIVES, type Exploration, type Objective } from "../sweep/index.js";

interface ParetoArgs {
  scenario?: string;
  policy: string;
  param: string;
  values: string;
  objectives: string;
  workers?: number;
  json: boolean;
}

/** "0, 0.5,1" as numbers. @throws InputError naming the flag and the bad item */
export function parseValues(list: string): number[] {
  const items = list.split(",").map((x) => x.trim());
  const values = items.map(Number);
  const bad = items.findIndex((x, i) => x === "" || !Number.isFinite(values[i]));
  if (bad >= 0) throw new InputError([{ code: "invalid_value", file: "--values", path: `item ${bad + 1}`, message: `expected a comma-separated list of numbers, got "${items[bad]}"`, value: items[bad] }]);
  return values;
}

function parseObjectives(list: string): Objective[] {
  const items = list.split(",").map((x) => x.trim());
  for (const [i, x] of items.entries()) {
    if (!(x in OBJECTIVES)) throw new InputError([{ code: "invalid_value", file: "--objectives", path: `item ${i + 1}`, message: `expected one of ${Object.keys(OBJECTIVES).join(", ")}, got "${x}"`, value: x }]);
  }
  return items as Objective[];
}

/** Six significant digits: candidates often differ in the fourth or fifth. */
const fmt = (x: number) => (Math.abs(x) >= 1e9 || (x !== 0 && Math.abs(x) < 1e-4) ? x.toExponential(5) : x.toPrecision(6));

/** The candidates as a table, "*" marking the Pareto front. */
export function formatExploration(e: Exploration): string {
  const header = ["front", e.param, "jobs", "mean wait h", "makespan d", "energy kWh", "CC kg", "score Pt"];
  const rows = e.candidates.map((c) => [
    c.onFront ? "*" : "",
    String(c.params[e.param]),
    String(c.summary.jobs),
    fmt(c.summary.mean_wait_s / 3600),
    fmt(c.summary.makespan_s / 86400),
    fmt(c.summary.energy_facility_j / JOULES_PER_KWH),
    fmt(c.summary.cc_kgco2eq),
    fmt(c.summary.single_score_pt),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((x, i) => (i <= 1 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join("  ").trimEnd();
  const objectives = e.objectives.map((o) => OBJECTIVES[o].label).join(", ");
  return (
    [line(header), ...rows.map(line)].join("\n") +
    `\n\n${e.policy} over ${e.param}: ${e.front.length} of ${e.candidates.length} candidates on the Pareto front (*) of ${objectives}, all minimised\n`
  );
}

export const paretoCommand: CommandModule<object, ParetoArgs> = {
  command: "pareto [scenario]",
  describe: "Run a scenario for each value of a policy parameter (in parallel) and print the Pareto front of the schedules",
  builder: (y: Argv<object>) =>
    y
      .positional("scenario", { type: "string", describe: "scenario JSON file (default: the bundled default)" })
      .option("policy", { type: "string", choices: Object.keys(POLICIES), demandOption: true, describe: "policy to explore" })
      .option("param", { type: "string", demandOption: true, describe: "policy parameter to vary, e.g. impact_weight" })
      .option("values", { type: "string", demandOption: true, describe: "comma-separated values of the parameter, e.g. 0,0.5,1,2" })
      .option("objectives", { type: "string", default: DEFAULT_OBJECTIVES.join(","), describe: `comma-separated objectives to minimise, of ${Object.keys(OBJECTIVES).join(", ")}` })
      .option("workers", { type: "number", describe: "lanes: the main thread and worker threads (default: up to the cores, threads started once the work left repays their start); 0 or 1 runs in-process" })
      .option("json", { type: "boolean", default: false, describe: "print the exploration as JSON" }) as unknown as Argv<ParetoArgs>,
  handler: async (args) => {
    const exploration = await exploreTradeoff({
      scenario: args.scenario,
      policy: args.policy,
      param: args.param,
      values: parseValues(args.values),
      objectives: parseObjectives(args.objectives),
      workers: args.workers,
    });
    process.stdout.write(args.json ? JSON.stringify(exploration, null, 2) + "\n" : formatExploration(exploration));
  },
};
