/**
 * Storage tiers: a workflow's initial file sits on tape at site 0; its only
 * task can run on site 1 only. The file is staged (tape -> disk at site 0),
 * then sent over the link to site 1, then the task runs.
 *
 * Tape: latency 60 s, 0.5e9 B/s, 2 J/GB. Link 0 -> 1: latency 0.5 s, 1e9 B/s.
 * File: 2e9 bytes. Staging: 60 + 2e9/0.5e9 = 64 s; transfer: 0.5 + 2e9/1e9 = 2.5 s;
 * the task (runtime 100 s) starts at 0 (nodes held) and runs 66.5 .. 166.5.
 * Staging energy: 2 GB x 2 J/GB = 4 J, charged at site 0.
 */
import { describe, expect, it } from "vitest";
import type { WorkflowSpec } from "../../../src/io/wfformat.js";
import type { PlatformModel } from "../../../src/models/platform.js";
import { forecastFromActual } from "../../../src/models/forecast.js";
import { rngSeeded } from "../../../src/core/rng.js";
import { policyFcfs } from "../../../src/planner/index.js";
import { simulate } from "../../../src/sim/simulation.js";
import { Accountant } from "../../../src/accounting/accountant.js";
import { combineObservers, type JobFact, type TransferFact } from "../../../src/sim/observer.js";
import { tinyPlatform } from "../../helpers/tinyPlatform.js";

function platform(): PlatformModel {
  const base = tinyPlatform(
    [
      { id: "a", pue: 1, kgPerKwh: 0.1 },
      { id: "b", pue: 1, kgPerKwh: 0.2 },
    ],
    [{ nodes: 1, cores: 4, idle: 50, max: 100, site: 1 }],
  );
  return {
    ...base,
    links: [
      { from: 0, to: 1, bandwidth: 1e9, latency: 0.5, joulesPerByte: { source: 0, destination: 0, network: 0 } },
      { from: 1, to: 0, bandwidth: 1e9, latency: 0.5, joulesPerByte: { source: 0, destination: 0, network: 0 } },
      { from: 0, to: 0, bandwidth: 0.5e9, latency: 60, joulesPerByte: { source: 2e-9, destination: 0, network: 0 }, tier: "tape" },
    ],
  };
}

const spec: WorkflowSpec = {
  name: "one",
  file: "inline",
  schemaVersion: "1.5",
  tasks: [{ index: 0, id: "t", name: "t", parents: [], children: [], inputs: [0], outputs: [1], runtime: 100, cores: 1 }],
  files: [
    { id: "in", bytes: 2e9 },
    { id: "out", bytes: 1 },
  ],
  machines: [],
  initialFiles: [0],
};

describe("storage tiers", () => {
  it("simulate() stages a file from tape before sending it to the site that needs it", async () => {
    const p = platform();
    const facts: JobFact[] = [];
    const transfers: TransferFact[] = [];
    const accountant = new Accountant(p);
    const result = await simulate({
      platform: p,
      policy: policyFcfs(),
      jobs: [],
      forecasts: p.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1))),
      observer: combineObservers(accountant, { jobEnded: (f) => facts.push({ ...f }), transferEnded: (t) => transfers.push(t) }),
      workflows: [{ spec, submit: 0, site: 0, project: "p", firstJobId: 1000, initialTier: "tape" }],
    });
    expect(result.workflowsFinished).toBe(1);
    expect(transfers.map((t) => [t.from, t.to, t.start, t.end])).toEqual([
      [0, 0, 0, 64],
      [0, 1, 64, 66.5],
    ]);
    expect(facts[0].start).toBe(0);
    expect(facts[0].setupEnd).toBe(66.5);
    expect(facts[0].end).toBe(166.5);
    // staging energy at site 0: 2 GB x 2 J/GB
    expect(accountant.ledger.siteTransfers[0].energy.values()[0]).toBeCloseTo(4, 9);
  });
});
