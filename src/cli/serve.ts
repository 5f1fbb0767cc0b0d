/**
 * `impactsim serve`: the live service (HTTP JSON API over the planner, the
 * live world and the durable ledger). A yargs command module, registered in
 * commands.ts. Stops cleanly on SIGINT and SIGTERM (requests in progress
 * finish; a kill at any other moment loses nothing: the service replays its
 * event log when it starts again).
 */
import type { Argv, CommandModule } from "yargs";
import { UsageError } from "../core/index.js";
import { DEFAULT_BODY_LIMIT, DEFAULT_RATE_LIMIT, readTokenFile, startServe } from "../serve/index.js";

interface ServeArgs {
  scenario?: string;
  db: string;
  port: number;
  host: string;
  policy?: string;
  clock: "real" | "simulated";
  cluster: string;
  "admin-token-file"?: string;
  "body-limit": number;
  "rate-limit": number;
  log: string;
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: "serve [scenario]",
  describe: "Run the live service: placement decisions, impact charges and budgets over an HTTP JSON API (see docs/serve.md)",
  builder: (y: Argv<object>) =>
    y
      .positional("scenario", { type: "string", describe: "scenario whose platform, grid series, forecasts, policy and QoS classes the service uses (default: the bundled one)" })
      .option("db", { type: "string", demandOption: true, describe: "the ledger: a SQLite file (created when missing) or a postgres://user:password@host:port/db URL" })
      .option("port", { type: "number", default: 8080, describe: "TCP port (0: any free one, printed)" })
      .option("host", { type: "string", default: "127.0.0.1", describe: "address to listen on" })
      .option("policy", { type: "string", describe: "a built-in policy replacing the scenario's" })
      .option("clock", { type: "string", choices: ["real", "simulated"], default: "real", describe: "real: events happen when received; simulated: the clock moves by POST /v1/clock (replays)" })
      .option("cluster", { type: "string", default: "cluster", describe: "name of the cluster in charge keys (<cluster>/job/<id>)" })
      .option("admin-token-file", { type: "string", describe: "file whose first line is the admin token (else IMPACTSIM_ADMIN_TOKEN); its hash is stored, never the token" })
      .option("body-limit", { type: "number", default: DEFAULT_BODY_LIMIT, describe: "largest request body, bytes" })
      .option("rate-limit", { type: "number", default: DEFAULT_RATE_LIMIT, describe: "requests per second per client (bursts of twice that); 0: none" })
      .option("log", { type: "string", choices: ["info", "debug", "warn", "off"], default: "info", describe: "structured JSON logs on stderr (tokens never logged)" }) as unknown as Argv<ServeArgs>,
  handler: async (args) => {
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new UsageError(`--port: expected a TCP port from 0 to 65535, got ${args.port}`);
    if (!(args["body-limit"] >= 1024)) throw new UsageError(`--body-limit: expected at least 1024 bytes, got ${args["body-limit"]}`);
    if (!(args["rate-limit"] >= 0)) throw new UsageError(`--rate-limit: expected requests per second >= 0, got ${args["rate-limit"]}`);
    const adminToken = args["admin-token-file"] !== undefined ? readTokenFile(args["admin-token-file"]) : process.env.IMPACTSIM_ADMIN_TOKEN;
    const running = await startServe({
      db: args.db,
      port: args.port,
      host: args.host,
      scenario: args.scenario,
      policy: args.policy,
      clock: args.clock,
      cluster: args.cluster,
      adminToken,
      bodyLimit: args["body-limit"],
      rateLimit: args["rate-limit"],
      log: args.log === "off" ? false : (args.log as "info" | "debug" | "warn"),
    });
    process.stdout.write(`impactsim serve: listening on ${running.url} (clock ${args.clock}, ${running.service.events} events replayed from ${args.db.replace(/:[^:@/]*@/, ":***@")}${adminToken === undefined ? "; no admin token given: only tokens already stored work" : ""})\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        void running.close().then(resolve, resolve);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
  },
};
