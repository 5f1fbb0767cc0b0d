/**
 * Account and Ledger: sufficient statistics (use-phase impacts per site,
 * node-seconds per pool, energy) expanded into phases, categories, shares
 * and a single score; expected figures worked out in the comments.
 */
import { describe, expect, it } from "vitest";
import { Account, Ledger, N_PHASED } from "../../../src/accounting/ledger.js";
import { EF_CATEGORIES, ENERGY, N_COORDS, PHASE_INDEX, PHASES, categoryIndex } from "../../../src/core/categories.js";
import { Basis } from "../../../src/core/impact.js";
import { scoreMethod } from "../../../src/core/score.js";
import { tinyPlatform } from "../../helpers/tinyPlatform.js";

const CC = categoryIndex("CC");
const WU = categoryIndex("WU");
const FAB = PHASE_INDEX.fabrication * N_COORDS;

function close(actual: number, expected: number, what = "", rel = 1e-12): void {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected));
}

/**
 * A method weighing only climate change (NF 10 kg per person, 50 %) and water
 * use (NF 100 m3 per person, 50 %); every other NF is 1 with weight 0.
 */
const method = scoreMethod(
  "test",
  Object.fromEntries(EF_CATEGORIES.map((c) => [c.id, c.id === "CC" ? 10 : c.id === "WU" ? 100 : 1])),
  { CC: 50, WU: 50 },
  "hand-made",
);

/** One site (PUE 1.5, 0.1 kg/kWh); one pool of 2 nodes with 1e-6 kg CO2e of fabrication per node-second. */
const platform = () => tinyPlatform([{ id: "s", pue: 1.5, kgPerKwh: 0.1 }], [{ nodes: 2, cores: 4, idle: 100, max: 200, fabricationCcPerNodeSecond: 1e-6 }]);

/** The use-phase vector of `kwh` facility kWh at `kgPerKwh` (CC) with `m3PerKwh` of water (WU). */
function useOf(kwh: number, kgPerKwh: number, m3PerKwh = 0): Float64Array {
  const v = new Float64Array(N_COORDS);
  v[CC] = kwh * kgPerKwh;
  v[WU] = kwh * m3PerKwh;
  v[ENERGY] = kwh * 3.6e6;
  return v;
}

describe("Account", () => {
  it("new Account() sums to zero in every category and phase, with no jobs and no score", () => {
    const s = new Account(1, 1).summarize(platform(), method);
    expect(s.jobs).toBe(0);
    expect(s.node_seconds).toBe(0);
    expect(s.energy_j).toEqual({ it: 0, facility: 0 });
    expect(Object.keys(s.impacts)).toEqual([...EF_CATEGORIES.map((c) => c.id), "PE"]);
    for (const c of Object.values(s.impacts)) {
      expect(c.total).toBe(0);
      expect(c.proxy_share).toBe(0);
      expect(c.missing_phases).toEqual([]);
    }
    expect(s.single_score.total_pt).toBe(0);
  });

  it("summarize() splits climate change into use (charged) and fabrication (node-seconds x rate), and scores it", () => {
    // Use: 0.3 kWh at 0.1 kg/kWh = 0.03 kg, with 0.002 m3/kWh of water = 0.0006 m3.
    // Fabrication: 3600 node-seconds x 1e-6 kg = 0.0036 kg. CC total 0.0336 kg.
    // Score: 0.0336 / 10 x 0.5 + 0.0006 / 100 x 0.5 = 0.00168 + 0.000003 = 0.001683 Pt;
    // of which fabrication 0.0036 / 10 x 0.5 = 0.00018 Pt.
    const a = new Account(1, 1);
    a.chargeUse(0, useOf(0.3, 0.1, 0.002), 1);
    a.chargeNodeSeconds(0, 3600);
    a.chargeEnergy(720_000, 1_080_000);
    a.jobs = 1;
    const s = a.summarize(platform(), method);
    expect(s.jobs).toBe(1);
    expect(s.node_seconds).toBe(3600);
    expect(s.energy_j).toEqual({ it: 720_000, facility: 1_080_000 });
    const cc = s.impacts.CC;
    expect(cc.name).toBe("Climate change");
    expect(cc.unit).toBe("kg CO2 eq");
    expect(Object.keys(cc.by_phase)).toEqual([...PHASES]);
    close(cc.by_phase.use, 0.03, "use");
    close(cc.by_phase.fabrication, 0.0036, "fabrication");
    expect(cc.by_phase.transport).toBe(0);
    expect(cc.by_phase.endOfLife).toBe(0);
    close(cc.total, 0.0336, "total");
    close(s.impacts.WU.total, 0.0006, "water");
    close(s.single_score.total_pt, 0.001683, "score");
    close(s.single_score.by_phase_pt.fabrication, 0.00018, "fabrication score");
    close(s.single_score.by_phase_pt.use, 0.001503, "use score");
    expect(s.single_score.method).toBe("test");
  });

  it("chargeUse(s, v, k) adds v x k at site s only", () => {
    const a = new Account(2, 1);
    a.chargeUse(1, useOf(1, 0.2), 3); // 3 x 0.2 kg = 0.6 kg at site 1
    const use = a.use.values();
    expect(use[CC]).toBe(0);
    close(use[N_COORDS + CC], 0.6);
  });

  it("summarize() gives the share resting on proxies and the phases with a missing figure", () => {
    // Use-phase CC (0.03 kg) rests on a proxy intensity; fabrication CC (0.0036 kg) is missing data.
    // Proxy share = 0.03 / (0.03 + 0.0036) = 0.892857...
    const plat = platform();
    (plat.sites[0].intensity.basis as Uint8Array)[CC] = Basis.Proxy;
    (plat.pools[0].embodiedBasis as Uint8Array)[FAB + CC] = Basis.Missing;
    const a = new Account(1, 1);
    a.chargeUse(0, useOf(0.3, 0.1), 1);
    a.chargeNodeSeconds(0, 3600);
    const cc = a.summarize(plat, method).impacts.CC;
    close(cc.proxy_share, 0.03 / 0.0336);
    expect(cc.missing_phases).toEqual(["fabrication"]);
  });

  it("summarize() flags a missing use-phase figure only for a site that drew energy", () => {
    const plat = platform();
    (plat.sites[0].intensity.basis as Uint8Array)[CC] = Basis.Missing;
    const idle = new Account(1, 1);
    expect(idle.summarize(plat, method).impacts.CC.missing_phases).toEqual([]);
    const used = new Account(1, 1);
    used.chargeUse(0, useOf(0.1, 0), 1);
    expect(used.summarize(plat, method).impacts.CC.missing_phases).toEqual(["use"]);
  });

  it("expand() uses a pool's embodied parts, each with its own rate, when it has them", () => {
    // Parts: node 1e-6 and GPU 3e-6 kg per node-second: 1000 node-seconds -> 0.001 + 0.003 = 0.004 kg.
    const plat = platform();
    const part = (kind: "node" | "gpu", rate: number) => {
      const v = new Float64Array(N_PHASED);
      v[FAB + CC] = rate;
      return { kind, perNodeSecond: v, basis: new Uint8Array(N_PHASED) };
    };
    const withParts = { ...plat, pools: [{ ...plat.pools[0], embodiedParts: [part("node", 1e-6), part("gpu", 3e-6)] }] };
    const a = new Account(1, 1);
    a.chargeNodeSeconds(0, 1000);
    close(a.expand(withParts).impacts[FAB + CC], 0.004);
  });

  it("merge() adds every statistic and the job count", () => {
    const a = new Account(1, 1);
    const b = new Account(1, 1);
    a.chargeEnergy(10, 15);
    b.chargeEnergy(5, 7.5);
    a.chargeNodeSeconds(0, 100);
    b.chargeNodeSeconds(0, 50);
    a.chargeUse(0, useOf(1, 0.1), 1);
    b.chargeUse(0, useOf(1, 0.3), 1);
    a.jobs = 2;
    b.jobs = 3;
    a.merge(b);
    expect(Array.from(a.energy.values())).toEqual([15, 22.5]);
    expect(a.nodeSeconds.values()[0]).toBe(150);
    close(a.use.values()[CC], 0.4);
    expect(a.jobs).toBe(5);
  });
});

describe("Ledger", () => {
  it("new Ledger(platform) has one jobs, overhead and transfers account per site and no projects", () => {
    const plat = tinyPlatform(
      [
        { id: "a", pue: 1, kgPerKwh: 0.1 },
        { id: "b", pue: 1, kgPerKwh: 0.1 },
      ],
      [{ nodes: 1, cores: 1, idle: 1, max: 2 }],
    );
    const l = new Ledger(plat);
    expect([l.siteJobs.length, l.siteOverhead.length, l.siteTransfers.length]).toEqual([2, 2, 2]);
    expect(l.projects.size).toBe(0);
    expect(l.workflows.size).toBe(0);
  });

  it("accountsOf() gives a plain job its site's jobs and its project; a workflow task and a QoS job one more account each", () => {
    const l = new Ledger(platform());
    const plain = l.accountsOf(0, { project: "p" });
    expect(plain).toHaveLength(2);
    expect(plain[0]).toBe(l.siteJobs[0]);
    expect(plain[1]).toBe(l.project("p"));
    const full = l.accountsOf(0, { project: "p", workflow: 4, qos: { name: "urgent" } });
    expect(full).toEqual([l.siteJobs[0], l.project("p"), l.workflow(4), l.qos.get("urgent")]);
  });

  it("accountsOf() gives a QoS job outside workflows its site's jobs, its project and its class, the same accounts at every charge, apart per site, class and project", () => {
    const l = new Ledger(platform());
    // The very accounts (empty ones are deep-equal to each other).
    const same = (got: readonly unknown[], want: readonly unknown[]) => {
      expect(got).toHaveLength(want.length);
      got.forEach((x, i) => expect(x).toBe(want[i]));
    };
    const green = l.accountsOf(0, { project: "p", qos: { name: "green" } });
    same(green, [l.siteJobs[0], l.project("p"), l.qos.get("green")]);
    same(l.accountsOf(0, { project: "p", qos: { name: "green" } }), green);
    same(l.accountsOf(0, { project: "p", qos: { name: "urgent" } }), [l.siteJobs[0], l.project("p"), l.qos.get("urgent")]);
    expect(l.qos.get("urgent")).not.toBe(l.qos.get("green"));
    same(l.accountsOf(1, { project: "p", qos: { name: "green" } }), [l.siteJobs[1], l.project("p"), l.qos.get("green")]);
    same(l.accountsOf(0, { project: "q", qos: { name: "green" } }), [l.siteJobs[0], l.project("q"), l.qos.get("green")]);
    // A plain job of the same project: no class account.
    same(l.accountsOf(0, { project: "p" }), [l.siteJobs[0], l.project("p")]);
  });

  it("site(i) is its jobs plus its overhead; total() adds every site and the transfers", () => {
    // Jobs 100 J, overhead 40 J, transfers 7 J (IT joules).
    const l = new Ledger(platform());
    l.siteJobs[0].chargeEnergy(100, 150);
    l.siteOverhead[0].chargeEnergy(40, 60);
    l.chargeTransfer(0, "p", 0, useOf(7 / 3.6e6, 0.1), 1, 7);
    expect(Array.from(l.site(0).energy.values())).toEqual([140, 210]);
    expect(Array.from(l.total().energy.values())).toEqual([147, 217]);
    // The transfer is also the project's and the workflow's.
    expect(l.project("p").energy.values()[0]).toBe(7);
    expect(l.workflow(0).energy.values()[0]).toBe(7);
  });
});
