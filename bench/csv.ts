/**
 * jobs.csv writing speed: the CSV writer (io/csvWriter.ts) against rows built
 * as strings and joined (the writer before issue 13, kept here as the
 * yardstick), on rows shaped like jobs.csv (41 cells: 12 whole numbers, 24
 * full-precision doubles, 5 short strings). Both write and hash the same
 * bytes; the ratio is printed. Times are this process's CPU time (user +
 * system, process.cpuUsage), best of the runs: on a shared machine wall time
 * mostly measures the other processes. Usage: npx tsx bench/csv.ts [rows]
 *
 * Then what the same rows cost the thread that makes them when they go to the
 * output thread (io/csvThread.ts: stored as numbers, formatted on a worker)
 * against formatting them itself: that thread's CPU time alone, read from
 * /proc (Linux; skipped elsewhere), best of the runs. The worker's own time
 * is not counted: it is the second core's.
 */
import { createHash } from "node:crypto";
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CsvThread, ThreadedCsvWriter } from "../src/io/csvThread.js";
import { CsvWriter, type CsvRows } from "../src/io/csvWriter.js";

/** Rows like jobs.csv's: ids and times, then doubles over many magnitudes (seeded, so every run writes the same file). */
export function jobLikeRows(n: number): (string | number)[][] {
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const rows: (string | number)[][] = [];
  for (let i = 0; i < n; i++) {
    const submit = i * 37 + Math.floor(rand() * 100);
    const row: (string | number)[] = [i + 1, submit, submit + 5, submit + 4000, 5, 3995, "completed", "site", "node", 4, 4, rand(), 250 * rand()];
    for (let k = 0; k < 22; k++) row.push(rand() * 10 ** (Math.floor(rand() * 24) - 14));
    row.push("g1", String(i % 50), "cpu", "", "", 4, 0, 0, 0, 0);
    rows.push(row);
  }
  return rows;
}

/** The previous writer: each row a string, numbers through String(), lines joined per chunk and encoded. */
function previousWriter(path: string, header: string[], rows: (string | number)[][]): string {
  const fd = openSync(path, "w");
  const hash = createHash("sha256");
  let buf: string[] = [header.join(","), "\n"];
  let size = 0;
  const flush = () => {
    const data = Buffer.from(buf.join(""), "utf8");
    writeSync(fd, data);
    hash.update(data);
    buf = [];
    size = 0;
  };
  for (const cells of rows) {
    let line = "";
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i];
      if (i > 0) line += ",";
      line += typeof c === "number" ? String(c) : /[",\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c;
    }
    buf.push(line, "\n");
    size += line.length + 1;
    if (size >= 1 << 20) flush();
  }
  flush();
  closeSync(fd);
  return hash.digest("hex");
}

/** CPU milliseconds of this process so far. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Writes `n` jobs.csv-like rows with both writers, best of `runs` after a warm-up of each: CPU milliseconds of each and whether the files are byte-identical. */
export function benchCsv(n: number, runs = 3): { previousMs: number; writerMs: number; same: boolean } {
  const rows = jobLikeRows(n);
  const header = rows[0].map((_, i) => `c${i}`);
  const a = join(tmpdir(), `bench-csv-prev-${process.pid}.csv`);
  const b = join(tmpdir(), `bench-csv-new-${process.pid}.csv`);
  const writer = (rows: (string | number)[][]) => {
    const w = new CsvWriter(b, header);
    for (const row of rows) w.row(row);
    w.close();
  };
  // Both compiled before they are timed (a single run, as --quick makes, would otherwise time V8's warm-up), and
  // the order alternated, so neither is billed for collecting the other's garbage every time.
  const warm = rows.slice(0, 2000);
  previousWriter(a, header, warm);
  writer(warm);
  let previousMs = Infinity;
  let writerMs = Infinity;
  for (let r = 0; r < runs; r++) {
    for (const which of r % 2 === 0 ? [0, 1] : [1, 0]) {
      const t0 = cpuMs();
      if (which === 0) previousWriter(a, header, rows);
      else writer(rows);
      const ms = cpuMs() - t0;
      if (which === 0) previousMs = Math.min(previousMs, ms);
      else writerMs = Math.min(writerMs, ms);
    }
  }
  const same = readFileSync(a).equals(readFileSync(b));
  rmSync(a);
  rmSync(b);
  return { previousMs, writerMs, same };
}

/** CPU milliseconds of this thread so far (the process's main thread: Linux's /proc), or undefined elsewhere. */
function threadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * Writes `n` jobs.csv-like rows cell by cell (numbers in runs, as runScenario
 * writes jobs.csv) with a CsvWriter and with a ThreadedCsvWriter handed to
 * its thread at the first row: this thread's CPU milliseconds for each, best
 * of `runs` (closing, which waits for the worker, excluded), and whether the
 * files are byte-identical; undefined where a thread's CPU time cannot be read.
 */
export async function benchThreadedCsv(n: number, runs = 3): Promise<{ directMs: number; threadedMs: number; same: boolean } | undefined> {
  if (threadCpuMs() === undefined) return undefined;
  const rows = jobLikeRows(n);
  const header = rows[0].map((_, i) => `c${i}`);
  const numbers = new Float64Array(header.length);
  const write = (w: CsvRows, rows: (string | number)[][]) => {
    for (const row of rows) {
      let k = 0;
      for (const c of row) {
        if (typeof c === "number") numbers[k++] = c;
        else {
          w.numbers(numbers, 0, k).text(c);
          k = 0;
        }
      }
      w.numbers(numbers, 0, k).end();
    }
  };
  const paths = [join(tmpdir(), `bench-csv-direct-${process.pid}.csv`), join(tmpdir(), `bench-csv-threaded-${process.pid}.csv`)];
  const thread = await CsvThread.open();
  const ms = [Infinity, Infinity];
  for (let r = 0; r < runs; r++) {
    for (const which of r % 2 === 0 ? [0, 1] : [1, 0]) {
      const w = which === 0 ? new CsvWriter(paths[0], header) : await ThreadedCsvWriter.open(paths[1], header, 0, thread);
      const t0 = threadCpuMs()!;
      write(w, rows);
      ms[which] = Math.min(ms[which], threadCpuMs()! - t0);
      w.close();
    }
  }
  const same = readFileSync(paths[0]).equals(readFileSync(paths[1]));
  for (const p of paths) rmSync(p);
  return { directMs: ms[0], threadedMs: ms[1], same };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.argv[2] ?? 227_808);
  const { previousMs, writerMs, same } = benchCsv(n);
  console.log(`${n} rows: previous ${previousMs.toFixed(0)} ms CPU, writer ${writerMs.toFixed(0)} ms CPU, ${(previousMs / writerMs).toFixed(2)}x faster; same bytes: ${same}`);
  const t = await benchThreadedCsv(n);
  if (t) console.log(`${n} rows, the making thread's CPU: formatting them ${t.directMs.toFixed(0)} ms, storing them for the output thread ${t.threadedMs.toFixed(0)} ms (${(t.directMs / t.threadedMs).toFixed(1)}x less); same bytes: ${t.same}`);
}
