/**
 * impactsim submit end to end (issue 14), against a real slurmctld and slurmd
 * on localhost (the bridge test's harness, test/e2e/serve/slurm.ts; skipped,
 * saying why, where Slurm is not installed or the test is not root): a batch
 * script submitted with --url goes to the real sbatch held, with its project
 * in the comment, in the suggested partition; the bridge sends it to
 * `impactsim serve`, which places it, releases it and charges the project
 * once when it ends.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlurmBridge, SlurmCli } from "../../src/bridge/index.js";
import { serviceClient, startServe, type Running } from "../../src/serve/index.js";
import { runSubmit } from "../../src/cli/submit.js";
import { sliceScenario } from "./serve/parity.js";
import { SLURM_MISSING, startSlurm, type LocalSlurm } from "./serve/slurm.js";

const ADMIN = "admin-token-for-submit-tests-0123";
const dir = mkdtempSync(join(tmpdir(), "impactsim-submit-slurm-"));
let slurm: LocalSlurm | undefined;
let serve: Running | undefined;
let scenario = "";
const CONF0 = process.env.SLURM_CONF;

if (SLURM_MISSING) console.warn(`skipped: ${SLURM_MISSING}`);

beforeAll(async () => {
  if (SLURM_MISSING) return;
  slurm = await startSlurm(["fr", "de"]);
  // sbatch, as submit runs it, finds this cluster through SLURM_CONF.
  process.env.SLURM_CONF = slurm.conf;
  scenario = sliceScenario(dir, 10, { live: true });
  serve = await startServe({ db: join(dir, "ledger.sqlite"), port: 0, scenario, clock: "real", cluster: "slurm", adminToken: ADMIN, rateLimit: 0, log: false });
});
afterAll(async () => {
  if (CONF0 === undefined) delete process.env.SLURM_CONF;
  else process.env.SLURM_CONF = CONF0;
  await serve?.close();
  await slurm?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(SLURM_MISSING !== undefined)("impactsim submit with a real Slurm on localhost", () => {
  it("submits held in the suggested partition with the project; the bridge places, releases and the service charges it once", async () => {
    const { token } = (await serviceClient({ url: serve!.url, token: ADMIN })("POST", "/v1/projects/p3/tokens", { label: "submit-test" })) as { token: string };
    const script = join(dir, "job.sh");
    writeFileSync(script, "#!/bin/sh\n#SBATCH -n 1\n#SBATCH -t 1\ntrue\n");
    let out = "";
    // Preference 0 (time only): the suggestion starts it as early as it can, so no --begin holds the test up.
    const code = await runSubmit([`--chdir=${slurm!.dir}`, script, "--scenario", scenario, "--preference", "0", "--url", serve!.url, "--project", "p3", "--token", token], { write: (s) => (out += s) });
    expect(code).toBe(0);
    const id = Number(/submitted Slurm job (\d+)/.exec(out)?.[1]);
    const partition = /--partition=(\w+): suggested/.exec(out)?.[1];
    expect(["fr", "de"]).toContain(partition);
    const cli = new SlurmCli({ conf: slurm!.conf, jobcompLog: slurm!.jobcompLog });
    const queued = (await cli.queue()).find((j) => j.id === id)!;
    expect([queued.state, queued.reason, queued.partition, queued.comment]).toEqual(["PENDING", "JobHeldUser", partition, "impactsim:project=p3"]);
    const bridge = new SlurmBridge({ slurm: cli, service: serviceClient({ url: serve!.url, token: ADMIN }) });
    const deadline = Date.now() + 60_000;
    while (bridge.phase(id) !== "ended") {
      if (Date.now() > deadline) throw new Error(`job ${id} did not end within 60 s (phase ${bridge.phase(id)})`);
      await bridge.step();
      await new Promise((r) => setTimeout(r, 300));
    }
    const st = serve!.service.status(id)!;
    expect(st).toMatchObject({ state: "ended", project: "p3" });
    const entries = await serve!.ledger.entries({ project: "p3" });
    expect(entries.map((e) => [e.key, e.kind, e.basis])).toEqual([[`slurm/job/${id}`, "charge", "model"]]);
    expect(entries[0].energyFacilityJ).toBeGreaterThan(0);
  });
});
