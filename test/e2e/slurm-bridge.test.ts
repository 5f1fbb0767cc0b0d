/**
 * The Slurm bridge end to end (issue 14), against a real slurmctld and slurmd
 * on localhost (test/e2e/serve/slurm.ts; skipped, saying why, where Slurm is
 * not installed or the test is not root): a job submitted held to the real
 * Slurm is sent to `impactsim serve` (real clock), placed by the planner on a
 * site, moved to that site's partition and released, runs, and is charged in
 * the ledger once, by the model, at the site the planner chose.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlurmBridge, SlurmCli, type BridgeEvent } from "../../src/bridge/index.js";
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
  slurm = await startSlurm(["fr", "de"]);
  serve = await startServe({ db: join(dir, "ledger.sqlite"), port: 0, scenario: sliceScenario(dir, 10, { live: true }), clock: "real", cluster: "slurm", adminToken: ADMIN, rateLimit: 0, log: false });
});
afterAll(async () => {
  await serve?.close();
  await slurm?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(SLURM_MISSING !== undefined)("the Slurm bridge with a real Slurm on localhost", () => {
  it("a held job is sent to the service, placed on the planner's site, released, runs, and is charged once", async () => {
    const cli = new SlurmCli({ conf: slurm!.conf, jobcompLog: slurm!.jobcompLog });
    const log: BridgeEvent[] = [];
    const bridge = new SlurmBridge({ slurm: cli, service: serviceClient({ url: serve!.url, token: ADMIN }), log: (e) => log.push(e) });
    // Submitted held to the default partition (fr); one unheld job the bridge must leave alone.
    const id = await cli.sbatch(["-H", "-n", "2", "-t", "1", "--comment=impactsim:project=p1", "-J", "bridged", "--wrap", "sleep 1"]);
    const free = await cli.sbatch(["-n", "1", "-t", "1", "-J", "free", "--wrap", "true"]);
    const before = (await cli.queue()).find((j) => j.id === id)!;
    expect([before.state, before.reason]).toEqual(["PENDING", "JobHeldUser"]);
    const deadline = Date.now() + 60_000;
    while (bridge.phase(id) !== "ended") {
      if (Date.now() > deadline) throw new Error(`the job did not end within 60 s: ${JSON.stringify(log)}; squeue: ${execFileSync("squeue", [], { env: { ...process.env, SLURM_CONF: slurm!.conf }, encoding: "utf8" })}`);
      await bridge.step();
      await new Promise((r) => setTimeout(r, 300));
    }
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
});
