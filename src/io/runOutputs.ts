/**
 * The files of one run, written together. Each is written under a temporary
 * name in the output folder and renamed into place only when the run has
 * finished, summary.json last. summary.json carries the run's id and each
 * file's SHA-256, size and rows (`outputs`), so a reader can tell this run's
 * files from files another run left there (`report` refuses a mix). Files an
 * earlier run wrote that this run does not (jobs.csv before a --summary-only
 * run, say) are removed, with what was derived from them (report.html,
 * waste.json): a folder never holds two runs. A run that fails removes its
 * temporary files and leaves the earlier run's as they were.
 *
 * The run id is derived from the summary's content (provenance and outputs
 * included), so the same inputs give the same id, as they give the same bytes.
 */
import { createHash } from "node:crypto";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ArrowColumn, ArrowTableWriter } from "./arrowWriter.js";
import { CsvThread, ThreadedCsvWriter } from "./csvThread.js";
import { CsvWriter } from "./csvWriter.js";
import { finiteJson } from "./finiteJson.js";
import { JsonLinesWriter } from "./jsonLines.js";

/** Every file a run may write, summary first. */
export const RUN_FILES = ["summary.json", "jobs.csv", "sites.csv", "nodes.csv", "workflows.csv", "predictions.csv", "decisions.jsonl", "impacts.arrow", "pieces.csv"] as const;
/** Files made from a run's files by `impactsim report`. */
export const DERIVED_FILES = ["report.html", "waste.json"] as const;
export const SUMMARY_FILE = "summary.json";

/** What summary.json says of each file its run wrote. */
export interface OutputRecord {
  readonly sha256: string;
  readonly bytes: number;
  /** Rows (CSV, header excluded) or lines (JSON lines). */
  readonly rows: number;
}

/** A run's id: the first 16 hex digits of the SHA-256 of its summary's JSON without the id (keys in order, no indent). */
export function runIdOf(body: Readonly<Record<string, unknown>>): string {
  return createHash("sha256").update(finiteJson(body, SUMMARY_FILE)).digest("hex").slice(0, 16);
}

/** A file being written: closed at commit, then named by its SHA-256, bytes and rows. */
interface OutputFile {
  close(): void;
  readonly sha256: string;
  readonly bytes: number;
  readonly lines: number;
}

export class RunOutputs {
  private readonly writers = new Map<string, OutputFile>();
  private readonly tag = `${process.pid}-${Date.now().toString(36)}`;
  /** The thread writing this run's long CSV files, shared by them. */
  private thread: CsvThread | undefined;

  /** @param dir an existing, writable folder (io/outputDir.ts prepareOutputDir) */
  constructor(readonly dir: string) {}

  private temp(name: string): string {
    return join(this.dir, `.${name}.${this.tag}.partial`);
  }

  /** A CSV file of this run, written under a temporary name until commit. */
  csv(name: string, header: readonly string[]): CsvWriter {
    const w = new CsvWriter(this.temp(name), header);
    w.name = join(this.dir, name);
    this.writers.set(name, w);
    return w;
  }

  /**
   * A CSV file of this run whose rows past the first `after` (or past none,
   * once another file has started it) are formatted and written on the run's
   * one worker thread (io/csvThread.ts; the same bytes), written under a
   * temporary name until commit.
   */
  async threadedCsv(name: string, header: readonly string[], after: number): Promise<ThreadedCsvWriter> {
    this.thread ??= await CsvThread.open();
    const w = await ThreadedCsvWriter.open(this.temp(name), header, after, this.thread);
    w.name = join(this.dir, name);
    this.writers.set(name, w);
    return w;
  }

  /** A table of numbers as an Arrow IPC file of this run (io/arrowWriter.ts), written under a temporary name until commit; apache-arrow is loaded only then. */
  async arrow(name: string, columns: readonly ArrowColumn[]): Promise<ArrowTableWriter> {
    const { ArrowTableWriter } = await import("./arrowWriter.js");
    const w = new ArrowTableWriter(this.temp(name), columns);
    w.name = join(this.dir, name);
    this.writers.set(name, w);
    return w;
  }

  /** A JSON-lines file of this run, written under a temporary name until commit. */
  jsonLines(name: string): JsonLinesWriter {
    const w = new JsonLinesWriter(this.temp(name));
    w.name = join(this.dir, name);
    this.writers.set(name, w);
    return w;
  }

  /**
   * Closes every file, writes summary.json with `run_id` first and `outputs`
   * last, moves everything into place and removes files of earlier runs.
   * @param summary the summary's fields (run_id and outputs are added)
   * @returns the final paths, summary.json last
   */
  commit(summary: Readonly<Record<string, unknown>>): { paths: string[]; runId: string; outputs: Record<string, OutputRecord> } {
    const outputs: Record<string, OutputRecord> = {};
    for (const [name, w] of [...this.writers.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      w.close();
      outputs[name] = { sha256: w.sha256, bytes: w.bytes, rows: w.lines };
    }
    const body = { ...summary, outputs };
    const runId = runIdOf(body);
    const text = finiteJson({ run_id: runId, ...body }, join(this.dir, SUMMARY_FILE), 2) + "\n";
    writeFileSync(this.temp(SUMMARY_FILE), text);
    const paths: string[] = [];
    for (const name of this.writers.keys()) {
      renameSync(this.temp(name), join(this.dir, name));
      paths.push(join(this.dir, name));
    }
    // Files of an earlier run this one did not write, and what was made from them, go before the summary lands.
    for (const name of [...RUN_FILES, ...DERIVED_FILES]) if (name !== SUMMARY_FILE && !this.writers.has(name)) rmSync(join(this.dir, name), { force: true });
    renameSync(this.temp(SUMMARY_FILE), join(this.dir, SUMMARY_FILE));
    paths.push(join(this.dir, SUMMARY_FILE));
    return { paths, runId, outputs };
  }

  /** Removes this run's temporary files (a failed run); the folder keeps what it held before. */
  abort(): void {
    for (const [name, w] of this.writers) {
      try {
        w.close();
      } catch {
        // already closed or never opened: removing is all that is left
      }
      rmSync(this.temp(name), { force: true });
    }
    rmSync(this.temp(SUMMARY_FILE), { force: true });
  }
}
