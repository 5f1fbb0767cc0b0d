/**
 * Replay parity and crash safety of the live service (issue 14). The oracle is
 * the simulator: `impactsim run` on the same scenario. The service, driven on
 * a simulated clock by a replay of the trace (serve/replay.ts: jobs submitted
 * at their submit times, reported ended when they would end where the service
 * placed them), must decide the same starts and charge each job exactly the
 * run's figures, once; in process over the whole default scenario, over HTTP
 * to a service process, and with that process killed (SIGKILL) at random
 * moments and restarted on the same ledger.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rngSeeded } from "../../src/core/index.js";
import { openLedger } from "../../src/ledger/index.js";
import { httpTarget, inProcessTarget, loadServiceWorld, replay, scenarioJobs, Service } from "../../src/serve/index.js";
import { freePort, servers, type ServerProcess, type Servers } from "./serve/harness.js";
import { mismatches, runExpected, sliceScenario } from "./serve/parity.js";

const ADMIN = "admin-token-for-replay-tests-0123";
const dir = mkdtempSync(join(tmpdir(), "impactsim-serve-replay-"));
let procs: Servers;

beforeAll(async () => {
  procs = await servers();
});
afterAll(async () => {
  await procs?.stopAll();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs f; a failure carries the service processes' last log lines (an internal error's cause is only in the log). */
async function showingLog<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nthe service processes' last log lines:\n${procs.logTail() || "(none)"}`, { cause: err });
  }
}

describe("the service replaying a trace on a simulated clock", () => {
  it("in process, over the whole default scenario (3,145 jobs): the run's starts and bit-identical charges", async () => {
    const scenario = sliceScenario(dir);
    const expected = await runExpected(scenario, join(dir, "run-all"));
    const world = await loadServiceWorld(scenario);
    const ledger = await openLedger(join(dir, "all.sqlite"));
    const s = await Service.open({ world, ledger, clock: "simulated", cluster: "ci" });
    const r = await replay(inProcessTarget(s), await scenarioJobs(world), world.platform);
    const entries = await ledger.entries();
    await s.close();
    await ledger.close();
    expect(expected.size).toBe(3145);
    expect(mismatches(expected, r.starts, entries)).toEqual([]);
  });

  it("over HTTP to a service process (first 400 jobs): the same starts and charges", async () => {
    const scenario = sliceScenario(dir, 400);
    const expected = await runExpected(scenario, join(dir, "run-400"));
    const db = join(dir, "http.sqlite");
    const p = await procs.start({ db, port: 0, scenario, clock: "simulated", cluster: "ci", adminToken: ADMIN, rateLimit: 0, log: "warn" });
    const world = await loadServiceWorld(scenario);
    const r = await showingLog(async () => replay(httpTarget({ url: p.url, token: ADMIN }), await scenarioJobs(world), world.platform));
    await p.stop();
    const ledger = await openLedger(db);
    const entries = await ledger.entries();
    await ledger.close();
    expect(mismatches(expected, r.starts, entries)).toEqual([]);
  });

  it("killed with SIGKILL at up to 12 random moments and restarted on its ledger (first 1,200 jobs): no charge lost, none duplicated, every figure the run's", async () => {
    const scenario = sliceScenario(dir, 1200);
    const expected = await runExpected(scenario, join(dir, "run-1200"));
    const db = join(dir, "crash.sqlite");
    const port = await freePort();
    const opts = { db, port, scenario, clock: "simulated" as const, cluster: "ci", adminToken: ADMIN, rateLimit: 0, log: "warn" as const };
    let p: ServerProcess = await procs.start(opts);
    const world = await loadServiceWorld(scenario);
    const jobs = await scenarioJobs(world);
    let done = false;
    let kills = 0;
    let retries = 0;
    const rng = rngSeeded(14);
    // The killer: waits a random 0.1 to 0.7 s, kills the service mid-flight, starts it again on the same port and ledger.
    // (Up to 12 kills: a kill between a write and its answer is what found the repeated end; more kills, more such moments.)
    const killer = (async () => {
      while (!done && kills < 12) {
        await new Promise((r) => setTimeout(r, 100 + 600 * rng.next()));
        if (done) break;
        await p.stop("SIGKILL");
        kills++;
        p = await procs.start(opts);
      }
    })();
    const r = await showingLog(() => replay(httpTarget({ url: `http://127.0.0.1:${port}`, token: ADMIN, retryMs: 120_000, onRetry: () => retries++ }), jobs, world.platform));
    done = true;
    await killer;
    await p.stop();
    const ledger = await openLedger(db);
    const entries = await ledger.entries();
    await ledger.close();
    expect(kills).toBeGreaterThan(0);
    expect(retries).toBeGreaterThan(0);
    expect(new Set(entries.map((e) => e.key)).size).toBe(entries.length);
    expect(mismatches(expected, r.starts, entries)).toEqual([]);
  });
});
