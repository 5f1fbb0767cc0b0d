/**
 * `impactsim ledger`: the durable ledger from the command line: balance,
 * statement, grant, export (CSV). A yargs command module, registered in
 * commands.ts. Times are ISO 8601; figures print as stored.
 */
import { writeFileSync } from "node:fs";
import type { Argv, CommandModule } from "yargs";
import { InputError } from "../core/index.js";
import { checkUnit, entriesCsv, openLedger, statement, type Statement } from "../ledger/index.js";

interface LedgerArgs {
  action: string;
  db: string;
  project?: string;
  user?: string;
  unit?: string;
  at?: string;
  from?: string;
  to?: string;
  amount?: number;
  key?: string;
  note?: string;
  out?: string;
  json: boolean;
}

/** An ISO time option as epoch seconds. @throws InputError naming the option */
function time(option: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const t = Date.parse(v) / 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || !Number.isFinite(t)) throw new InputError([{ code: "invalid_value", file: `--${option}`, message: `expected an ISO 8601 time, e.g. 2020-03-01T00:00:00Z, got ${JSON.stringify(v)}`, value: v }]);
  return t;
}

function need<T>(option: string, v: T | undefined): T {
  if (v === undefined) throw new InputError([{ code: "missing_field", file: `--${option}`, message: `expected --${option}, got none` }]);
  return v;
}

function formatStatement(s: Statement): string {
  const f = (x: number) => (Math.abs(x) >= 1000 || x === 0 ? x.toFixed(1) : x.toPrecision(4));
  const lines = [
    `project ${s.project}${s.user ? ` user ${s.user}` : ""}, ${new Date(s.from * 1000).toISOString()} .. ${new Date(s.to * 1000).toISOString()}`,
    `jobs ${s.jobs} (${s.entries} entries)  energy ${f(s.energy_facility_kwh)} kWh (facility)  single score ${f(s.single_score_pt)} Pt  climate change ${f(s.impacts.cc_kgco2eq.total)} kg CO2e`,
    `climate change by phase: ${Object.entries(s.impacts.cc_kgco2eq.by_phase).map(([p, v]) => `${p} ${f(v)}`).join(", ")} kg`,
    `figures by basis (share of energy): ${Object.entries(s.basis).map(([b, v]) => `${b} ${(v * 100).toFixed(1)} %`).join(", ") || "none"}`,
    `waste: killed at walltime ${s.waste.killed.jobs} jobs, ${f(s.waste.killed.energy_facility_kwh)} kWh, ${f(s.waste.killed.single_score_pt)} Pt; requested time unused ${f(s.waste.walltime_unused_core_h)} core-h; reserved cores idle ${f(s.waste.idle_reserved_core_h)} core-h`,
    ...Object.entries(s.users).map(([u, x]) => `  user ${u}: ${x.jobs} jobs, ${f(x.energy_facility_kwh)} kWh, ${f(x.single_score_pt)} Pt`),
  ];
  if (s.balance) lines.push(`balance (${s.balance.unit}): granted ${f(s.balance.granted)}, charged ${f(s.balance.charged)}, left ${f(s.balance.left)}`);
  return lines.join("\n") + "\n";
}

export const ledgerCommand: CommandModule<object, LedgerArgs> = {
  command: "ledger <action>",
  describe: "The durable impact-credit ledger: balance, statement, grant, export (CSV)",
  builder: (y: Argv<object>) =>
    y
      .positional("action", { type: "string", choices: ["balance", "statement", "grant", "export"], demandOption: true })
      .option("db", { type: "string", demandOption: true, describe: "a SQLite file or a postgres:// URL" })
      .option("project", { type: "string", describe: "project (balance, statement, grant; export: only its entries)" })
      .option("user", { type: "string", describe: "a user of the project" })
      .option("unit", { type: "string", describe: "score_pt (EF 3.1 single score, the default), energy_kwh, or an indicator column such as cc_kgco2eq" })
      .option("at", { type: "string", describe: "balance at this time (default now)" })
      .option("from", { type: "string", describe: "statement or grant period start, ISO 8601" })
      .option("to", { type: "string", describe: "statement or grant period end, ISO 8601" })
      .option("amount", { type: "number", describe: "credits granted, in --unit" })
      .option("key", { type: "string", describe: "a grant's key: the same key grants once" })
      .option("note", { type: "string" })
      .option("out", { type: "string", describe: "export: CSV file (default: stdout)" })
      .option("json", { type: "boolean", default: false, describe: "print JSON" }) as unknown as Argv<LedgerArgs>,
  handler: async (a) => {
    const unit = a.unit !== undefined ? checkUnit(a.unit, "--unit") : undefined;
    const now = Date.now() / 1000;
    const ledger = await openLedger(a.db);
    try {
      switch (a.action) {
        case "balance": {
          const b = await ledger.balance(need("project", a.project), { user: a.user, at: time("at", a.at, now), unit });
          process.stdout.write(a.json ? JSON.stringify(b, null, 2) + "\n" : `${b.project}${b.user ? `/${b.user}` : ""} ${b.unit}: granted ${b.granted}, charged ${b.charged}, left ${b.left} (${b.jobs} jobs, ${new Date(b.periodStart * 1000).toISOString()} .. ${new Date(b.periodEnd * 1000).toISOString()})\n`);
          break;
        }
        case "statement": {
          const to = time("to", a.to, now);
          const s = await statement(ledger, { project: need("project", a.project), user: a.user, from: time("from", a.from, to - 30 * 86400), to, unit, withBalance: true });
          process.stdout.write(a.json ? JSON.stringify(s, null, 2) + "\n" : formatStatement(s));
          break;
        }
        case "grant": {
          const g = await ledger.grant({ key: a.key, project: need("project", a.project), user: a.user, unit: unit ?? "score_pt", amount: need("amount", a.amount), periodStart: time("from", need("from", a.from), 0), periodEnd: time("to", need("to", a.to), 0), note: a.note });
          process.stdout.write(a.json ? JSON.stringify(g, null, 2) + "\n" : `${g.duplicate ? "already granted" : "granted"}: ${g.grant.amount} ${g.grant.unit} to ${g.grant.project}${g.grant.user ? `/${g.grant.user}` : ""} (key ${g.grant.key})\n`);
          break;
        }
        case "export": {
          const csv = entriesCsv(await ledger.entries({ project: a.project, user: a.user, ...(a.from ? { from: time("from", a.from, 0) } : {}), ...(a.to ? { to: time("to", a.to, 0) } : {}) }));
          if (a.out) writeFileSync(a.out, csv);
          else process.stdout.write(csv);
          break;
        }
      }
    } finally {
      await ledger.close();
    }
  },
};
