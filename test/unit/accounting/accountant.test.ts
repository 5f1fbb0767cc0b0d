/**
 * Accountant: the simulator's facts fed by hand (no simulator), charges
 * checked against figures worked out in the comments. Units: W x s = J;
 * 1 kWh = 3.6e6 J; intensities in kg CO2e per kWh at the facility meter.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Accountant, type JobCharge } from "../../../src/accounting/accountant.js";
import { ENERGY, N_COORDS, PHASE_INDEX, categoryIndex } from "../../../src/core/categories.js";
import type { JobSpec } from "../../../src/io/spec.js";
import type { PlatformModel } from "../../../src/models/platform.js";
import type { JobFact } from "../../../src/sim/observer.js";
import { ccSeries, job, jobFact, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { link, withLinks } from "../../helpers/tinyWorkflow.js";

const CC = categoryIndex("CC");
const USE = PHASE_INDEX.use * N_COORDS;
const FAB = PHASE_INDEX.fabrication * N_COORDS;

function close(actual: number, expected: number, what = "", rel = 1e-12): void {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected));
}


/** Node-equivalents held of the node part alone (a CPU pool). */
const whole = (n: number) => ({ node: n, gpu: 0, fpga: 0 });

/** The run's end as the simulator reports it: whole nodes of pool 0 at site 0 over [start, end], no staging or setup unless `extra` says so (no allocation listed: the accountant charges by node-share). */
function fact(spec: JobSpec, count: number, start: number, end: number, extra: Partial<JobFact> = {}): JobFact {
  return jobFact(spec, count, 0, start, end, { allocation: [], ...extra });
}

/**
 * A run fed as the simulator feeds it: each of its `count` nodes' share over
 * [start, end] at `watts` (one call per node, as the cluster settles each),
 * then its end.
 */
function run(acc: Accountant, spec: JobSpec, count: number, watts: number, start: number, end: number, extra: Partial<JobFact> = {}): void {
  for (let k = 0; k < count; k++) acc.jobShare(spec, 0, 0, start, end, watts, whole(1));
  acc.jobEnded(fact(spec, count, start, end, extra));
}

/** An accountant that also keeps copies of the per-job charges it hands out. */
function accountantOf(plat: PlatformModel): { acc: Accountant; charges: Map<number, { impacts: Float64Array; itJ: number; facilityJ: number }> } {
  const charges = new Map<number, { impacts: Float64Array; itJ: number; facilityJ: number }>();
  const acc = new Accountant(plat, (c: JobCharge) => charges.set(c.fact.job.id, { impacts: Float64Array.from(c.impacts), itJ: c.itJ, facilityJ: c.facilityJ }));
  return { acc, charges };
}

/**
 * Two nodes (4 cores, 100 W idle, 200 W full), fabrication 1e-6 kg CO2e per
 * node-second, PUE 1.5. One job holds one node at 200 W for an hour; the other
 * node idles at 100 W.
 */
const twoNodes = (kgPerKwh: PlatformModel["sites"][number]["intensity"]["series"] | number) =>
  tinyPlatform([{ id: "s", pue: 1.5, kgPerKwh }], [{ nodes: 2, cores: 4, idle: 100, max: 200, fabricationCcPerNodeSecond: 1e-6 }]);

describe("Accountant", () => {
  it("new Accountant(platform) starts with empty accounts and a zero meter", () => {
    const { acc } = accountantOf(twoNodes(0.1));
    const m = acc.meter(0);
    expect([m.itJ, m.facilityJ, m.nodeSeconds, m.use[CC]]).toEqual([0, 0, 0, 0]);
    expect(Array.from(acc.ledger.siteJobs[0].energy.values())).toEqual([0, 0]);
    expect(acc.ledger.siteJobs[0].jobs).toBe(0);
    expect(acc.transfers).toBe(0);
  });

  it("charges a job at 200 W for 1 h, PUE 1.5, 100 g/kWh: 0.72 MJ IT, 1.08 MJ facility, 0.03 kg use, 0.0036 kg fabrication; the idle node goes to overhead", () => {
    const { acc, charges } = accountantOf(twoNodes(0.1));
    run(acc, job(1, 0, 3600, 3600, 4), 1, 200, 0, 3600);
    // Meter: 200 W (job) + 100 W (idle node) = 300 W; 100 W of it is overhead.
    acc.siteInterval(0, 0, 3600, 300, 100);
    acc.poolIdle(0, 0, 3600, whole(1));
    acc.finished(3600);

    // Job: 200 x 3600 = 720 000 J IT; x 1.5 = 1 080 000 J = 0.3 kWh; x 0.1 kg/kWh = 0.03 kg.
    // Fabrication: 1 node x 3600 s x 1e-6 kg = 0.0036 kg.
    const c = charges.get(1)!;
    expect(c.itJ).toBe(720_000);
    expect(c.facilityJ).toBe(1_080_000);
    close(c.impacts[USE + CC], 0.03, "job use CC");
    close(c.impacts[USE + ENERGY], 1_080_000, "job use energy");
    close(c.impacts[FAB + CC], 0.0036, "job fabrication CC");

    const jobs = acc.ledger.siteJobs[0];
    expect(Array.from(jobs.energy.values())).toEqual([720_000, 1_080_000]);
    expect(jobs.jobs).toBe(1);
    // Node-seconds by part (the node, its GPUs, its FPGAs).
    expect(Array.from(jobs.nodeSeconds.values())).toEqual([3600, 0, 0]);
    close(jobs.use.values()[CC], 0.03, "site jobs use CC");

    // Overhead: 100 W x 3600 s = 360 000 J IT, 540 000 J facility = 0.15 kWh -> 0.015 kg;
    // its embodied share is the idle node's 3600 node-seconds.
    const over = acc.ledger.siteOverhead[0];
    expect(Array.from(over.energy.values())).toEqual([360_000, 540_000]);
    close(over.use.values()[CC], 0.015, "overhead use CC");
    expect(Array.from(over.nodeSeconds.values())).toEqual([3600, 0, 0]);

    // Meter: 300 W x 3600 s = 1 080 000 J IT, 1 620 000 J facility, 0.045 kg; 2 nodes x 3600 s.
    const m = acc.meter(0);
    expect(m.itJ).toBe(1_080_000);
    expect(m.facilityJ).toBe(1_620_000);
    close(m.use[CC], 0.045, "meter use CC");
    expect(m.nodeSeconds).toBe(7200);

    // The job's project is charged the same as the site's jobs.
    expect(Array.from(acc.ledger.project("p").energy.values())).toEqual([720_000, 1_080_000]);
  });

  it("charges the same when the intensity changes mid-run (the integrating path, not the constant one)", () => {
    // 0.1 kg/kWh for the first half hour, 0.3 for the second. Job: 0.15 kWh at each
    // -> 0.015 + 0.045 = 0.06 kg. Overhead: 0.075 kWh at each -> 0.0075 + 0.0225 = 0.03 kg.
    const { acc, charges } = accountantOf(twoNodes(ccSeries([0, 1800], [0.1, 0.3], 3600)));
    // The cluster reports the job's share over each interval where the node's draw was constant; here one, across the change of intensity.
    run(acc, job(1, 0, 3600, 3600, 4), 1, 200, 0, 3600);
    acc.siteInterval(0, 0, 1800, 300, 100);
    acc.siteInterval(0, 1800, 3600, 300, 100);
    acc.poolIdle(0, 0, 3600, whole(1));
    acc.finished(3600);
    close(charges.get(1)!.impacts[USE + CC], 0.06, "job use CC");
    close(acc.ledger.siteJobs[0].use.values()[CC], 0.06, "site jobs use CC");
    close(acc.ledger.siteOverhead[0].use.values()[CC], 0.03, "overhead use CC");
    expect(Array.from(acc.ledger.siteOverhead[0].energy.values())).toEqual([360_000, 540_000]);
    close(acc.meter(0).use[CC], 0.09, "meter use CC");
  });

  it("with a constant intensity the overhead's energy is charged when the run is finished(), not before", () => {
    const { acc } = accountantOf(twoNodes(0.1));
    acc.siteInterval(0, 0, 3600, 200, 200);
    expect(Array.from(acc.ledger.siteOverhead[0].energy.values())).toEqual([0, 0]);
    acc.finished(3600);
    // 200 W x 3600 s = 720 000 J IT, x 1.5 = 1 080 000 J.
    expect(Array.from(acc.ledger.siteOverhead[0].energy.values())).toEqual([720_000, 1_080_000]);
  });

  it("charges a job's phases each at its own draw: held at idle until inputs arrive, setup, then run; embodied over the whole reservation", () => {
    // One node: held [0, 600] at 100 W, setup [600, 900] at 250 W, run [900, 3600] at 200 W.
    // IT = 100 x 600 + 250 x 300 + 200 x 2700 = 60 000 + 75 000 + 540 000 = 675 000 J;
    // facility x 1.5 = 1 012 500 J = 0.28125 kWh -> 0.028125 kg at 0.1 kg/kWh.
    // Fabrication: 3600 node-seconds x 1e-6 = 0.0036 kg.
    const { acc, charges } = accountantOf(twoNodes(0.1));
    const spec = job(7, 0, 2700, 3600, 4);
    acc.jobShare(spec, 0, 0, 0, 600, 100, whole(1));
    acc.jobShare(spec, 0, 0, 600, 900, 250, whole(1));
    acc.jobShare(spec, 0, 0, 900, 3600, 200, whole(1));
    acc.jobEnded(fact(spec, 1, 0, 3600, { inputsAt: 600, setupEnd: 900 }));
    const c = charges.get(7)!;
    expect(c.itJ).toBe(675_000);
    expect(c.facilityJ).toBe(1_012_500);
    close(c.impacts[USE + CC], 0.028125, "use CC");
    close(c.impacts[FAB + CC], 0.0036, "fabrication CC");
    expect(Array.from(acc.ledger.siteJobs[0].nodeSeconds.values())).toEqual([3600, 0, 0]);
  });

  it("counts a suspended job once, and charges every one of its runs", () => {
    // Two nodes at 200 W over [0, 1000] (suspended) and [2000, 3000] (final):
    // 2 x 200 x 2000 = 800 000 J IT; 2 x 2000 = 4000 node-seconds.
    const { acc } = accountantOf(twoNodes(0.1));
    const spec = job(3, 0, 2000, 4000, 8);
    run(acc, spec, 2, 200, 0, 1000, { final: false });
    run(acc, spec, 2, 200, 2000, 3000, { firstStart: 0, runSeconds: 2000 });
    const jobs = acc.ledger.siteJobs[0];
    expect(jobs.jobs).toBe(1);
    expect(jobs.energy.values()[0]).toBe(800_000);
    expect(jobs.nodeSeconds.values()[0]).toBe(4000);
  });

  it("charges a job that shares nodes its share of each over each interval, and embodied impacts by the share of the node it held", () => {
    // A 1-core job on 4-core nodes: on node 0 at 50 W over [0, 1800], then on two nodes
    // (1 core each: 50 W and 40 W) over [1800, 3600]: IT 50 x 1800 + (50 + 40) x 1800 = 252 000 J.
    // Held: 1/4 of a node, then 2/4: (0.25 x 1800 + 0.5 x 1800) x 1e-6 kg = 0.00135 kg fabrication.
    const { acc, charges } = accountantOf(twoNodes(0.1));
    const spec = job(9, 0, 3600, 3600, 1);
    acc.jobShare(spec, 0, 0, 0, 1800, 50, { node: 0.25, gpu: 0, fpga: 0 });
    acc.jobShare(spec, 0, 0, 1800, 3600, 50, { node: 0.25, gpu: 0, fpga: 0 });
    acc.jobShare(spec, 0, 0, 1800, 3600, 40, { node: 0.25, gpu: 0, fpga: 0 });
    acc.jobEnded(fact(spec, 2, 0, 3600, { exclusive: false, nodeShare: 0.5 }));
    const c = charges.get(9)!;
    expect(c.itJ).toBe(252_000);
    expect(c.facilityJ).toBe(378_000);
    close(c.impacts[FAB + CC], 0.00135, "fabrication CC");
    // 378 000 J = 0.105 kWh at 0.1 kg/kWh.
    close(c.impacts[USE + CC], 0.0105, "use CC");
    expect(Array.from(acc.ledger.siteJobs[0].nodeSeconds.values())).toEqual([1350, 0, 0]);
  });

  it("hands each run its own charge when runs' shares interleave, a run is settled in several shares, or in none", () => {
    // PUE 1.5. A: 100 W over [0, 100] then 200 W over [100, 200]: 10 000 + 20 000 = 30 000 J IT.
    // B: 50 W over [0, 100] then over [100, 300]: 5 000 + 10 000 = 15 000 J. C: 10 W over [300, 400]: 1 000 J.
    // D: no share at all: 0. E: 100 W over [400, 500] and [500, 600]: 20 000 J (its sum starting from zero
    // though a finished run's storage is used again).
    const { acc, charges } = accountantOf(twoNodes(0.1));
    const [a, b, c, d, e] = [1, 2, 3, 4, 5].map((id) => job(id, 0, 1000, 1000, 4));
    acc.jobShare(a, 0, 0, 0, 100, 100, whole(1));
    acc.jobShare(b, 0, 0, 0, 100, 50, whole(1));
    acc.jobShare(a, 0, 0, 100, 200, 200, whole(1));
    acc.jobEnded(fact(a, 1, 0, 200));
    acc.jobShare(b, 0, 0, 100, 300, 50, whole(1));
    acc.jobEnded(fact(b, 1, 0, 300));
    run(acc, c, 1, 10, 300, 400);
    acc.jobEnded(fact(d, 1, 400, 400));
    acc.jobShare(e, 0, 0, 400, 500, 100, whole(1));
    acc.jobShare(e, 0, 0, 500, 600, 100, whole(1));
    acc.jobEnded(fact(e, 1, 400, 600));
    const it = [30_000, 15_000, 1_000, 0, 20_000];
    for (const [k, j] of [a, b, c, d, e].entries()) {
      const got = charges.get(j.id)!;
      expect([got.itJ, got.facilityJ], `job ${j.id}`).toEqual([it[k], 1.5 * it[k]]);
      // Fabrication: 1e-6 kg per node-second, one node over the run.
      close(got.impacts[FAB + CC], [200, 300, 100, 0, 200][k] * 1e-6, `job ${j.id} fabrication CC`);
    }
    expect(Array.from(charges.get(4)!.impacts).every((v) => v === 0)).toBe(true);
  });

  it("charges each run its own pool's embodied rate and node-equivalents, whether they change from run to run or not, and counts each job in its own project", () => {
    // Pool 0: 1e-6 kg CO2e per node-second; pool 1: 3e-6. Runs in this order, each over 100 s:
    // A pool 0, 1 node: 1e-4 kg. B pool 1, 1 node: 3e-4. C pool 1, 1 node: 3e-4 (as B).
    // D pool 1, half a node: 1.5e-4. E pool 0, half a node: 0.5e-4. F pool 0, half a node, ending after G's share: 0.5e-4.
    // G pool 0, 2 nodes: 2e-4.
    const plat = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.1 }], [
      { nodes: 2, cores: 4, idle: 100, max: 200, fabricationCcPerNodeSecond: 1e-6 },
      { nodes: 2, cores: 4, idle: 100, max: 200, fabricationCcPerNodeSecond: 3e-6 },
    ]);
    const { acc, charges } = accountantOf(plat);
    const runs: [number, number, number, string][] = [
      [1, 0, 1, "p"],
      [2, 1, 1, "q"],
      [3, 1, 1, "p"],
      [4, 1, 0.5, "q"],
      [5, 0, 0.5, "q"],
    ];
    for (const [id, pool, node, project] of runs) {
      const spec = job(id, 0, 100, 100, 4, project);
      acc.jobShare(spec, 0, pool, 0, 100, 10, { node, gpu: 0, fpga: 0 });
      acc.jobEnded(jobFact(spec, 1, 0, 0, 100, { allocation: [], pool }));
    }
    const f = job(6, 0, 100, 100, 2, "p");
    const g = job(7, 0, 100, 100, 8, "q");
    acc.jobShare(f, 0, 0, 0, 100, 10, { node: 0.5, gpu: 0, fpga: 0 });
    acc.jobShare(g, 0, 0, 0, 100, 10, { node: 1, gpu: 0, fpga: 0 });
    acc.jobShare(g, 0, 0, 0, 100, 10, { node: 1, gpu: 0, fpga: 0 });
    acc.jobEnded(jobFact(f, 1, 0, 0, 100, { allocation: [] }));
    acc.jobEnded(jobFact(g, 2, 0, 0, 100, { allocation: [] }));
    const want = [1e-4, 3e-4, 3e-4, 1.5e-4, 0.5e-4, 0.5e-4, 2e-4];
    want.forEach((kg, k) => close(charges.get(k + 1)!.impacts[FAB + CC], kg, `job ${k + 1} fabrication CC`));
    // p: A, C, F; q: B, D, E, G.
    expect([acc.ledger.project("p").jobs, acc.ledger.project("q").jobs, acc.ledger.siteJobs[0].jobs]).toEqual([3, 4, 7]);
  });

  it("charges a job to its site, its project, its workflow and its QoS class", () => {
    const { acc } = accountantOf(twoNodes(0.1));
    const spec: JobSpec = { ...job(4, 0, 100, 100, 4, "proj"), workflow: 2, qos: { name: "green", max_delay_s: 0, impact_preference: 1 } };
    run(acc, spec, 1, 200, 0, 100);
    // 200 W x 100 s = 20 000 J IT, 30 000 J facility in each account.
    for (const a of [acc.ledger.siteJobs[0], acc.ledger.project("proj"), acc.ledger.workflow(2), acc.ledger.qos.get("green")!]) {
      expect(Array.from(a.energy.values())).toEqual([20_000, 30_000]);
      expect(a.jobs).toBe(1);
    }
    expect(acc.ledger.projects.has("p")).toBe(false);
  });

  it("transferEnded() charges bytes x J/B at the sending site (source + network) and the receiving site, at each site's intensity, to project and workflow", () => {
    // 1e9 B: (2e-8 + 4e-8) x 1e9 = 60 J at site 0 (100 g/kWh), 2e-8 x 1e9 = 20 J at site 1 (300 g/kWh).
    // CC: 60 / 3.6e6 x 0.1 + 20 / 3.6e6 x 0.3 = (6 + 6) / 3.6e6 = 3.333...e-6 kg.
    const plat = withLinks(
      tinyPlatform(
        [
          { id: "a", pue: 1.2, kgPerKwh: 0.1 },
          { id: "b", pue: 1.4, kgPerKwh: 0.3 },
        ],
        [{ nodes: 1, cores: 1, idle: 10, max: 20 }],
      ),
      [link(0, 1, 1e8, 0.5, { source: 2e-8, network: 4e-8, destination: 2e-8 })],
    );
    const acc = new Accountant(plat);
    acc.transferEnded({ id: 0, workflow: 5, file: 0, from: 0, to: 1, link: 0, bytes: 1e9, start: 10, end: 20.5, project: "wf" });
    expect(acc.transfers).toBe(1);
    expect(acc.transferBytes).toBe(1e9);
    close(acc.ledger.siteTransfers[0].energy.values()[0], 60, "site a transfer J");
    close(acc.ledger.siteTransfers[1].energy.values()[0], 20, "site b transfer J");
    // Transfer energy is taken as facility-level: IT = facility, no PUE.
    close(acc.ledger.siteTransfers[1].energy.values()[1], 20, "site b facility J");
    for (const a of [acc.ledger.project("wf"), acc.ledger.workflow(5)]) {
      close(a.energy.values()[0], 80, "J");
      const use = a.use.values();
      close(use[0 * N_COORDS + CC] + use[1 * N_COORDS + CC], 12 / 3.6e6, "CC");
    }
    // In the total, not in any site's jobs or overhead.
    close(acc.ledger.total().energy.values()[0], 80, "total J");
    expect(acc.ledger.site(0).energy.values()[0]).toBe(0);
  });

  it("transferEnded() of an empty file charges nothing but counts the transfer", () => {
    const plat = withLinks(tinyPlatform([{ id: "a", pue: 1, kgPerKwh: 0.1 }, { id: "b", pue: 1, kgPerKwh: 0.1 }], [{ nodes: 1, cores: 1, idle: 1, max: 2 }]), [
      link(0, 1, 1e8, 0.5, { source: 1, network: 1, destination: 1 }),
    ]);
    const acc = new Accountant(plat);
    acc.transferEnded({ id: 0, workflow: 0, file: 0, from: 0, to: 1, link: 0, bytes: 0, start: 0, end: 0.5, project: "wf" });
    expect(acc.transfers).toBe(1);
    expect(acc.ledger.total().energy.values()[0]).toBe(0);
  });

  it("property: jobs plus overhead equal the site meter, in energy exactly, in node-seconds exactly and in CO2e to rounding", () => {
    // Whole watts and seconds keep every product and sum an integer (or a half, x PUE 1.5) below 2^53,
    // so energy sums are exact in binary floating point whatever their order.
    const timeline = fc.array(fc.record({ gap: fc.integer({ min: 0, max: 500 }), run: fc.integer({ min: 1, max: 2000 }), watts: fc.integer({ min: 100, max: 400 }) }), { maxLength: 6 });
    fc.assert(
      fc.property(fc.array(timeline, { minLength: 1, maxLength: 4 }), fc.boolean(), (nodes, varying) => {
        const idle = 100;
        const series = varying ? ccSeries([0, 1000, 2500], [0.2, 0.05, 0.4], 20_000) : 0.2;
        const plat = tinyPlatform([{ id: "s", pue: 1.5, kgPerKwh: series }], [{ nodes: nodes.length, cores: 1, idle, max: 400, fabricationCcPerNodeSecond: 1e-6 }]);
        const acc = new Accountant(plat);
        // Each node runs its jobs one after the other; the meter sees their sum plus idle nodes.
        const edges: { t: number; watts: number; busy: number }[] = [];
        let id = 0;
        let end = 1;
        for (const runs of nodes) {
          let t = 0;
          for (const r of runs) {
            const a = t + r.gap;
            const b = a + r.run;
            run(acc, job(++id, 0, r.run, r.run, 1), 1, r.watts, a, b);
            edges.push({ t: a, watts: r.watts - idle, busy: 1 }, { t: b, watts: idle - r.watts, busy: -1 });
            t = b;
          }
          end = Math.max(end, t);
        }
        edges.sort((x, y) => x.t - y.t);
        let itWatts = nodes.length * idle;
        let busy = 0;
        let from = 0;
        let k = 0;
        while (from < end) {
          while (k < edges.length && edges[k].t === from) {
            itWatts += edges[k].watts;
            busy += edges[k].busy;
            k++;
          }
          const to = k < edges.length ? Math.min(edges[k].t, end) : end;
          const idleNodes = nodes.length - busy;
          acc.siteInterval(0, from, to, itWatts, idleNodes * idle);
          acc.poolIdle(0, from, to, whole(idleNodes));
          from = to;
        }
        acc.finished(end);
        const m = acc.meter(0);
        const site = acc.ledger.site(0);
        const [itJ, facilityJ] = site.energy.values();
        expect(itJ).toBe(m.itJ);
        expect(facilityJ).toBe(m.facilityJ);
        expect(site.nodeSeconds.values()[0]).toBe(m.nodeSeconds);
        close(site.use.values()[CC], m.use[CC], "use CC", 1e-12);
      }),
      { numRuns: 100, seed: 20261201 },
    );
  });
});
