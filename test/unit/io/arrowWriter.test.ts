/**
 * impacts.arrow and its writer: read back with apache-arrow's own IPC reader
 * (tableFromIPC; Debian has no python3-pyarrow to read it independently), the
 * Arrow file magic at both ends, values and types exactly as given across
 * record batches, and on a real run each job's phases summing to jobs.csv's
 * figures (jobs.csv parsed as text: an independent path to the same numbers).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC, Type } from "apache-arrow";
import { afterAll, describe, expect, it } from "vitest";
import { SimulationError } from "../../../src/core/errors.ts";
import { ArrowTableWriter } from "../../../src/io/arrowWriter.ts";
import { impactColumns, runScenario } from "../../../src/run/runScenario.ts";
import { writeTraceSlice } from "../../helpers/traceSlice.ts";

const dir = mkdtempSync(join(tmpdir(), "impactsim-arrow-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ArrowTableWriter", () => {
  it("ArrowTableWriter(7 rows, batches of 3) is an Arrow IPC file whose reader gives back every value, int64 ids and float64 figures, and whose hash and size are the file's", () => {
    const path = join(dir, "t.arrow");
    const w = new ArrowTableWriter(path, [{ name: "id", type: "int64" }, { name: "x" }, { name: "y" }], 3);
    const rows = [
      [1, 0.1, -0],
      [2, 1e21, 5e-324],
      [3, -1.7976931348623157e308, 1 / 3],
      [9007199254740991, 0.30000000000000004, 2],
      [5, 1e-7, -2.5],
      [6, 7, 8],
      [-7, 123.456, 1e300],
    ];
    const scratch = new Float64Array(3);
    for (const r of rows) {
      scratch.set(r);
      w.row(scratch);
    }
    w.close();
    const bytes = readFileSync(path);
    expect(bytes.subarray(0, 6).toString("latin1")).toBe("ARROW1");
    expect(bytes.subarray(bytes.length - 6).toString("latin1")).toBe("ARROW1");
    expect(w.bytes).toBe(bytes.length);
    expect(w.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(w.rows).toBe(7);
    const t = tableFromIPC(bytes);
    expect(t.batches.length).toBe(3);
    expect(t.numRows).toBe(7);
    expect(t.schema.fields.map((f) => [f.name, f.type.typeId])).toEqual([["id", Type.Int], ["x", Type.Float], ["y", Type.Float]]);
    expect([...t.getChild("id")!].map(Number)).toEqual(rows.map((r) => r[0]));
    expect([...t.getChild("x")!]).toEqual(rows.map((r) => r[1]));
    const y = [...t.getChild("y")!] as number[];
    expect(y).toEqual(rows.map((r) => r[2]));
    expect(Object.is(y[0], -0)).toBe(true);
  });

  it("ArrowTableWriter(3,000 rows, batches of 2,500) keeps every row while its columns grow past their first 1,024 rows", () => {
    const path = join(dir, "grow.arrow");
    const w = new ArrowTableWriter(path, [{ name: "id", type: "int64" }, { name: "x" }], 2500);
    for (let i = 0; i < 3000; i++) w.row([i, i / 7]);
    w.close();
    const t = tableFromIPC(readFileSync(path));
    expect(t.batches.map((b) => b.numRows)).toEqual([2500, 500]);
    expect([...t.getChild("id")!].map(Number)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect([...t.getChild("x")!]).toEqual(Array.from({ length: 3000 }, (_, i) => i / 7));
  });

  it("ArrowTableWriter with no rows is a valid file of the schema and no rows", () => {
    const path = join(dir, "empty.arrow");
    const w = new ArrowTableWriter(path, [{ name: "a" }]);
    w.close();
    const t = tableFromIPC(readFileSync(path));
    expect(t.numRows).toBe(0);
    expect(t.schema.fields.map((f) => f.name)).toEqual(["a"]);
  });

  it("ArrowTableWriter.row(NaN, Infinity, or 1.5 as an id) throws SimulationError naming file, row and column", () => {
    const w = new ArrowTableWriter(join(dir, "bad.arrow"), [{ name: "id", type: "int64" }, { name: "x" }]);
    w.row([1, 2]);
    expect(() => w.row([2, Number.NaN])).toThrow(/bad\.arrow: row 2, column x: expected a finite number, got NaN/);
    expect(() => w.row([1.5, 0])).toThrow(SimulationError);
    expect(() => w.row([3, -Infinity])).toThrow(/column x/);
    w.close();
    expect(w.rows).toBe(1);
  });

  it("a run with impactTable writes impacts.arrow: one row per job, phases summing to jobs.csv's categories and matching its cc by phase, listed in summary.outputs", async () => {
    const out = join(dir, "run");
    const run = await runScenario({ overrides: { workload: writeTraceSlice(dir, 300), out, impactTable: true } });
    const bytes = readFileSync(join(out, "impacts.arrow"));
    const listed = (run.summary.outputs as Record<string, { sha256: string; rows: number }>)["impacts.arrow"];
    expect(listed.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    const t = tableFromIPC(bytes);
    const names = impactColumns().map((c) => c.name);
    expect(t.schema.fields.map((f) => f.name)).toEqual(names);
    expect(names.length).toBe(3 + 4 * 18);
    expect(names).toContain("cc_endOfLife_kgco2eq");
    expect(names).toContain("energy_use_j");
    expect(t.numRows).toBe(run.summary.jobs);
    expect(listed.rows).toBe(run.summary.jobs);

    const [head, ...lines] = readFileSync(join(out, "jobs.csv"), "utf8").trim().split("\n");
    const h = head.split(",");
    const csv = new Map(lines.map((l) => l.split(",")).map((f) => [Number(f[0]), f]));
    const col = (name: string) => t.getChild(name)!.toArray() as Float64Array;
    const ids = [...t.getChild("job_id")!].map(Number);
    expect(new Set(ids)).toEqual(new Set(csv.keys()));
    const phases = ["fabrication", "transport", "use", "endOfLife"];
    for (const category of ["cc_kgco2eq", "pm_disease_inc", "ruf_mj", "pe_mj"]) {
      const byPhase = phases.map((p) => col(category.replace("_", `_${p}_`)));
      ids.forEach((id, i) => {
        const sum = byPhase[0][i] + byPhase[1][i] + byPhase[2][i] + byPhase[3][i];
        expect(sum, `${category} of job ${id}`).toBe(Number(csv.get(id)![h.indexOf(category)]));
      });
    }
    ids.forEach((id, i) => {
      for (const p of phases) expect(col(`cc_${p}_kgco2eq`)[i]).toBe(Number(csv.get(id)![h.indexOf(`cc_${p}_kgco2eq`)]));
      expect(col("energy_facility_j")[i]).toBe(Number(csv.get(id)![h.indexOf("energy_facility_j")]));
      expect(col("energy_it_j")[i]).toBe(Number(csv.get(id)![h.indexOf("energy_it_j")]));
    });
  });
});
