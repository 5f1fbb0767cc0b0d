/**
 * impactsim command line. Thin: parse flags, call the library, print.
 * Exit codes: 0 success, 1 unexpected failure, 2 usage error, 3 invalid input
 * (with file, line and field), 4 simulation error.
 *
 * estimate reads sbatch options itself (yargs must not judge them) and is
 * loaded alone, without yargs and the sweep machinery, so it answers fast from
 * a cold start; run reads the plain forms of its options without yargs too
 * (run.ts); every other command, and any other form, goes through yargs
 * (commands.ts).
 */
import { InputError, SimulationError, UsageError } from "../core/index.js";
import { EXIT } from "./exit.js";
import { readFileSync } from "node:fs";
import { describeFsError, shippedPath } from "../io/index.js";

/** A Node file-system error that names its path (ENOENT, EISDIR, EACCES, ...). */
function isFsError(err: unknown): err is Error & { code: string; path: string } {
  const e = err as { code?: unknown; path?: unknown } | null;
  return err instanceof Error && typeof e?.code === "string" && typeof e.path === "string";
}

export { EXIT };

// A reader that stops early (impactsim ... | head) is not an error: stop quietly.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
  throw err;
});

async function main(argv: string[]): Promise<number> {
  // The version alone, as yargs prints it, without loading every command's module (yargs' --version needs them all).
  if (argv.length === 1 && argv[0] === "--version") {
    process.stdout.write(`${(JSON.parse(readFileSync(shippedPath("package.json"), "utf8")) as { version: string }).version}\n`);
    return EXIT.ok;
  }
  if (argv[0] === "estimate") return (await import("./estimate.js")).runEstimate(argv.slice(1));
  if (argv[0] === "run") {
    // The plain forms of run's options are read without loading yargs (run.ts); anything else goes to yargs.
    const run = await import("./run.js");
    const args = run.fastRunArgs(argv.slice(1));
    if (args !== undefined) {
      await run.runCommand(args);
      return EXIT.ok;
    }
  }
  return (await import("./commands.js")).commands(argv);
}

main(process.argv.slice(2)).then(
  (code) => {
    // A command handler may have set a failing code itself (sweep's failed variants): keep it.
    if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof InputError) {
      // Options it does not understand are usage errors; bad values and files are invalid input.
      const usage = err.issues.length > 0 && err.issues.every((i) => i.code === "unknown_option");
      process.stderr.write(`impactsim: ${usage ? "unknown option" : "invalid input"}:\n${err.message}\n${usage ? '\nRun "impactsim estimate --help" for the options it reads.\n' : ""}`);
      process.exitCode = usage ? EXIT.usage : EXIT.input;
    } else if (err instanceof UsageError) {
      process.stderr.write(`impactsim: ${err.message}\n\nRun "impactsim --help" for usage.\n`);
      process.exitCode = EXIT.usage;
    } else if (err instanceof SimulationError) {
      process.stderr.write(`impactsim: simulation failed: ${err.message}\n`);
      process.exitCode = EXIT.simulation;
    } else if (isFsError(err)) {
      // A file the library opened without its own check: still the user's input, named, no stack.
      process.stderr.write(`impactsim: invalid input:\n${err.path}: ${describeFsError(err)}\n`);
      process.exitCode = EXIT.input;
    } else {
      // A bug: say so plainly; the stack only on request.
      const debug = process.env.IMPACTSIM_DEBUG === "1";
      const text = err instanceof Error ? (debug ? (err.stack ?? err.message) : `${err.name}: ${err.message}`) : String(err);
      process.stderr.write(`impactsim: internal error (a bug in impactsim; please report it): ${text}\n${debug ? "" : "Set IMPACTSIM_DEBUG=1 to see where it happened.\n"}`);
      process.exitCode = EXIT.failure;
    }
  },
);
