/**
 * `impactsim bridge`: the Slurm bridge daemon (bridge/SlurmBridge) between a
 * real Slurm and a running `impactsim serve`. A yargs command module,
 * registered in commands.ts. Each round reads squeue, sends held jobs to the
 * service, applies its decisions (partition, release) and reports ends; every
 * action is a JSON line on stderr. Stops on SIGINT and SIGTERM between rounds.
 */
import type { Argv, CommandModule } from "yargs";
import { UsageError } from "../core/index.js";
import { SlurmBridge, SlurmCli } from "../bridge/index.js";
import { readTokenFile, serviceClient } from "../serve/index.js";

interface BridgeArgs {
  url: string;
  "admin-token-file"?: string;
  "slurm-conf"?: string;
  "jobcomp-log"?: string;
  interval: number;
  "default-project": string;
  once: boolean;
}

export const bridgeCommand: CommandModule<object, BridgeArgs> = {
  command: "bridge",
  describe: "Bridge a real Slurm to impactsim serve: held jobs placed by the planner (partition = site), released, charged when they end (see docs/serve.md)",
  builder: (y: Argv<object>) =>
    y
      .option("url", { type: "string", demandOption: true, describe: "the service, e.g. http://127.0.0.1:8080" })
      .option("admin-token-file", { type: "string", describe: "file whose first line is the service's admin token (else IMPACTSIM_ADMIN_TOKEN)" })
      .option("slurm-conf", { type: "string", describe: "slurm.conf of the cluster (SLURM_CONF); default the system's" })
      .option("jobcomp-log", { type: "string", describe: "the jobcomp/filetxt log (JobCompLoc), read for jobs squeue no longer lists" })
      .option("interval", { type: "number", default: 2, describe: "seconds between rounds" })
      .option("default-project", { type: "string", default: "default", describe: "project of a job with neither impactsim:project=NAME in its comment nor an account" })
      .option("once", { type: "boolean", default: false, describe: "one round, then exit" }) as unknown as Argv<BridgeArgs>,
  handler: async (a) => {
    if (!(a.interval > 0)) throw new UsageError(`--interval: expected seconds > 0, got ${a.interval}`);
    const token = a["admin-token-file"] !== undefined ? readTokenFile(a["admin-token-file"]) : process.env.IMPACTSIM_ADMIN_TOKEN;
    if (!token) throw new UsageError("expected the service's admin token: --admin-token-file FILE or IMPACTSIM_ADMIN_TOKEN");
    const bridge = new SlurmBridge({
      slurm: new SlurmCli({ conf: a["slurm-conf"], jobcompLog: a["jobcomp-log"] }),
      service: serviceClient({ url: a.url.replace(/\/+$/, ""), token }),
      defaultProject: a["default-project"],
      log: (e) => process.stderr.write(JSON.stringify({ time: new Date().toISOString(), ...e }) + "\n"),
    });
    let stopping = false;
    const stop = () => (stopping = true);
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    try {
      do {
        try {
          await bridge.step();
        } catch (err) {
          if (a.once) throw err;
          // A round that failed (Slurm or the service unreachable) is tried again next time.
          process.stderr.write(JSON.stringify({ time: new Date().toISOString(), kind: "round_failed", message: (err as Error).message }) + "\n");
        }
        if (a.once) break;
        for (let waited = 0; waited < a.interval * 1000 && !stopping; waited += 100) await new Promise((r) => setTimeout(r, 100));
      } while (!stopping);
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    }
  },
};
