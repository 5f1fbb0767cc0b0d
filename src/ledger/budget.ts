/**
 * A project's budget left, for the service's check of every submission
 * (issue 14), without reading its grants and the whole period's entries each
 * time. The ledger stays the source of truth: grants and entries are
 * append-only, so the cache reads what was added since it last looked (ids
 * above the highest it has seen; one indexed query per table, no row in the
 * common case) and folds each new entry into the running exact sums
 * (core ExactSum) of the periods it falls in. The sums are exact, so the
 * answer is the uncached one to the last bit (LedgerStore.balance sums the
 * same amounts with fsum), whoever wrote to the ledger: this service, the
 * `impactsim ledger` command, another site on a shared PostgreSQL.
 *
 * Ids and commits: SQLite has one writer at a time, so ids become visible in
 * order and "above the highest seen" misses nothing. PostgreSQL takes ids from
 * a sequence before commit: a transaction may commit after a later id was
 * seen, and ON CONFLICT DO NOTHING or a rollback uses ids that never appear.
 * So on PostgreSQL every id skipped over is looked for again at each check
 * until it shows up, or for HOLE_SECONDS (assumption: no ledger transaction
 * stays open that long; ours take milliseconds).
 */
import { ExactSum, fsum } from "../core/index.js";
import type { Db, Row } from "./db.js";
import { amountIn, type Grant, type Unit } from "./store.js";

const HOLE_SECONDS = 120;
/** At most this many ids skipped over are looked for again (oldest dropped first). */
const MAX_HOLES = 10_000;

/** Reads the ids of a table added since the last look. */
class Tail {
  seen = 0;
  /** Ids skipped over (PostgreSQL), with when they were first missed (ms). */
  readonly holes = new Map<number, number>();

  constructor(
    private readonly db: Db,
    private readonly select: string,
  ) {}

  /** Rows added since the last call, in id order. */
  async next(): Promise<Row[]> {
    const pg = this.db.kind === "postgres";
    const holes = pg ? [...this.holes.keys()] : [];
    const rows = holes.length > 0 ? await this.db.all(`${this.select} WHERE id > ? OR id = ANY(?::bigint[]) ORDER BY id`, [this.seen, holes]) : await this.db.all(`${this.select} WHERE id > ? ORDER BY id`, [this.seen]);
    if (!pg) {
      if (rows.length > 0) this.seen = Number(rows[rows.length - 1].id);
      return rows;
    }
    const now = Date.now();
    const out: Row[] = [];
    for (const r of rows) {
      const id = Number(r.id);
      if (id <= this.seen) {
        if (this.holes.delete(id)) out.push(r);
        continue;
      }
      for (let k = Math.max(this.seen + 1, id - MAX_HOLES); k < id; k++) this.holes.set(k, now);
      this.seen = id;
      out.push(r);
    }
    for (const [id, since] of this.holes) if (now - since > HOLE_SECONDS * 1000 || this.holes.size > MAX_HOLES) this.holes.delete(id);
    return out;
  }

  /** Whether an id at or below `seen` has not been read yet. */
  missing(id: number): boolean {
    return this.holes.has(id);
  }
}

/** A period's charges in a unit: the exact running sum. */
interface Spent {
  readonly project: string;
  readonly unit: Unit;
  readonly from: number;
  readonly to: number;
  readonly sum: ExactSum;
}

const ENTRY_COLUMNS = `SELECT id, project, end_s, single_score_pt, energy_facility_j, impacts FROM entries`;

export class BudgetCache {
  private readonly grants = new Map<string, Grant[]>();
  private readonly spent = new Map<string, Spent>();
  /** The Spent of each project. */
  private readonly byProject = new Map<string, Spent[]>();
  private readonly grantTail: Tail;
  private readonly entryTail: Tail;

  constructor(
    private readonly db: Db,
    private readonly grantOf: (r: Row) => Grant,
  ) {
    this.grantTail = new Tail(db, `SELECT * FROM grants`);
    this.entryTail = new Tail(db, ENTRY_COLUMNS);
  }

  /**
   * What a project has left at `at` (epoch s) in its budget's unit, as
   * LedgerStore.balance gives it for the project as a whole, or undefined when
   * no project-wide grant covers `at`.
   */
  async left(project: string, at: number): Promise<{ unit: Unit; left: number } | undefined> {
    await this.sync();
    const all = (this.grants.get(project) ?? []).filter((g) => g.user === undefined && g.periodStart <= at && at < g.periodEnd);
    if (all.length === 0) return undefined;
    const unit = all[0].unit;
    const mine = all.filter((g) => g.unit === unit);
    const from = Math.min(...mine.map((g) => g.periodStart));
    const to = Math.max(...mine.map((g) => g.periodEnd));
    const granted = fsum(mine.map((g) => g.amount));
    const charged = (await this.spentIn(project, unit, from, to)).sum.valueOf();
    return { unit, left: granted - charged };
  }

  /** Reads what was added to the ledger since the last look. */
  private async sync(): Promise<void> {
    // First both tables' highest ids, in one statement (one read transaction, the most of a check's cost on SQLite), then
    // the new rows of a table only when it has some. Ids skipped over (PostgreSQL) may show up below: then read as before.
    const holes = this.grantTail.holes.size + this.entryTail.holes.size > 0;
    const top = holes ? undefined : (await this.db.all(`SELECT (SELECT max(id) FROM grants) AS g, (SELECT max(id) FROM entries) AS e`))[0];
    const grants = !top || Number(top.g ?? 0) > this.grantTail.seen ? await this.grantTail.next() : [];
    for (const r of grants) {
      const g = this.grantOf(r);
      const list = this.grants.get(g.project) ?? [];
      list.push(g);
      // In id order, as LedgerStore.grants reads them (a late id on PostgreSQL lands in its place).
      if (list.length > 1 && list[list.length - 2].id > g.id) list.sort((a, b) => a.id - b.id);
      this.grants.set(g.project, list);
    }
    const rows = !top || Number(top.e ?? 0) > this.entryTail.seen ? await this.entryTail.next() : [];
    if (this.spent.size === 0) return;
    for (const r of rows) {
      const mine = this.byProject.get(String(r.project));
      if (!mine) continue;
      const end = Number(r.end_s);
      let amounts: ReturnType<typeof amountsOf> | undefined;
      for (const s of mine) {
        if (end < s.from || end >= s.to) continue;
        amounts ??= amountsOf(r);
        s.sum.add(amountIn(amounts, s.unit));
      }
    }
  }

  /** The running sum of a period, read once from the ledger (up to the ids seen; later ones come through sync). */
  private async spentIn(project: string, unit: Unit, from: number, to: number): Promise<Spent> {
    const key = `${project}\u0000${unit}\u0000${from}\u0000${to}`;
    let s = this.spent.get(key);
    if (s) return s;
    s = { project, unit, from, to, sum: new ExactSum() };
    const rows = await this.db.all(`${ENTRY_COLUMNS} WHERE project = ? AND end_s >= ? AND end_s < ? AND id <= ? ORDER BY id`, [project, from, to, this.entryTail.seen]);
    for (const r of rows) if (!this.entryTail.missing(Number(r.id))) s.sum.add(amountIn(amountsOf(r), unit));
    this.spent.set(key, s);
    const list = this.byProject.get(project) ?? [];
    list.push(s);
    this.byProject.set(project, list);
    return s;
  }
}

/** An entry row's amounts; its impacts parsed only when a unit needs them (an indicator). */
function amountsOf(r: Row): { singleScorePt: number; energyFacilityJ: number; readonly impacts: number[] } {
  let impacts: number[] | undefined;
  return {
    singleScorePt: Number(r.single_score_pt),
    energyFacilityJ: Number(r.energy_facility_j),
    get impacts() {
      return (impacts ??= JSON.parse(String(r.impacts)) as number[]);
    },
  };
}
