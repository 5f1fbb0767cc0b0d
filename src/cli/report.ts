/**
 * `impactsim report <dir>`: write a self-contained HTML report (report.html)
 * and the waste figures (waste.json) of a run folder, and print the path. A
 * sweep folder (results.jsonl and sweep.json) gets the sweep report instead.
 * A yargs command module, registered in main.ts with `.command(reportCommand)`.
 */
import { existsSync, statSync } from "node:fs";
import type { Argv, CommandModule } from "yargs";
import { InputError } from "../core/index.js";
import { writeRunReport } from "../report/index.js";
import { isSweepFolder, writeSweepReport } from "../report/index.js";

interface ReportArgs {
  dir: string;
  out?: string;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: "report <dir>",
  describe: "Write a self-contained HTML report (report.html, d3 inlined, no network) and waste.json for a run folder, or the trade-off report of a sweep folder",
  builder: (y: Argv<object>) =>
    y
      .positional("dir", { type: "string", demandOption: true, describe: "run folder (with summary.json, jobs.csv, sites.csv) or sweep folder (with results.jsonl, sweep.json)" })
      .option("out", { type: "string", describe: "HTML file to write (default: <dir>/report.html)" }) as unknown as Argv<ReportArgs>,
  handler: async (args) => {
    if (!existsSync(args.dir) || !statSync(args.dir).isDirectory()) {
      throw new InputError([{ code: "invalid_value", file: args.dir, message: "expected a run or sweep folder (written by impactsim run or sweep), got no such directory", value: args.dir }]);
    }
    const path = isSweepFolder(args.dir) ? await writeSweepReport(args.dir, args.out) : await writeRunReport(args.dir, args.out);
    process.stdout.write(path + "\n");
  },
};
