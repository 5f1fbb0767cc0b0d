/**
 * `impactsim sweep <file>` runs a sweep file (or one shard of it) on the
 * worker pool, with a progress bar and ETA on stderr when it is a terminal;
 * `impactsim merge <dir>` combines shard outputs. Yargs command modules,
 * registered in main.ts with `.command(sweepCommand).command(mergeCommand)`.
 */
import { availableParallelism } from "node:os";
import type { Argv, CommandModule } from "yargs";
import { MAX_SWEEP_VARIANTS } from "../core/index.js";
import { EXIT } from "./exit.js";
import { mergeShards, parseShard, runSweep, type SweepProgress } from "../sweep/index.js";

interface SweepArgs {
  file: string;
  workers?: number;
  shard?: string;
  resume: boolean;
  out?: string;
  "max-variants"?: number;
}

interface MergeArgs {
  dir: string;
}

/** "1h02m", "3m20s", "45s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/**
 * One line of the progress bar: "[#####.....] 12/40  30 %  1 failed  ETA 3m20s".
 * The ETA extrapolates the rate of the runs of this session (skipped ones excluded).
 */
export function progressLine(p: SweepProgress, elapsedS: number, width = 30): string {
  const frac = p.total === 0 ? 1 : p.done / p.total;
  const filled = Math.round(frac * width);
  const ran = p.done - p.skipped;
  const left = p.total - p.done;
  const eta = ran > 0 && left > 0 ? `  ETA ${formatDuration((elapsedS / ran) * left)}` : left === 0 ? `  done in ${formatDuration(elapsedS)}` : "";
  const failed = p.failed > 0 ? `  ${p.failed} failed` : "";
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${p.done}/${p.total}  ${Math.floor(frac * 100)} %${failed}${eta}`;
}

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: "sweep <file>",
  describe: "Run the variants of a sweep file in parallel, streaming results to <output.dir>/results.jsonl with per-group confidence intervals in summary.json",
  builder: (y: Argv<object>) =>
    y
      .positional("file", { type: "string", demandOption: true, describe: "sweep JSON file" })
      .option("workers", { type: "number", describe: "lanes: the main thread and worker threads (default: up to the cores, threads started once the work left repays their start); 0 or 1 runs in-process" })
      .option("shard", { type: "string", describe: "run only shard i of n (variants whose index % n === i), e.g. 0/4; combine with impactsim merge" })
      .option("resume", { type: "boolean", default: false, describe: "keep the results already written and run only the missing variants" })
      .option("out", { type: "string", describe: "output folder (default: the sweep file's output.dir)" })
      .option("max-variants", { type: "number", describe: `refuse a sweep that expands to more variants than this (default ${MAX_SWEEP_VARIANTS.toLocaleString("en-US")})` }) as unknown as Argv<SweepArgs>,
  handler: async (args) => {
    const shard = args.shard !== undefined ? parseShard(args.shard) : undefined;
    const tty = process.stderr.isTTY === true;
    const t0 = performance.now();
    const outcome = await runSweep({
      file: args.file,
      workers: args.workers,
      shard,
      resume: args.resume,
      out: args.out,
      maxVariants: args["max-variants"],
      onProgress: tty ? (p) => process.stderr.write(`\r${progressLine(p, (performance.now() - t0) / 1000)}\x1b[K`) : undefined,
    });
    if (tty) process.stderr.write("\n");
    const front = outcome.summary ? `; ${outcome.summary.front.length} of ${outcome.summary.groups.length} groups on the Pareto front (summary.json)` : "";
    process.stdout.write(
      `${outcome.variants} variants${shard ? ` (shard ${shard.i}/${shard.n})` : ""}: ${outcome.ran} run${outcome.ran > 0 ? ` on ${lanesText(outcome.lanes, outcome.ran, args.workers)}` : ""}, ${outcome.skipped} already done, ${outcome.failed} failed -> ${outcome.results}${front}\n`,
    );
    if (outcome.failed > 0) {
      // Say why, and exit as the failures' kind: every one bad input (3), else a simulation error (4), else a bug (1).
      for (const f of outcome.failures.slice(0, 3)) process.stderr.write(`variant ${f.index} failed: ${f.message}\n`);
      if (outcome.failures.length > 3) process.stderr.write(`... and ${outcome.failures.length - 3} more (their error lines are in ${outcome.results})\n`);
      const names = new Set(outcome.failures.map((f) => f.name));
      process.exitCode = names.size === 1 && names.has("InputError") ? EXIT.input : [...names].every((n) => n === "InputError" || n === "SimulationError") ? EXIT.simulation : EXIT.failure;
    }
  },
};

/** How many lanes a sweep's variants ran on, and why only one when more could have. */
function lanesText(lanes: number, ran: number, asked: number | undefined): string {
  if (lanes > 1) return `${lanes} lanes`;
  return asked === undefined && ran > 1 && availableParallelism() > 1 ? "1 lane (too little work to repay starting worker threads; --workers N starts them)" : "1 lane";
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: "merge <dir>",
  describe: "Combine the shard results of a sweep folder into results.jsonl and summary.json, as an unsharded run writes them",
  builder: (y: Argv<object>) => y.positional("dir", { type: "string", demandOption: true, describe: "sweep output folder holding results.shard-i-of-n.jsonl" }) as unknown as Argv<MergeArgs>,
  handler: (args) => {
    process.stdout.write(`${mergeShards(args.dir)}\n`);
  },
};
