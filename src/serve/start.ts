/**
 * `impactsim serve` as a function: opens the ledger, loads the scenario's
 * world, replays the service's event log, stores the admin token's hash, and
 * listens.
 */
import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { InputError } from "../core/index.js";
import { openLedger, type LedgerStore } from "../ledger/index.js";
import { Tokens } from "./auth.js";
import { buildApp } from "./http.js";
import { ServiceMetrics } from "./metrics.js";
import { Service, type ClockMode } from "./service.js";
import { loadServiceWorld } from "./world.js";

export interface ServeOptions {
  /** A SQLite file or a postgres:// URL. */
  readonly db: string;
  readonly port: number;
  readonly host?: string;
  readonly scenario?: string;
  readonly policy?: string;
  readonly clock?: ClockMode;
  readonly cluster?: string;
  /** The admin token (its hash is stored); from --admin-token-file or IMPACTSIM_ADMIN_TOKEN. */
  readonly adminToken?: string;
  readonly bodyLimit?: number;
  readonly rateLimit?: number;
  readonly log?: false | "info" | "debug" | "warn";
}

export interface Running {
  readonly app: FastifyInstance;
  readonly service: Service;
  readonly ledger: LedgerStore;
  /** Where it listens, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  close(): Promise<void>;
}

/** The admin token from a file (first line), trimmed. @throws InputError naming the option */
export function readTokenFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new InputError([{ code: "io_error", file: "--admin-token-file", message: `expected a readable file, got ${path}: ${(err as Error).message}`, value: path }]);
  }
  const token = text.split(/\r?\n/)[0].trim();
  if (token.length < 16) throw new InputError([{ code: "invalid_value", file: "--admin-token-file", message: `expected a token of at least 16 characters on the first line of ${path}, got ${token.length}` }]);
  return token;
}

/** @throws InputError on a bad scenario, database or token */
export async function startServe(o: ServeOptions): Promise<Running> {
  const world = await loadServiceWorld(o.scenario, { policy: o.policy });
  const ledger = await openLedger(o.db);
  const metrics = new ServiceMetrics();
  try {
    const service = await Service.open({ world, ledger, clock: o.clock ?? "real", cluster: o.cluster ?? "cluster" });
    const tokens = await Tokens.load(ledger);
    if (o.adminToken !== undefined) {
      if (o.adminToken.length < 16) throw new InputError([{ code: "invalid_value", file: "IMPACTSIM_ADMIN_TOKEN", message: `expected a token of at least 16 characters, got ${o.adminToken.length}` }]);
      await tokens.add(o.adminToken, "admin", "admin");
    }
    const app = await buildApp({ service, ledger, tokens, metrics, bodyLimit: o.bodyLimit, rateLimit: o.rateLimit, log: o.log });
    const url = await app.listen({ port: o.port, host: o.host ?? "127.0.0.1" });
    return {
      app,
      service,
      ledger,
      url,
      async close() {
        await app.close();
        await service.close();
        await ledger.close();
      },
    };
  } catch (err) {
    await ledger.close();
    throw err;
  }
}
