/**
 * The durable impact-credit ledger: projects and users with budgets in impact
 * credits per period, and an append-only list of entries (job charges,
 * corrections, refunds), each with its energy, impacts by life-cycle phase and
 * category, whether the figures were measured or modelled, and their
 * provenance. Nothing is ever edited: a correction or a refund is a new entry
 * that refers to the one it changes. Every entry has a unique key, so a job
 * charged twice counts once (the second call returns the first entry).
 *
 * One schema, one code path for SQLite and PostgreSQL (ledger/db.ts). Sums are
 * exact (core fsum) over entries in id order, so both backends give the same
 * balances to the last bit.
 */
import { fsum, INDICATORS, N_COORDS, PHASES, ENERGY, N_PHASES, InputError } from "../core/index.js";
import { BudgetCache } from "./budget.js";
import { idColumn, type Db, type Row } from "./db.js";

export const SCHEMA_VERSION = 1;
export const N_IMPACTS = N_PHASES * N_COORDS;

/** What a budget counts: the EF 3.1 single score (Pt), facility energy (kWh), or one indicator by its column name (e.g. cc_kgco2eq). */
export type Unit = string;
export const DEFAULT_UNIT: Unit = "score_pt";
export const UNITS: readonly string[] = ["score_pt", "energy_kwh", ...INDICATORS.map((c) => c.column)];

export type EntryKind = "charge" | "correction" | "refund";
/** Where a charge's figures come from: measured (the site's meter, e.g. sacct ConsumedEnergy), the model (the accountant's arithmetic over the placement), or an estimate before the run. */
export type Basis = "measured" | "model" | "estimated";

/** What a job wasted, for statements: killed at walltime, requested time unused, reserved cores idle. */
export interface Waste {
  readonly killed: boolean;
  /** (walltime - run time) x allocated cores, core-seconds. */
  readonly walltime_unused_core_s: number;
  /** Allocated cores x run time x (1 - CPU load), core-seconds. */
  readonly idle_reserved_core_s: number;
}

export interface ChargeInput {
  /** Unique per charge (e.g. "ci/job/4107"): a second charge with the same key is the same charge. */
  readonly key: string;
  readonly job: string;
  readonly project: string;
  readonly user: string;
  readonly site: string;
  readonly nodeType: string;
  /** Epoch seconds. */
  readonly start: number;
  readonly end: number;
  readonly energyItJ: number;
  readonly energyFacilityJ: number;
  /** N_IMPACTS values: per phase (fabrication, transport, use, endOfLife), the N_COORDS coordinates. */
  readonly impacts: ArrayLike<number>;
  readonly singleScorePt: number;
  readonly basis: Basis;
  readonly provenance: Readonly<Record<string, unknown>>;
  readonly waste: Waste;
}

export interface Entry extends ChargeInput {
  readonly id: number;
  readonly kind: EntryKind;
  /** Key of the entry a correction or refund changes. */
  readonly refers?: string;
  readonly reason?: string;
  readonly created: string;
}

export interface GrantInput {
  /** Unique per grant (idempotent like charges); default: a new key. */
  readonly key?: string;
  readonly project: string;
  /** A user of the project, or undefined for the whole project. */
  readonly user?: string;
  readonly unit: Unit;
  readonly amount: number;
  /** Epoch seconds, [start, end). */
  readonly periodStart: number;
  readonly periodEnd: number;
  readonly note?: string;
}

export interface Grant extends Required<Omit<GrantInput, "user" | "note">> {
  readonly id: number;
  readonly user?: string;
  readonly note?: string;
  readonly created: string;
}

export interface Balance {
  readonly project: string;
  readonly user?: string;
  readonly unit: Unit;
  readonly periodStart: number;
  readonly periodEnd: number;
  readonly granted: number;
  readonly charged: number;
  readonly left: number;
  /** Charges counted (net of corrections), jobs. */
  readonly jobs: number;
}

export interface EntryFilter {
  readonly project?: string;
  readonly user?: string;
  /** Epoch seconds: entries whose job ended in [from, to). */
  readonly from?: number;
  readonly to?: number;
}

export interface TokenRecord {
  readonly hash: string;
  readonly role: "admin" | "project";
  readonly project?: string;
  readonly label: string;
}

function ddl(kind: Db["kind"]): string[] {
  const id = idColumn(kind);
  const num = "DOUBLE PRECISION";
  return [
    `CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, role TEXT NOT NULL, project TEXT, label TEXT NOT NULL, created TEXT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS grants (id ${id}, key TEXT NOT NULL UNIQUE, project TEXT NOT NULL, user_name TEXT NOT NULL, unit TEXT NOT NULL, amount ${num} NOT NULL, period_start ${num} NOT NULL, period_end ${num} NOT NULL, note TEXT, created TEXT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS entries (id ${id}, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, refers TEXT, reason TEXT, job TEXT NOT NULL, project TEXT NOT NULL, user_name TEXT NOT NULL, site TEXT NOT NULL, node_type TEXT NOT NULL, start_s ${num} NOT NULL, end_s ${num} NOT NULL, energy_it_j ${num} NOT NULL, energy_facility_j ${num} NOT NULL, single_score_pt ${num} NOT NULL, impacts TEXT NOT NULL, basis TEXT NOT NULL, provenance TEXT NOT NULL, waste TEXT NOT NULL, created TEXT NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS entries_project ON entries (project, end_s)`,
    `CREATE TABLE IF NOT EXISTS events (seq ${id}, time_s ${num} NOT NULL, body TEXT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  ];
}

/** A ledger value that is not a finite number is refused with its field, never stored. */
function finite(field: string, v: number): number {
  if (!Number.isFinite(v)) throw new InputError([{ code: "invalid_value", file: "ledger", path: field, message: `expected a finite number, got ${v}`, value: String(v) }]);
  return v;
}

const COLUMN_INDEX = new Map(INDICATORS.map((c) => [c.column, c.index]));

/** An entry's amount in a unit. */
export function amountIn(e: Pick<Entry, "impacts" | "singleScorePt" | "energyFacilityJ">, unit: Unit): number {
  if (unit === "score_pt") return e.singleScorePt;
  if (unit === "energy_kwh") return e.energyFacilityJ / 3.6e6;
  const i = COLUMN_INDEX.get(unit);
  if (i === undefined) throw new RangeError(`amountIn: unknown unit "${unit}"`);
  let s = 0;
  for (let ph = 0; ph < N_PHASES; ph++) s += e.impacts[ph * N_COORDS + i];
  return s;
}

export function checkUnit(unit: string, where: string): Unit {
  if (!UNITS.includes(unit)) throw new InputError([{ code: "invalid_value", file: where, path: "unit", message: `expected one of ${UNITS.join(", ")}, got "${unit}"`, value: unit }]);
  return unit;
}

function entryOf(r: Row): Entry {
  return {
    id: Number(r.id),
    key: String(r.key),
    kind: r.kind as EntryKind,
    ...(r.refers != null ? { refers: String(r.refers) } : {}),
    ...(r.reason != null ? { reason: String(r.reason) } : {}),
    job: String(r.job),
    project: String(r.project),
    user: String(r.user_name),
    site: String(r.site),
    nodeType: String(r.node_type),
    start: Number(r.start_s),
    end: Number(r.end_s),
    energyItJ: Number(r.energy_it_j),
    energyFacilityJ: Number(r.energy_facility_j),
    singleScorePt: Number(r.single_score_pt),
    impacts: JSON.parse(String(r.impacts)) as number[],
    basis: r.basis as Basis,
    provenance: JSON.parse(String(r.provenance)) as Record<string, unknown>,
    waste: JSON.parse(String(r.waste)) as Waste,
    created: String(r.created),
  };
}

function grantOf(r: Row): Grant {
  return {
    id: Number(r.id),
    key: String(r.key),
    project: String(r.project),
    ...(r.user_name !== "" ? { user: String(r.user_name) } : {}),
    unit: String(r.unit),
    amount: Number(r.amount),
    periodStart: Number(r.period_start),
    periodEnd: Number(r.period_end),
    ...(r.note != null ? { note: String(r.note) } : {}),
    created: String(r.created),
  };
}

const INSERT_ENTRY = `INSERT INTO entries (key, kind, refers, reason, job, project, user_name, site, node_type, start_s, end_s, energy_it_j, energy_facility_j, single_score_pt, impacts, basis, provenance, waste, created)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`;

export class LedgerStore {
  private budgets?: BudgetCache;

  private constructor(readonly db: Db) {}

  /** Opens a ledger on a database, creating its tables when missing. @throws InputError when the database holds a newer schema */
  static async open(db: Db): Promise<LedgerStore> {
    for (const sql of ddl(db.kind)) await db.run(sql);
    const v = await db.all(`SELECT value FROM ledger_meta WHERE key = 'schema_version'`);
    if (v.length === 0) await db.run(`INSERT INTO ledger_meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING`, [String(SCHEMA_VERSION)]);
    else if (Number(v[0].value) > SCHEMA_VERSION) {
      throw new InputError([{ code: "invalid_value", file: db.where, path: "ledger_meta.schema_version", message: `expected a ledger of schema ${SCHEMA_VERSION} or older, got ${String(v[0].value)} (written by a newer impactsim)` }]);
    }
    return new LedgerStore(db);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  /**
   * Charges a job, once: a second charge with the same key changes nothing.
   * @returns the entry as stored, and whether it was already there
   * @throws InputError for a figure that is not finite or a wrong number of impacts
   */
  async charge(c: ChargeInput, db: Db = this.db): Promise<{ entry: Entry; duplicate: boolean }> {
    return this.insert(c, "charge", undefined, undefined, db);
  }

  /** A charge without reading it back (the service's hot path): whether it was already there. */
  async record(c: ChargeInput, db: Db = this.db): Promise<{ duplicate: boolean }> {
    return { duplicate: (await this.insertRaw(c, "charge", undefined, undefined, db)) === 0 };
  }

  /** Several charges in one transaction (each once). */
  async chargeMany(cs: readonly ChargeInput[]): Promise<{ duplicate: boolean }[]> {
    return this.db.tx(async (db) => {
      const out: { duplicate: boolean }[] = [];
      for (const c of cs) out.push({ duplicate: (await this.insertRaw(c, "charge", undefined, undefined, db)) === 0 });
      return out;
    });
  }

  private async insertRaw(c: ChargeInput, kind: EntryKind, refers: string | undefined, reason: string | undefined, db: Db): Promise<number> {
    if (c.impacts.length !== N_IMPACTS) throw new RangeError(`LedgerStore: expected ${N_IMPACTS} impacts, got ${c.impacts.length}`);
    for (let i = 0; i < N_IMPACTS; i++) finite(`impacts[${i}]`, c.impacts[i]);
    const waste = { killed: c.waste.killed, walltime_unused_core_s: finite("waste.walltime_unused_core_s", c.waste.walltime_unused_core_s), idle_reserved_core_s: finite("waste.idle_reserved_core_s", c.waste.idle_reserved_core_s) };
    const r = await db.run(INSERT_ENTRY, [
      c.key, kind, refers ?? null, reason ?? null, c.job, c.project, c.user, c.site, c.nodeType,
      finite("start", c.start), finite("end", c.end), finite("energy_it_j", c.energyItJ), finite("energy_facility_j", c.energyFacilityJ), finite("single_score_pt", c.singleScorePt),
      JSON.stringify(Array.from(c.impacts)), c.basis, JSON.stringify(c.provenance), JSON.stringify(waste), new Date().toISOString(),
    ]);
    return r.changes;
  }

  private async insert(c: ChargeInput, kind: EntryKind, refers: string | undefined, reason: string | undefined, db: Db): Promise<{ entry: Entry; duplicate: boolean }> {
    const changes = await this.insertRaw(c, kind, refers, reason, db);
    const entry = await this.entry(c.key, db);
    return { entry: entry!, duplicate: changes === 0 };
  }

  async entry(key: string, db: Db = this.db): Promise<Entry | undefined> {
    const rows = await db.all(`SELECT * FROM entries WHERE key = ?`, [key]);
    return rows.length > 0 ? entryOf(rows[0]) : undefined;
  }

  /** The net figures of an entry and every correction or refund referring to it. */
  async net(key: string, db: Db = this.db): Promise<ChargeInput | undefined> {
    const rows = (await db.all(`SELECT * FROM entries WHERE key = ? OR refers = ? ORDER BY id`, [key, key])).map(entryOf);
    if (rows.length === 0 || rows[0].key !== key) return undefined;
    return { ...rows[rows.length - 1], ...sumEntries(rows), key };
  }

  /**
   * Refunds an entry: a new entry of the opposite figures (key `refundKey`, once).
   * @throws InputError when the entry does not exist or is already fully refunded
   */
  async refund(refundKey: string, refers: string, reason: string): Promise<{ entry: Entry; duplicate: boolean }> {
    return this.db.tx(async (db) => {
      const had = await this.entry(refundKey, db);
      if (had) return { entry: had, duplicate: true };
      const net = await this.net(refers, db);
      if (!net) throw new InputError([{ code: "unknown_reference", file: "refund", path: "refers", message: `expected the key of a charge, got "${refers}"`, value: refers }]);
      const neg = Array.from(net.impacts, (v) => -v);
      return this.insert({ ...net, key: refundKey, energyItJ: -net.energyItJ, energyFacilityJ: -net.energyFacilityJ, singleScorePt: -net.singleScorePt, impacts: neg, waste: { killed: net.waste.killed, walltime_unused_core_s: -net.waste.walltime_unused_core_s, idle_reserved_core_s: -net.waste.idle_reserved_core_s } }, "refund", refers, reason, db);
    });
  }

  /**
   * Corrects an entry to new figures: a new entry holding the difference between them and its net figures so far.
   * @throws InputError when the entry does not exist
   */
  async correct(correctionKey: string, refers: string, figures: Pick<ChargeInput, "energyItJ" | "energyFacilityJ" | "impacts" | "singleScorePt" | "basis" | "provenance"> & { waste?: Waste }, reason: string): Promise<{ entry: Entry; duplicate: boolean }> {
    return this.db.tx(async (db) => {
      const had = await this.entry(correctionKey, db);
      if (had) return { entry: had, duplicate: true };
      const net = await this.net(refers, db);
      if (!net) throw new InputError([{ code: "unknown_reference", file: "correction", path: "refers", message: `expected the key of a charge, got "${refers}"`, value: refers }]);
      const w = figures.waste ?? net.waste;
      return this.insert(
        {
          ...net,
          key: correctionKey,
          energyItJ: figures.energyItJ - net.energyItJ,
          energyFacilityJ: figures.energyFacilityJ - net.energyFacilityJ,
          singleScorePt: figures.singleScorePt - net.singleScorePt,
          impacts: Array.from(figures.impacts, (v, i) => v - net.impacts[i]),
          basis: figures.basis,
          provenance: figures.provenance,
          waste: { killed: w.killed, walltime_unused_core_s: w.walltime_unused_core_s - net.waste.walltime_unused_core_s, idle_reserved_core_s: w.idle_reserved_core_s - net.waste.idle_reserved_core_s },
        },
        "correction",
        refers,
        reason,
        db,
      );
    });
  }

  /** Entries in id order. */
  async entries(f: EntryFilter = {}): Promise<Entry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.project !== undefined) (where.push("project = ?"), params.push(f.project));
    if (f.user !== undefined) (where.push("user_name = ?"), params.push(f.user));
    if (f.from !== undefined) (where.push("end_s >= ?"), params.push(f.from));
    if (f.to !== undefined) (where.push("end_s < ?"), params.push(f.to));
    const rows = await this.db.all(`SELECT * FROM entries${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY id`, params);
    return rows.map(entryOf);
  }

  /** Grants credits to a project (or one of its users) for a period, once per key. @throws InputError on a bad unit, amount or period */
  async grant(g: GrantInput): Promise<{ grant: Grant; duplicate: boolean }> {
    checkUnit(g.unit, "grant");
    const issues = [];
    if (!Number.isFinite(g.amount)) issues.push({ code: "invalid_value" as const, file: "grant", path: "amount", message: `expected a finite number of credits, got ${g.amount}`, value: String(g.amount) });
    if (!(Number.isFinite(g.periodStart) && Number.isFinite(g.periodEnd) && g.periodEnd > g.periodStart)) issues.push({ code: "invalid_value" as const, file: "grant", path: "period", message: `expected a period whose end is after its start, got ${g.periodStart} .. ${g.periodEnd}` });
    if (issues.length > 0) throw new InputError(issues);
    const key = g.key ?? `grant/${g.project}/${g.user ?? ""}/${g.unit}/${g.periodStart}/${Date.now()}/${Math.random().toString(36).slice(2)}`;
    const r = await this.db.run(`INSERT INTO grants (key, project, user_name, unit, amount, period_start, period_end, note, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`, [
      key, g.project, g.user ?? "", g.unit, g.amount, g.periodStart, g.periodEnd, g.note ?? null, new Date().toISOString(),
    ]);
    const rows = await this.db.all(`SELECT * FROM grants WHERE key = ?`, [key]);
    return { grant: grantOf(rows[0]), duplicate: r.changes === 0 };
  }

  async grants(project?: string): Promise<Grant[]> {
    const rows = project === undefined ? await this.db.all(`SELECT * FROM grants ORDER BY id`) : await this.db.all(`SELECT * FROM grants WHERE project = ? ORDER BY id`, [project]);
    return rows.map(grantOf);
  }

  /**
   * What is left of a project's (or a user's) budget at time `at` (epoch s):
   * the grants whose period holds `at`, in their unit (the first grant's, or
   * `unit`), less the charges of jobs that ended in that period. Without a
   * grant, the period is the calendar month of `at` (UTC) and nothing is granted.
   */
  async balance(project: string, opts: { user?: string; at: number; unit?: Unit }): Promise<Balance> {
    const all = (await this.grants(project)).filter((g) => g.periodStart <= opts.at && opts.at < g.periodEnd && (opts.user === undefined ? g.user === undefined : g.user === opts.user));
    const unit = opts.unit ?? all[0]?.unit ?? DEFAULT_UNIT;
    const mine = all.filter((g) => g.unit === unit);
    const d = new Date(opts.at * 1000);
    const periodStart = mine.length > 0 ? Math.min(...mine.map((g) => g.periodStart)) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
    const periodEnd = mine.length > 0 ? Math.max(...mine.map((g) => g.periodEnd)) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 1000;
    const entries = await this.entries({ project, user: opts.user, from: periodStart, to: periodEnd });
    const granted = fsum(mine.map((g) => g.amount));
    const charged = fsum(entries.map((e) => amountIn(e, unit)));
    const jobs = new Set(entries.filter((e) => e.kind === "charge").map((e) => e.key)).size - new Set(entries.filter((e) => e.kind === "refund").map((e) => e.refers)).size;
    return { project, ...(opts.user !== undefined ? { user: opts.user } : {}), unit, periodStart, periodEnd, granted, charged, left: granted - charged, jobs };
  }

  /**
   * What a project has left now (`at`, epoch s) of its project-wide budget, in
   * the unit of its first grant covering `at`: `balance(project, { at, unit })`'s
   * left, read from a cache brought up to date with the ledger at each call
   * (ledger/budget.ts); undefined when no project-wide grant covers `at`.
   */
  async budgetLeft(project: string, at: number): Promise<{ unit: Unit; left: number } | undefined> {
    this.budgets ??= new BudgetCache(this.db, grantOf);
    return this.budgets.left(project, at);
  }

  /** Appends an event to the service's log; returns its sequence number. */
  async appendEvent(time: number, body: unknown, db: Db = this.db): Promise<number> {
    const rows = await db.all(`INSERT INTO events (time_s, body) VALUES (?, ?) RETURNING seq`, [time, JSON.stringify(body)]);
    return Number(rows[0].seq);
  }

  async events(afterSeq = 0): Promise<{ seq: number; time: number; body: unknown }[]> {
    const rows = await this.db.all(`SELECT seq, time_s, body FROM events WHERE seq > ? ORDER BY seq`, [afterSeq]);
    return rows.map((r) => ({ seq: Number(r.seq), time: Number(r.time_s), body: JSON.parse(String(r.body)) as unknown }));
  }

  async getKv(key: string): Promise<string | undefined> {
    const rows = await this.db.all(`SELECT value FROM kv WHERE key = ?`, [key]);
    return rows.length > 0 ? String(rows[0].value) : undefined;
  }

  async setKv(key: string, value: string, db: Db = this.db): Promise<void> {
    await db.run(`INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [key, value]);
  }

  /** Stores a token by its hash (never the token). */
  async addToken(t: TokenRecord): Promise<void> {
    await this.db.run(`INSERT INTO tokens (hash, role, project, label, created) VALUES (?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`, [t.hash, t.role, t.project ?? null, t.label, new Date().toISOString()]);
  }

  async tokens(): Promise<TokenRecord[]> {
    const rows = await this.db.all(`SELECT hash, role, project, label FROM tokens ORDER BY created, hash`);
    return rows.map((r) => ({ hash: String(r.hash), role: r.role as TokenRecord["role"], ...(r.project != null ? { project: String(r.project) } : {}), label: String(r.label) }));
  }
}

/** The sum of entries' figures (exact sums, in order). */
export function sumEntries(rows: readonly Pick<Entry, "impacts" | "energyItJ" | "energyFacilityJ" | "singleScorePt" | "waste">[]): Pick<ChargeInput, "impacts" | "energyItJ" | "energyFacilityJ" | "singleScorePt" | "waste"> {
  const impacts = Array.from({ length: N_IMPACTS }, (_, i) => fsum(rows.map((r) => r.impacts[i])));
  return {
    impacts,
    energyItJ: fsum(rows.map((r) => r.energyItJ)),
    energyFacilityJ: fsum(rows.map((r) => r.energyFacilityJ)),
    singleScorePt: fsum(rows.map((r) => r.singleScorePt)),
    waste: {
      killed: rows.some((r) => r.waste.killed),
      walltime_unused_core_s: fsum(rows.map((r) => r.waste.walltime_unused_core_s)),
      idle_reserved_core_s: fsum(rows.map((r) => r.waste.idle_reserved_core_s)),
    },
  };
}

export { PHASES, ENERGY };
