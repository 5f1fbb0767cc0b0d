/**
 * `impactsim ledger` and `impactsim serve` from the command line (issue 14):
 * grants, balances, statements and the CSV export read back what was written,
 * with hand-computed figures; bad options exit 2 (usage) or 3 (invalid input)
 * naming the option, without a stack trace.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { N_COORDS } from "../../src/core/index.js";
import { N_IMPACTS, openLedger } from "../../src/ledger/index.js";
import { bundleCli, stackLines, type Cli } from "../helpers/cli.js";

let impactsim: Cli;
const dir = mkdtempSync(join(tmpdir(), "impactsim-ledger-cli-"));
const db = join(dir, "ledger.sqlite");
const JAN = Date.parse("2020-01-15T00:00:00Z") / 1000;

beforeAll(async () => {
  impactsim = await bundleCli();
  // Two charges of p1 in January: 0.5 + 0.25 Pt, 2 + 1 kWh, climate change 0.1 + 0.05 kg in use.
  const ledger = await openLedger(db);
  for (const [i, score, kwh, cc] of [[1, 0.5, 2, 0.1], [2, 0.25, 1, 0.05]] as const) {
    const impacts = new Array<number>(N_IMPACTS).fill(0);
    impacts[2 * N_COORDS] = cc;
    await ledger.charge({ key: `ci/job/${i}`, job: String(i), project: "p1", user: "alice", site: "fr", nodeType: "dell-r640", start: JAN + i * 3600, end: JAN + i * 3600 + 1800, energyItJ: (kwh * 3.6e6) / 1.5, energyFacilityJ: kwh * 3.6e6, impacts, singleScorePt: score, basis: "model", provenance: { model: "test" }, waste: { killed: false, walltime_unused_core_s: 0, idle_reserved_core_s: 0 } });
  }
  await ledger.close();
});
afterAll(() => {
  impactsim?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => impactsim.run(args);

describe("impactsim ledger", () => {
  it("grant, then balance: granted less charged (10 - 0.75 = 9.25 Pt); the same grant key again grants once", () => {
    const g = ["ledger", "grant", "--db", db, "--project", "p1", "--amount", "10", "--from", "2020-01-01T00:00:00Z", "--to", "2020-02-01T00:00:00Z", "--key", "jan"];
    expect(cli(...g).stdout).toMatch(/^granted: 10 score_pt to p1 \(key jan\)/);
    expect(cli(...g).stdout).toMatch(/^already granted/);
    const b = cli("ledger", "balance", "--db", db, "--project", "p1", "--at", "2020-01-20T00:00:00Z", "--json");
    expect(b.status).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({ project: "p1", unit: "score_pt", granted: 10, charged: 0.75, left: 9.25, jobs: 2 });
  });

  it("statement: 2 jobs, 3 kWh, 0.15 kg CO2e in use; export: one CSV row per entry", () => {
    const s = cli("ledger", "statement", "--db", db, "--project", "p1", "--from", "2020-01-01T00:00:00Z", "--to", "2020-02-01T00:00:00Z", "--json");
    const j = JSON.parse(s.stdout);
    expect([j.jobs, j.energy_facility_kwh, j.single_score_pt]).toEqual([2, 3, 0.75]);
    expect(j.impacts.cc_kgco2eq.by_phase.use).toBeCloseTo(0.15, 15);
    const out = join(dir, "p1.csv");
    expect(cli("ledger", "export", "--db", db, "--project", "p1", "--out", out).status).toBe(0);
    const rows = readFileSync(out, "utf8").trim().split("\n");
    expect(rows.length).toBe(3);
    expect(rows[1]).toMatch(/^\d+,ci\/job\/1,charge,/);
  });

  it("a bad time exits 3 naming the option; a missing --project exits 3; an unknown action exits 2; no stack trace", () => {
    const bad = cli("ledger", "balance", "--db", db, "--project", "p1", "--at", "yesterday");
    expect(bad.status).toBe(3);
    expect(bad.stderr).toMatch(/--at: expected an ISO 8601 time, e\.g\. 2020-03-01T00:00:00Z, got "yesterday"/);
    const none = cli("ledger", "balance", "--db", db);
    expect([none.status, /--project: expected --project, got none/.test(none.stderr)]).toEqual([3, true]);
    expect(cli("ledger", "frobnicate", "--db", db).status).toBe(2);
    for (const r of [bad, none]) expect(stackLines(r.stderr)).toEqual([]);
  });
});

describe("impactsim serve", () => {
  it("refuses a bad port (2) and an unreadable admin token file (3), naming them", () => {
    const port = cli("serve", "--db", join(dir, "s.sqlite"), "--port", "70000");
    expect([port.status, /--port: expected a TCP port from 0 to 65535, got 70000/.test(port.stderr)]).toEqual([2, true]);
    const tok = cli("serve", "--db", join(dir, "s.sqlite"), "--port", "0", "--admin-token-file", join(dir, "none"));
    expect([tok.status, /--admin-token-file: expected a readable file/.test(tok.stderr)]).toEqual([3, true]);
    expect(stackLines(port.stderr + tok.stderr)).toEqual([]);
  });
});
