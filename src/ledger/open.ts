/**
 * Opens a ledger from what a user types: a PostgreSQL URL (postgres:// or
 * postgresql://) or a SQLite file path.
 */
import { InputError } from "../core/index.js";
import { openPostgres, openSqlite, type Db } from "./db.js";
import { LedgerStore } from "./store.js";

/** @throws InputError naming `option` when the database cannot be opened */
export async function openLedger(where: string, option = "--db"): Promise<LedgerStore> {
  let db: Db;
  try {
    db = /^postgres(ql)?:\/\//.test(where) ? await openPostgres(where) : openSqlite(where);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new InputError([{ code: "invalid_value", file: option, message: `expected a SQLite file or a postgres:// URL that can be opened, got ${JSON.stringify(where.replace(/:[^:@/]*@/, ":***@"))}: ${msg}`, value: where.replace(/:[^:@/]*@/, ":***@") }]);
  }
  return LedgerStore.open(db);
}
