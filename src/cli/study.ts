/**
 * `impactsim study lifetime|growth STUDY.json` runs a capacity study over
 * years on the worker pool (sharded, resumable) and writes its summary and
 * report; `impactsim study merge STUDY.json` combines the shards of one.
 * A yargs command module, registered in commands.ts.
 */
import type { Argv, CommandModule } from "yargs";
import { formatStudy, mergeStudy, parseShard, runStudy } from "../sweep/index.js";
import { EXIT } from "./exit.js";
import { progressLine } from "./sweep.js";

interface StudyArgs {
  kind: "lifetime" | "growth" | "merge";
  file: string;
  workers?: number;
  shard?: string;
  resume: boolean;
  out?: string;
  json: boolean;
}

export const studyCommand: CommandModule<object, StudyArgs> = {
  command: "study <kind> <file>",
  describe: "Run a capacity study over years (lifetime: keep against replace, footnote 33 and break-even conditions; growth: ways to absorb more work) and write summary.json and report.html; merge combines the shards of one",
  builder: (y: Argv<object>) =>
    y
      .positional("kind", { type: "string", choices: ["lifetime", "growth", "merge"], demandOption: true, describe: "the study's kind, or merge" })
      .positional("file", { type: "string", demandOption: true, describe: "study JSON file" })
      .option("workers", { type: "number", describe: "lanes: the main thread and worker threads (default: up to the cores, threads started once the work left repays their start); 0 or 1 runs in-process" })
      .option("shard", { type: "string", describe: "run only shard i of n of the simulations (index % n === i), e.g. 0/4; then impactsim study merge" })
      .option("resume", { type: "boolean", default: false, describe: "keep the simulations already written and run only the missing ones" })
      .option("out", { type: "string", describe: "output folder (default: the study file's output.dir)" })
      .option("json", { type: "boolean", default: false, describe: "print summary.json's analysis instead of the table" }) as unknown as Argv<StudyArgs>,
  handler: async (args) => {
    if (args.kind === "merge") {
      const m = await mergeStudy({ file: args.file, out: args.out });
      process.stdout.write(args.json ? JSON.stringify(m.summary.lifetime ?? m.summary.growth, null, 2) + "\n" : formatStudy(m.summary));
      process.stdout.write(`merged -> ${m.results}; ${m.report}\n`);
      return;
    }
    const shard = args.shard !== undefined ? parseShard(args.shard) : undefined;
    const tty = process.stderr.isTTY === true;
    const t0 = performance.now();
    const o = await runStudy({
      file: args.file,
      kind: args.kind,
      workers: args.workers,
      shard,
      resume: args.resume,
      out: args.out,
      onProgress: tty ? (p) => process.stderr.write(`\r${progressLine(p, (performance.now() - t0) / 1000)}\x1b[K`) : undefined,
    });
    if (tty) process.stderr.write("\n");
    if (o.summary) process.stdout.write(args.json ? JSON.stringify(o.summary.lifetime ?? o.summary.growth, null, 2) + "\n" : formatStudy(o.summary));
    process.stdout.write(`${o.simulations} simulations${shard ? ` (shard ${shard.i}/${shard.n})` : ""}: ${o.ran} run, ${o.skipped} already done, ${o.failed} failed -> ${o.results}${o.report ? `; ${o.report}` : ""}\n`);
    if (o.failed > 0) {
      for (const f of o.failures.slice(0, 3)) process.stderr.write(`simulation ${f.index} failed: ${f.message}\n`);
      if (o.failures.length > 3) process.stderr.write(`... and ${o.failures.length - 3} more (their error lines are in ${o.results})\n`);
      const names = new Set(o.failures.map((f) => f.name));
      process.exitCode = names.size === 1 && names.has("InputError") ? EXIT.input : [...names].every((n) => n === "InputError" || n === "SimulationError") ? EXIT.simulation : EXIT.failure;
    }
  },
};
