/**
 * The durable ledger, one suite run against both backends: SQLite (a file in a
 * temporary folder) and PostgreSQL (a throwaway server, see postgres.ts; the
 * suite says so and skips where none is installed). Expected figures are
 * worked out by hand from the charges made.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fsum, InputError, N_COORDS, rngSeeded } from "../../../src/core/index.js";
import { entriesCsv, LedgerStore, N_IMPACTS, openPostgres, openSqlite, statement, type ChargeInput, type Db } from "../../../src/ledger/index.js";
import { PG_MISSING, startPostgres, type PgServer } from "./postgres.js";

const CC = 0;
const MARCH = Date.UTC(2020, 2, 1) / 1000;
const APRIL = Date.UTC(2020, 3, 1) / 1000;
const MAY = Date.UTC(2020, 4, 1) / 1000;

/** A charge of `score` Pt with climate change `ccFab` (fabrication) + `ccUse` (use) kg, `kwh` facility energy. */
function charge(key: string, o: { score: number; ccFab?: number; ccUse?: number; kwh?: number; end?: number; user?: string; project?: string; killed?: boolean; unusedS?: number; idleS?: number }): ChargeInput {
  const impacts = new Array<number>(N_IMPACTS).fill(0);
  impacts[0 * N_COORDS + CC] = o.ccFab ?? 0;
  impacts[2 * N_COORDS + CC] = o.ccUse ?? 0;
  const kwh = o.kwh ?? 0;
  return {
    key,
    job: key.split("/").pop()!,
    project: o.project ?? "p1",
    user: o.user ?? "alice",
    site: "fr",
    nodeType: "dell-r640",
    start: (o.end ?? MARCH + 86400) - 3600,
    end: o.end ?? MARCH + 86400,
    energyItJ: (kwh * 3.6e6) / 1.5,
    energyFacilityJ: kwh * 3.6e6,
    impacts,
    singleScorePt: o.score,
    basis: "model",
    provenance: { model: "test" },
    waste: { killed: o.killed ?? false, walltime_unused_core_s: o.unusedS ?? 0, idle_reserved_core_s: o.idleS ?? 0 },
  };
}

/** A backend: `open` makes a fresh database, `again` a second connection to the one of a Db it opened (another writer). */
const backends: { name: string; skip: string | undefined; open: (tag: string) => Promise<Db>; again: (db: Db) => Promise<Db> }[] = [];
let dir = "";
let pg: PgServer | undefined;
let dbs = 0;
const pgUrls = new WeakMap<Db, string>();
backends.push({ name: "SQLite", skip: undefined, open: async (tag) => openSqlite(join(dir, `${tag}-${dbs++}.sqlite`)), again: async (db) => openSqlite(db.where) });
backends.push({
  name: "PostgreSQL",
  skip: PG_MISSING,
  open: async (tag) => {
    const url = pg!.database(`l_${tag.replace(/\W/g, "_")}_${dbs++}`);
    const db = await openPostgres(url);
    pgUrls.set(db, url);
    return db;
  },
  again: async (db) => openPostgres(pgUrls.get(db)!),
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "impactsim-ledger-"));
  if (!PG_MISSING) pg = await startPostgres();
}, 60_000);
afterAll(() => {
  pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

for (const b of backends) {
  describe.skipIf(b.skip !== undefined)(`the ledger on ${b.name}${b.skip ? ` (skipped: ${b.skip})` : ""}`, () => {
    const open = async (tag: string) => LedgerStore.open(await b.open(tag));

    it("LedgerStore.open() on an empty database creates the schema, and opening it again keeps the entries", async () => {
      const db = await b.open("reopen");
      const a = await LedgerStore.open(db);
      await a.charge(charge("ci/job/1", { score: 1 }));
      const again = await LedgerStore.open(db);
      expect((await again.entries()).map((e) => e.key)).toEqual(["ci/job/1"]);
      await db.run(`UPDATE ledger_meta SET value = '99' WHERE key = 'schema_version'`);
      await expect(LedgerStore.open(db)).rejects.toThrow(/schema_version: expected a ledger of schema 1 or older, got 99/);
      await a.close();
    });

    it("charge() twice with one key counts once, and says the second was a duplicate", async () => {
      const l = await open("idem");
      const first = await l.charge(charge("ci/job/7", { score: 2.5 }));
      const second = await l.charge({ ...charge("ci/job/7", { score: 99 }) });
      expect([first.duplicate, second.duplicate]).toEqual([false, true]);
      expect(second.entry.singleScorePt).toBe(2.5);
      expect((await l.entries()).length).toBe(1);
      await l.close();
    });

    it("record() (charge() without the read-back) counts a key once too, and charge() after it is a duplicate", async () => {
      const l = await open("record");
      const a = await l.record(charge("ci/job/8", { score: 1.5 }));
      const b = await l.record(charge("ci/job/8", { score: 7 }));
      const c = await l.charge(charge("ci/job/8", { score: 9 }));
      expect([a.duplicate, b.duplicate, c.duplicate, c.entry.singleScorePt]).toEqual([false, true, true, 1.5]);
      expect((await l.entries()).length).toBe(1);
      await l.close();
    });

    it("balance() is the grants of the period less the charges of jobs that ended in it", async () => {
      const l = await open("balance");
      await l.grant({ key: "g1", project: "p1", unit: "score_pt", amount: 10, periodStart: MARCH, periodEnd: APRIL });
      await l.grant({ key: "g1", project: "p1", unit: "score_pt", amount: 10, periodStart: MARCH, periodEnd: APRIL }); // same key: once
      await l.charge(charge("ci/job/1", { score: 1.5 }));
      await l.charge(charge("ci/job/2", { score: 2.25, user: "bob" }));
      await l.charge(charge("ci/job/3", { score: 4, end: APRIL + 10 }));
      await l.charge(charge("ci/job/4", { score: 8, project: "p2" }));
      const bal = await l.balance("p1", { at: MARCH + 5 * 86400 });
      expect(bal).toMatchObject({ unit: "score_pt", granted: 10, charged: 3.75, left: 6.25, jobs: 2, periodStart: MARCH, periodEnd: APRIL });
      // A user's own budget: none granted, so only the charges show, over the calendar month.
      expect(await l.balance("p1", { user: "bob", at: MARCH + 5 * 86400 })).toMatchObject({ granted: 0, charged: 2.25, left: -2.25, periodStart: MARCH, periodEnd: APRIL });
      expect((await l.balance("p1", { at: APRIL + 20 })).charged).toBe(4);
      await l.close();
    });

    it("balance() in a category counts that category over all phases (climate change: fabrication + use)", async () => {
      const l = await open("unit");
      await l.grant({ key: "g", project: "p1", unit: "cc_kgco2eq", amount: 100, periodStart: MARCH, periodEnd: APRIL });
      await l.charge(charge("ci/job/1", { score: 1, ccFab: 3, ccUse: 4.5, kwh: 2 }));
      expect(await l.balance("p1", { at: MARCH })).toMatchObject({ unit: "cc_kgco2eq", granted: 100, charged: 7.5, left: 92.5 });
      expect((await l.balance("p1", { at: MARCH, unit: "energy_kwh" })).charged).toBe(2);
      await expect(l.grant({ project: "p1", unit: "kg", amount: 1, periodStart: MARCH, periodEnd: APRIL })).rejects.toThrow(/grant: unit: expected one of score_pt, energy_kwh, cc_kgco2eq/);
      await l.close();
    });

    it("refund() adds the opposite entry once; correct() adds the difference to the new figures; neither edits the charge", async () => {
      const l = await open("refund");
      await l.charge(charge("ci/job/1", { score: 2, ccUse: 1 }));
      await l.charge(charge("ci/job/2", { score: 3 }));
      const r1 = await l.refund("ci/job/1/refund", "ci/job/1", "node failure");
      const r2 = await l.refund("ci/job/1/refund", "ci/job/1", "node failure");
      expect([r1.duplicate, r2.duplicate, r1.entry.singleScorePt, r1.entry.kind, r1.entry.refers]).toEqual([false, true, -2, "refund", "ci/job/1"]);
      const fixed = charge("ci/job/2", { score: 3.5, kwh: 1 });
      const c = await l.correct("ci/job/2/measured", "ci/job/2", { ...fixed, basis: "measured", provenance: { energy: "sacct ConsumedEnergy" } }, "measured energy arrived");
      expect(c.entry).toMatchObject({ kind: "correction", singleScorePt: 0.5, energyFacilityJ: 3.6e6, basis: "measured" });
      expect((await l.entry("ci/job/2"))!.singleScorePt).toBe(3);
      expect((await l.net("ci/job/2"))!.singleScorePt).toBe(3.5);
      expect(await l.balance("p1", { at: MARCH })).toMatchObject({ charged: 3.5, jobs: 1 });
      await expect(l.refund("x", "ci/job/404", "?")).rejects.toThrow(/refund: refers: expected the key of a charge, got "ci\/job\/404"/);
      await l.close();
    });

    it("charge() refuses a figure that is not finite, naming it, and stores nothing", async () => {
      const l = await open("nan");
      const bad = charge("ci/job/1", { score: NaN });
      await expect(l.charge(bad)).rejects.toBeInstanceOf(InputError);
      await expect(l.charge(bad)).rejects.toThrow(/ledger: single_score_pt: expected a finite number, got NaN/);
      const inf = charge("ci/job/2", { score: 1 });
      (inf.impacts as number[])[5] = Infinity;
      await expect(l.charge(inf)).rejects.toThrow(/impacts\[5\]: expected a finite number, got Infinity/);
      expect(await l.entries()).toEqual([]);
      await l.close();
    });

    it("statement() gives totals by phase, per user, the share measured, and the waste: killed jobs, walltime unused, idle reserved cores", async () => {
      const l = await open("stmt");
      await l.grant({ key: "g", project: "p1", unit: "score_pt", amount: 20, periodStart: MARCH, periodEnd: APRIL });
      await l.charge(charge("ci/job/1", { score: 2, ccFab: 1, ccUse: 2, kwh: 3, unusedS: 7200, idleS: 1800 }));
      await l.charge(charge("ci/job/2", { score: 5, ccFab: 0.5, ccUse: 4, kwh: 1, user: "bob", killed: true, idleS: 3600 }));
      await l.charge(charge("ci/job/3", { score: 1, kwh: 4, user: "bob" }));
      await l.correct("ci/job/3/m", "ci/job/3", { ...charge("ci/job/3", { score: 1, kwh: 4 }), basis: "measured", provenance: {} }, "measured");
      const s = await statement(l, { project: "p1", from: MARCH, to: APRIL, withBalance: true });
      expect(s).toMatchObject({ jobs: 3, entries: 4, energy_facility_kwh: 8, single_score_pt: 8 });
      expect(s.impacts.cc_kgco2eq).toEqual({ total: 7.5, by_phase: { fabrication: 1.5, transport: 0, use: 6, endOfLife: 0 } });
      expect(s.users).toEqual({ alice: { jobs: 1, energy_facility_kwh: 3, single_score_pt: 2 }, bob: { jobs: 2, energy_facility_kwh: 5, single_score_pt: 6 } });
      expect(s.basis).toEqual({ measured: 4 / 8, model: 4 / 8 });
      expect(s.waste).toEqual({ killed: { jobs: 1, energy_facility_kwh: 1, single_score_pt: 5, cc_kgco2eq: 4.5 }, walltime_unused_core_h: 2, idle_reserved_core_h: 1.5 });
      expect(s.balance).toMatchObject({ granted: 20, charged: 8, left: 12 });
      const bob = await statement(l, { project: "p1", user: "bob", from: MARCH, to: APRIL });
      expect([bob.jobs, bob.single_score_pt]).toEqual([2, 6]);
      await l.close();
    });

    it("entriesCsv() writes one row per entry with figures that read back exactly", async () => {
      const l = await open("csv");
      await l.charge(charge("ci/job/1", { score: 0.1 + 0.2, ccUse: 1 / 3 }));
      const csv = entriesCsv(await l.entries());
      const [head, row] = csv.trim().split("\n");
      const cols = head.split(",");
      const cells = row.split(",");
      expect(cols.slice(0, 4)).toEqual(["id", "key", "kind", "refers"]);
      expect(Number(cells[cols.indexOf("single_score_pt")])).toBe(0.1 + 0.2);
      expect(Number(cells[cols.indexOf("cc_kgco2eq")])).toBe(1 / 3);
      expect(Number(cells[cols.indexOf("cc_use_kgco2eq")])).toBe(1 / 3);
      await l.close();
    });

    it("appendEvent() keeps events in order and getKv/setKv overwrite; tokens are kept by hash", async () => {
      const l = await open("events");
      expect(await l.appendEvent(1, { a: 1 })).toBeLessThan(await l.appendEvent(0.5, { b: [1, 2] }));
      expect((await l.events()).map((e) => [e.time, e.body])).toEqual([[1, { a: 1 }], [0.5, { b: [1, 2] }]]);
      await l.setKv("s", "1");
      await l.setKv("s", "2");
      expect(await l.getKv("s")).toBe("2");
      await l.addToken({ hash: "abc", role: "project", project: "p1", label: "p1 token" });
      expect(await l.tokens()).toEqual([{ hash: "abc", role: "project", project: "p1", label: "p1 token" }]);
      await l.close();
    });

    it("balance() of random charges equals their exact sum, on either backend", async () => {
      const l = await open("prop");
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(fc.double({ min: -1e3, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 30 }), async (scores) => {
          const project = `q${n++}`;
          await l.chargeMany(scores.map((s, i) => charge(`${project}/job/${i}`, { score: s, project })));
          // + 0: a sum of -0 charges is 0 (a zero charge has no sign worth keeping).
          expect((await l.balance(project, { at: MARCH })).charged + 0).toBe(fsum(scores) + 0);
        }),
        { numRuns: 25 },
      );
      await l.close();
    });

    it("budgetLeft() is balance()'s left to the bit (the uncached path, as the service read it before) over random grants, charges, duplicates, corrections and refunds, by this store or another writer", async () => {
      const db = await b.open("budget");
      const l = await LedgerStore.open(db);
      const other = await LedgerStore.open(await b.again(db));
      const rng = rngSeeded(1414);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)];
      const projects = ["a", "b", "c"];
      const units = ["score_pt", "energy_kwh", "cc_kgco2eq"];
      const days = (d: number) => MARCH + d * 86400;
      /** The uncached answer: the project-wide grants covering `at`, the first one's unit, balance() in it. */
      const oracle = async (project: string, at: number) => {
        const grants = (await l.grants(project)).filter((g) => g.user === undefined && g.periodStart <= at && at < g.periodEnd);
        if (grants.length === 0) return undefined;
        const bal = await l.balance(project, { at, unit: grants[0].unit });
        return { unit: bal.unit, left: bal.left };
      };
      const charged: string[] = [];
      let checks = 0;
      for (let step = 0; step < 160; step++) {
        const w = rng.next() < 0.5 ? l : other;
        const project = pick(projects);
        const r = rng.next();
        if (r < 0.15) {
          const from = days(Math.floor(rng.next() * 60) - 20);
          await w.grant({ key: `g${step}`, project, ...(rng.next() < 0.2 ? { user: "alice" } : {}), unit: pick(units), amount: Math.round(rng.next() * 1e4) / 10, periodStart: from, periodEnd: from + (1 + Math.floor(rng.next() * 40)) * 86400 });
        } else if (r < 0.7) {
          const key = rng.next() < 0.1 && charged.length > 0 ? pick(charged) : `ci/job/${step}`;
          await w.charge(charge(key, { project, score: rng.next() * 3 - 0.2, ccFab: rng.next(), ccUse: rng.next() * 2, kwh: rng.next() * 50, end: days(rng.next() * 70 - 10), user: pick(["alice", "bob"]) }));
          charged.push(key);
        } else if (r < 0.8 && charged.length > 0) {
          await w.correct(`corr/${step}`, pick(charged), { energyItJ: 1e6, energyFacilityJ: 1.5e6 * rng.next(), impacts: new Array<number>(N_IMPACTS).fill(rng.next()), singleScorePt: rng.next(), basis: "measured", provenance: { meter: "test" } }, "test");
        } else if (r < 0.85 && charged.length > 0) {
          const refers = pick(charged);
          await w.refund(`${refers}/refund`, refers, "test").catch(() => undefined);
        }
        for (const p of projects) {
          const at = days(rng.next() * 70 - 10);
          const [want, got] = [await oracle(p, at), await l.budgetLeft(p, at)];
          expect(got, `step ${step}, project ${p}, at ${at}`).toEqual(want);
          if (want) {
            expect(Object.is(got!.left, want.left)).toBe(true);
            checks++;
          }
        }
      }
      // Enough of the checks had a budget to compare (not only "no grant").
      expect(checks).toBeGreaterThan(100);
      await other.close();
      await l.close();
    }, 120_000);

    // A property of PostgreSQL's sequences (SQLite has one writer at a time): registered for PostgreSQL only, not skipped on SQLite.
    if (b.name === "PostgreSQL")
      it("budgetLeft() counts a charge whose id was taken before one it has seen but committed after it (PostgreSQL's sequence)", async () => {
      const db = await b.open("late");
      const l = await LedgerStore.open(db);
      const other = await LedgerStore.open(await b.again(db));
      await l.grant({ key: "g", project: "p1", unit: "score_pt", amount: 10, periodStart: MARCH, periodEnd: APRIL });
      expect(await l.budgetLeft("p1", MARCH)).toEqual({ unit: "score_pt", left: 10 });
      await other.db.tx(async (t) => {
        // This one takes its id first and commits last.
        await other.charge(charge("ci/job/late", { score: 1 }), t);
        await l.charge(charge("ci/job/early", { score: 2 }));
        expect(await l.budgetLeft("p1", MARCH)).toEqual({ unit: "score_pt", left: 8 });
      });
      expect(await l.budgetLeft("p1", MARCH)).toEqual({ unit: "score_pt", left: 7 });
      await other.close();
      await l.close();
    });
  });
}
