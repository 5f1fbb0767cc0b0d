/**
 * The Slurm bridge end to end (issue 14), against a real slurmctld and slurmd
 * on localhost (test/e2e/serve/slurm.ts; skipped, saying why, where Slurm is
 * not installed or the test is not root): a job submitted held to the real
 * Slurm is sent to `impactsim serve` (real clock), placed by the planner on a
 * site, moved to that site's partition and released, runs, and is charged in
 * the ledger once, by the model, at the site the planner chose. With the
 * job_submit.lua script (src/bridge/job_submit.lua) loaded, a job submitted
 * without -H is held at submission and placed alike; impactsim:skip in its
 * comment leaves a job to Slurm.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../src/io/paths.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HELD, SlurmBridge, SlurmCli, type BridgeEvent } from "../../src/bridge/index.js";
import { serviceClient, startServe, type Running } from "../../src/serve/index.js";
import { sliceScenario } from "./serve/parity.js";
import { SLURM_MISSING, startSlurm, type LocalSlurm } from "./serve/slurm.js";

const ADMIN = "admin-token-for-slurm-tests-0123";
const dir = mkdtempSync(join(tmpdir(), "impactsim-bridge-"));
let slurm: LocalSlurm | undefined;
let serve: Running | undefined;

if (SLURM_MISSING) console.warn(`skipped: ${SLURM_MISSING}`);

beforeAll(async () => {
  if (SLURM_MISSING) return;
  slurm = await startSlurm(["fr", "de"], { jobSubmitLua: join(PACKAGE_ROOT, "src/bridge/job_submit.lua") });
  serve = await startServe({ db: join(dir, "ledger.sqlite"), port: 0, scenario: sliceScenario(dir, 10, { live: true }), clock: "real", cluster: "slurm", adminToken: ADMIN, rateLimit: 0, log: false });
});
afterAll(async () => {
  await serve?.close();
  await slurm?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs bridge rounds until job `id` has ended (60 s at most). */
async function untilEnded(bridge: SlurmBridge, id: number, log: readonly BridgeEvent[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (bridge.phase(id) !== "ended") {
    if (Date.now() > deadline) throw new Error(`job ${id} did not end within 60 s: ${JSON.stringify(log)}; squeue: ${execFileSync("squeue", [], { env: { ...process.env, SLURM_CONF: slurm!.conf }, encoding: "utf8" })}`);
    await bridge.step();
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe.skipIf(SLURM_MISSING !== undefined)("the Slurm bridge with a real Slurm on localhost", () => {
  it("a held job is sent to the service, placed on the planner's site, released, runs, and is charged once", async () => {
    const cli = new SlurmCli({ conf: slurm!.conf, jobcompLog: slurm!.jobcompLog });
    const log: BridgeEvent[] = [];
    const bridge = new SlurmBridge({ slurm: cli, service: serviceClient({ url: serve!.url, token: ADMIN }), log: (e) => log.push(e) });
    // Submitted held to the default partition (fr); one job the script leaves unheld (impactsim:skip), which the bridge must leave alone.
    const id = await cli.sbatch([`--chdir=${slurm!.dir}`, "-H", "-n", "2", "-t", "1", "--comment=impactsim:project=p1", "-J", "bridged", "--wrap", "sleep 1"]);
    const free = await cli.sbatch([`--chdir=${slurm!.dir}`, "-n", "1", "-t", "1", "-J", "free", "--comment=impactsim:skip", "--wrap", "true"]);
    const before = (await cli.queue()).find((j) => j.id === id)!;
    expect([before.state, before.reason]).toEqual(["PENDING", "JobHeldUser"]);
    await untilEnded(bridge, id, log);
    const placed = log.find((e) => e.kind === "placed" && e.id === id) as Extract<BridgeEvent, { kind: "placed" }>;
    expect(placed).toBeDefined();
    // Slurm ran it in the partition of the site the service chose.
    const done = (await cli.queue()).find((j) => j.id === id) ?? (await cli.finished()).get(id)!;
    expect([done.state, done.partition]).toEqual(["COMPLETED", placed.partition]);
    const st = serve!.service.status(id)!;
    expect(st).toMatchObject({ state: "ended", project: "p1", decision: { kind: "start", site: placed.site } });
    const entries = await serve!.ledger.entries({ project: "p1" });
    expect(entries.map((e) => [e.key, e.kind, e.site, e.basis])).toEqual([[`slurm/job/${id}`, "charge", placed.site, "model"]]);
    expect(entries[0].energyFacilityJ).toBeGreaterThan(0);
    expect(bridge.unmanaged.has(free)).toBe(true);
    expect(serve!.service.status(free)).toBeUndefined();
  });

  it("job_submit.lua holds a job submitted without -H; the bridge places, releases and charges it", async () => {
    const cli = new SlurmCli({ conf: slurm!.conf, jobcompLog: slurm!.jobcompLog });
    const log: BridgeEvent[] = [];
    const bridge = new SlurmBridge({ slurm: cli, service: serviceClient({ url: serve!.url, token: ADMIN }), log: (e) => log.push(e) });
    const id = await cli.sbatch([`--chdir=${slurm!.dir}`, "-n", "1", "-t", "2", "--comment=impactsim:project=p2", "--wrap", "true"]);
    const before = (await cli.queue()).find((j) => j.id === id)!;
    // Held by the script's priority 0 (Slurm says JobHeldUser when root submits).
    expect([before.state, HELD.has(before.reason)]).toEqual(["PENDING", true]);
    await untilEnded(bridge, id, log);
    const entries = await serve!.ledger.entries({ project: "p2" });
    expect(entries.map((e) => [e.key, e.kind, e.basis])).toEqual([[`slurm/job/${id}`, "charge", "model"]]);
  });
});
