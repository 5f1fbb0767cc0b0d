/**
 * impactsim command line. Thin: parse flags, call the library, print.
 * Exit codes: 0 success, 1 unexpected failure, 2 usage error, 3 invalid input
 * (with file, line and field), 4 simulation error.
 *
 * estimate reads sbatch options itself (yargs must not judge them) and is
 * loaded alone, without yargs and the sweep machinery, so it answers fast from
 * a cold start; every other command goes through yargs (commands.ts).
 */
import { InputError, SimulationError } from "../core/errors.js";
import { EXIT } from "./exit.js";

export { EXIT };

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "estimate") return (await import("./estimate.js")).runEstimate(argv.slice(1));
  return (await import("./commands.js")).commands(argv);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof InputError) {
      // Options it does not understand are usage errors; bad values and files are invalid input.
      const usage = err.issues.length > 0 && err.issues.every((i) => i.code === "unknown_option");
      process.stderr.write(`impactsim: ${usage ? "unknown option" : "invalid input"}:\n${err.message}\n${usage ? '\nRun "impactsim estimate --help" for the options it reads.\n' : ""}`);
      process.exitCode = usage ? EXIT.usage : EXIT.input;
    } else if (err instanceof SimulationError) {
      process.stderr.write(`impactsim: simulation failed: ${err.message}\n`);
      process.exitCode = EXIT.simulation;
    } else {
      process.stderr.write(`impactsim: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = EXIT.failure;
    }
  },
);
