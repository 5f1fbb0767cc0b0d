/**
 * Requests repeated across a restart, and writes that fail (serve/service.ts).
 * A cluster (or the replay client) retries a request whose answer it never got:
 * the service may have written the event before it died. The repeat must
 * change nothing, also while the job's reported end is still pending on a
 * simulated clock; a log that already holds such a repeat (written before this
 * check) must replay; and an event applied in memory but not written leaves the
 * service refusing requests until a restart rebuilds it from the log.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLedger, type LedgerStore } from "../../../src/ledger/index.js";
import { buildApp, loadServiceWorld, Service, ServiceFailedError, ServiceMetrics, Tokens, type JobRequest, type ServiceWorld } from "../../../src/serve/index.js";

const dir = mkdtempSync(join(tmpdir(), "impactsim-serve-repeats-"));
let world: ServiceWorld;
let n = 0;
const job = (id: number): JobRequest => ({ id, project: "p1", user: "alice", cores: 4, walltime_s: 3600 });
const ledgerHere = () => openLedger(join(dir, `l${n++}.sqlite`));
const open = (ledger: LedgerStore) => Service.open({ world, ledger, clock: "simulated", cluster: "t" });
/** A service on a new ledger, with job 1 submitted and started at t. */
async function runningJob(t: number): Promise<{ ledger: LedgerStore; s: Service }> {
  const ledger = await ledgerHere();
  const s = await open(ledger);
  await s.submit(job(1), t);
  await s.tick(t);
  return { ledger, s };
}
const charges = async (ledger: LedgerStore) => (await ledger.entries()).filter((e) => e.kind === "charge").map((e) => e.key);

beforeAll(async () => {
  world = await loadServiceWorld();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("repeated requests and failed writes", () => {
  it("an end reported again after a restart, before the clock reached it, is a repeat: one end event, one charge", async () => {
    const { ledger, s: a } = await runningJob(60);
    expect(a.status(1)?.state).toBe("running");
    await a.end(1, false, 1860);
    // The service dies here, before answering; the client sends the end again to the restarted one.
    const b = await open(ledger);
    const events = (await ledger.events()).length;
    const again = await b.end(1, false, 1860);
    expect(again.result).toMatchObject({ id: 1, state: "running", reportedEnd: 1860 });
    expect((await ledger.events()).length).toBe(events);
    await b.tick(1860);
    expect(b.status(1)).toMatchObject({ state: "ended", ended: 1860, charge: "t/job/1" });
    expect(await charges(ledger)).toEqual(["t/job/1"]);
    await ledger.close();
  });

  it("an end sent twice to the same service before the clock reaches it is written once", async () => {
    const { ledger, s } = await runningJob(0);
    await s.end(1, false, 500);
    await s.end(1, false, 500);
    const ends = (await ledger.events()).filter((e) => (e.body as { kind: string }).kind === "end");
    expect(ends.length).toBe(1);
    await s.tick(500);
    expect(await charges(ledger)).toEqual(["t/job/1"]);
    await ledger.close();
  });

  it("a start reported again after the job ended (its answer lost) is a repeat, not an error", async () => {
    const { ledger, s } = await runningJob(0);
    await s.started(1, 0);
    await s.end(1, false, 100);
    await s.tick(100);
    const events = (await ledger.events()).length;
    const again = await s.started(1, 100);
    expect(again.result).toMatchObject({ id: 1, state: "ended", reportedStart: 0 });
    expect((await ledger.events()).length).toBe(events);
    await ledger.close();
  });

  it("a log that already holds an end twice (an earlier edition wrote repeats) replays and charges the job once", async () => {
    const ledger = await ledgerHere();
    const body = [
      { kind: "submit", t: 60, job: job(1) },
      { kind: "clock", t: 60 },
      { kind: "end", t: 1860, id: 1, killed: false },
      { kind: "end", t: 1860, id: 1, killed: false },
    ];
    await ledger.setKv("serve.clock", "simulated");
    for (const e of body) await ledger.appendEvent(e.t, e);
    const s = await open(ledger);
    expect(s.status(1)?.state).toBe("running");
    await s.tick(1860);
    expect(s.status(1)).toMatchObject({ state: "ended", charge: "t/job/1" });
    expect(await charges(ledger)).toEqual(["t/job/1"]);
    await ledger.close();
  });

  it("an event applied and not written: that request fails, every later one gets ServiceFailedError and /healthz 503, and a restart rebuilds the state from the log", async () => {
    const ledger = await ledgerHere();
    const s = await open(ledger);
    await s.submit(job(1), 0);
    const append = ledger.appendEvent.bind(ledger);
    ledger.appendEvent = async () => {
      throw new Error("disk I/O error");
    };
    await expect(s.tick(0)).rejects.toThrow("disk I/O error");
    ledger.appendEvent = append;
    await expect(s.submit(job(2), 10)).rejects.toBeInstanceOf(ServiceFailedError);
    expect(s.failed?.message).toMatch(/disk I\/O error.*restart it/);
    const app = await buildApp({ service: s, ledger, tokens: await Tokens.load(ledger), metrics: new ServiceMetrics(), rateLimit: 0 });
    const health = await app.inject({ method: "GET", url: "/healthz" });
    expect([health.statusCode, health.json().status]).toEqual([503, "failed"]);
    await app.close();
    // Restarted: the failed tick was never written, so job 1 waits again, and the clock moves on.
    const b = await open(ledger);
    expect(b.failed).toBeUndefined();
    expect(b.status(1)?.state).toBe("waiting");
    await b.tick(0);
    expect(b.status(1)?.state).toBe("running");
    await ledger.close();
  });

  it("a write that cannot begin (a busy database) changes nothing: the next request is served", async () => {
    const ledger = await ledgerHere();
    const s = await open(ledger);
    const tx = ledger.db.tx;
    (ledger.db as { tx: typeof tx }).tx = async () => {
      throw new Error("database is locked");
    };
    await expect(s.submit(job(1), 0)).rejects.toThrow("database is locked");
    (ledger.db as { tx: typeof tx }).tx = tx;
    expect(s.failed).toBeUndefined();
    expect(s.status(1)).toBeUndefined();
    await s.submit(job(1), 0);
    await s.tick(0);
    expect(s.status(1)?.state).toBe("running");
    await ledger.close();
  });
});
