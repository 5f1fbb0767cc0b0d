/**
 * Public surface of ledger/: the durable impact-credit ledger (SQLite or
 * PostgreSQL): budgets in impact credits per period, idempotent job charges
 * with their provenance, corrections and refunds as new entries, statements
 * with waste, CSV export; and the service's event log and token hashes.
 */
export { openSqlite, openPostgres, type Db, type Row } from "./db.js";
export {
  LedgerStore,
  amountIn,
  checkUnit,
  sumEntries,
  DEFAULT_UNIT,
  UNITS,
  N_IMPACTS,
  SCHEMA_VERSION,
  type Balance,
  type Basis,
  type ChargeInput,
  type Entry,
  type EntryFilter,
  type EntryKind,
  type Grant,
  type GrantInput,
  type TokenRecord,
  type Unit,
  type Waste,
} from "./store.js";
export { statement, entriesCsv, exportColumns, type Statement } from "./statement.js";
export { openLedger } from "./open.js";
