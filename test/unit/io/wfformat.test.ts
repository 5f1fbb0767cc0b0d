import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AdjustmentLog, InputError, formatIssue } from "../../../src/core/index.js";
import {
  criticalPath,
  parseWorkflow,
  readWorkflow,
  wfformatRepairCodes,
  type WorkflowReadOptions,
  type WorkflowSpec,
} from "../../../src/io/wfformat.js";

const FIXTURES = "test/fixtures/workflows";
const SHIPPED = "traces/workflows";
/** The project's data collection (IMPACTSIM_SHARED_WORKFLOWS overrides it, e.g. to check the suite without it). */
const SHARED = process.env.IMPACTSIM_SHARED_WORKFLOWS ?? "/work/shared/data/workflows";
const HAVE_SHARED = existsSync(SHARED);

/** Task counts as listed in SOURCES.md (/work/shared/data/SOURCES.md; traces/workflows/SOURCES.md for the shipped four). */
const TASK_COUNTS: Record<string, number> = {
  "helloworld-chain-5-chameleon.json": 5,
  "srasearch-chameleon-10a-001.json": 22,
  "epigenomics-chameleon-hep-1seq-100k-001.json": 41,
  "blast-chameleon-small-001.json": 43,
  "1000genome-chameleon-2ch-100k-001.json": 52,
  "montage-chameleon-2mass-005d-001.json": 58,
  "cycles-chameleon-1l-1c-9p-001.json": 67,
  "soykb-chameleon-10fastq-10ch-001.json": 96,
  "seismology-chameleon-100p-001.json": 101,
  "rnaseq-dirt02-001.json": 197,
  "montage-chameleon-dss-10d-001.json": 472,
  "1000genome-chameleon-22ch-250k-001.json": 902,
  "seismology-chameleon-1000p-001.json": 1001,
  "epigenomics-chameleon-ilmn-4seq-50k-001.json": 1095,
  "montage-chameleon-2mass-05d-001.json": 1738,
};

/** The Nextflow rnaseq instance records 56 tasks with runtimeInSeconds 0: strict mode rejects it. */
const ZERO_RUNTIME_FILES: Record<string, number> = { "rnaseq-dirt02-001.json": 56 };

const shippedFiles = readdirSync(SHIPPED).filter((f) => f.endsWith(".json")).sort();
const sharedFiles = HAVE_SHARED ? readdirSync(SHARED).filter((f) => f.endsWith(".json")).sort() : [];

const STRICT: WorkflowReadOptions = { mode: "strict" };

type Json = Record<string, unknown>;

function rawJson(path: string): Json {
  return JSON.parse(readFileSync(path, "utf8")) as Json;
}

/** The InputError thrown by `fn`. */
async function inputError(fn: () => unknown): Promise<InputError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error("expected an InputError, got none");
}

/** Minimal WfFormat 1.5 document: tasks given as [id, parent ids, runtime]. */
function wf(tasks: readonly (readonly [string, readonly string[], number])[]): Json {
  const children = new Map<string, string[]>(tasks.map(([id]) => [id, []]));
  for (const [id, parents] of tasks) for (const p of parents) children.get(p)?.push(id);
  return {
    name: "test",
    schemaVersion: "1.5",
    workflow: {
      specification: { tasks: tasks.map(([id, parents]) => ({ name: id, id, parents, children: children.get(id) })), files: [] },
      execution: { tasks: tasks.map(([id, , runtime]) => ({ id, runtimeInSeconds: runtime })) },
    },
  };
}

/** Checks the order invariants: indices are positions, parents come first, links are symmetric. */
function expectTopological(w: WorkflowSpec): void {
  w.tasks.forEach((t, i) => {
    expect(t.index).toBe(i);
    for (const p of t.parents) {
      expect(p).toBeLessThan(i);
      expect(w.tasks[p].children).toContain(i);
    }
    for (const c of t.children) {
      expect(c).toBeGreaterThan(i);
      expect(w.tasks[c].parents).toContain(i);
    }
  });
}

describe("parseWorkflow", () => {
  it("parseWorkflow(minimal, {mode: strict}) pins the defaults: label <json>, 1 core, no utilisation, memory, machine or makespan", () => {
    const w = parseWorkflow(wf([["only", [], 7]]), STRICT);
    expect(w).toEqual({
      name: "test",
      file: "<json>",
      schemaVersion: "1.5",
      tasks: [{ index: 0, id: "only", name: "only", parents: [], children: [], inputs: [], outputs: [], runtime: 7, cores: 1 }],
      files: [],
      machines: [],
      initialFiles: [],
    });
  });

  it("parseWorkflow(diamond) reads files, machines, cores, utilisation, memory and makespan", () => {
    const w = parseWorkflow(rawJson(`${FIXTURES}/diamond.json`), { ...STRICT, label: "diamond.json" });
    expect(w.file).toBe("diamond.json");
    expect(w.recordedMakespan).toBe(9);
    expect(w.files).toEqual([
      { id: "in.dat", bytes: 1000 },
      { id: "a.out", bytes: 200 },
      { id: "b.out", bytes: 30 },
      { id: "c.out", bytes: 40 },
      { id: "d.out", bytes: 5 },
    ]);
    expect(w.machines).toEqual([{ name: "m1", cores: 8, speedMhz: 2400 }, { name: "m2" }]);
    expect(w.initialFiles).toEqual([0]);
    const byId = Object.fromEntries(w.tasks.map((t) => [t.id, t]));
    // Listed D, B, A, C in the file; Kahn's algorithm takes the lowest file position first.
    expect(w.tasks.map((t) => t.id)).toEqual(["A", "B", "C", "D"]);
    // A: coreCount 4 recorded, avgCPU 300 % -> 300 / 100 / 4.
    expect(byId.A).toMatchObject({ cores: 4, utilisation: 300 / 100 / 4, machine: "m2", inputs: [0], outputs: [1], children: [1, 2] });
    // B: no coreCount, avgCPU 250 % -> ceil(2.5) = 3 cores at 2.5 / 3.
    expect(byId.B).toMatchObject({ cores: 3, utilisation: 250 / 100 / 3, memoryBytes: 1048576, machine: "m1" });
    // C: no avgCPU -> 1 core, utilisation unknown.
    expect(byId.C.cores).toBe(1);
    expect(byId.C.utilisation).toBeUndefined();
    expect(byId.D).toMatchObject({ cores: 1, utilisation: 0.5, parents: [1, 2], inputs: [2, 3], outputs: [4], runtime: 4 });
  });

  it("parseWorkflow(a cycle) throws in both modes, naming a task on the cycle", async () => {
    const json = rawJson(`${FIXTURES}/cycle.json`);
    const err = await inputError(() => parseWorkflow(json, { ...STRICT, label: "cycle.json" }));
    expect(err.message).toMatchInlineSnapshot(`"cycle.json: workflow.specification.tasks[1].parents: expected an acyclic graph, got a cycle through task "a": "a" -> "b" -> "c" -> "a""`);
    const log = new AdjustmentLog();
    const lenient = await inputError(() => parseWorkflow(json, { mode: "lenient", log, label: "cycle.json" }));
    expect(lenient.message).toBe(err.message);
    expect(log.total).toBe(0);
  });

  it("parseWorkflow(a task listing itself as parent) reports a one-task cycle", async () => {
    const err = await inputError(() => parseWorkflow(wf([["a", [], 1], ["b", ["a", "b"], 1]]), STRICT));
    expect(err.issues.map(formatIssue)).toMatchInlineSnapshot(`
      [
        "<json>: workflow.specification.tasks[1].parents: expected an acyclic graph, got a cycle through task "b": "b" -> "b"",
      ]
    `);
  });

  it("parseWorkflow(unknown parent and file ids) reports unknown_reference with the JSON path", async () => {
    const err = await inputError(() => parseWorkflow(rawJson(`${FIXTURES}/unknown-parent.json`), { ...STRICT, label: "unknown-parent.json" }));
    expect(err.issues.map((i) => i.code)).toEqual(["unknown_reference", "unknown_reference"]);
    expect(err.issues.map(formatIssue)).toMatchInlineSnapshot(`
      [
        "unknown-parent.json: workflow.specification.tasks[1].parents[1]: expected the id of a task in workflow.specification.tasks, got "x"",
        "unknown-parent.json: workflow.specification.tasks[1].inputFiles[1]: expected the id of a file in workflow.specification.files, got "nope.dat"",
      ]
    `);
  });

  it("parseWorkflow(one-way links, {mode: lenient}) keeps the union of parents and children and counts each repair", () => {
    const log = new AdjustmentLog();
    const w = parseWorkflow(rawJson(`${FIXTURES}/one-way-links.json`), { mode: "lenient", log, label: "one-way-links.json" });
    expect(w.tasks.map((t) => [t.id, t.parents, t.children])).toEqual([
      ["a", [], [1]],
      ["b", [0], [2]],
      ["c", [1], []],
    ]);
    expect(log.toJSON()).toEqual({ invalid_value: 2 });
    expect(log.examples.map(formatIssue)).toMatchInlineSnapshot(`
      [
        "one-way-links.json: workflow.specification.tasks[0].children[0]: expected tasks[1] ("b") to list "a" among its parents, got no such entry",
        "one-way-links.json: workflow.specification.tasks[2].parents[0]: expected tasks[1] ("b") to list "c" among its children, got no such entry",
      ]
    `);
    expect(criticalPath(w)).toEqual({ length: 1 + 2 + 3, tasks: [0, 1, 2] });
  });

  it("parseWorkflow(one-way links, {mode: strict}) throws with one issue per missing back-link", async () => {
    const err = await inputError(() => parseWorkflow(rawJson(`${FIXTURES}/one-way-links.json`), { ...STRICT, label: "one-way-links.json" }));
    expect(err.issues.map((i) => [i.code, i.path])).toEqual([
      ["invalid_value", "workflow.specification.tasks[0].children[0]"],
      ["invalid_value", "workflow.specification.tasks[2].parents[0]"],
    ]);
  });

  it("parseWorkflow(bad records, {mode: strict}) reports missing sizes, run times <= 0 and missing records", async () => {
    const err = await inputError(() => parseWorkflow(rawJson(`${FIXTURES}/bad-records.json`), { ...STRICT, label: "bad-records.json" }));
    expect(err.issues.map(formatIssue)).toMatchInlineSnapshot(`
      [
        "bad-records.json: workflow.specification.files[0].sizeInBytes: expected a size in bytes >= 0, got nothing (missing field; lenient mode uses 0)",
        "bad-records.json: workflow.execution.tasks[1].runtimeInSeconds: expected a run time in seconds > 0, got 0 (lenient mode uses 5 s, the smallest recorded)",
        "bad-records.json: workflow.execution.tasks[2].runtimeInSeconds: expected a run time in seconds > 0, got -1 (lenient mode uses 5 s, the smallest recorded)",
        "bad-records.json: workflow.execution.tasks[3].runtimeInSeconds: expected a run time in seconds > 0, got nothing (missing field; lenient mode uses 5 s, the smallest recorded)",
        "bad-records.json: workflow.specification.tasks[4]: expected an execution record with id "e" in workflow.execution.tasks, got none (lenient mode uses 5 s, the smallest recorded)",
      ]
    `);
  });

  it("parseWorkflow(bad records, {mode: lenient}) repairs run times to the smallest positive one and sizes to 0, counting each", () => {
    const log = new AdjustmentLog();
    const w = parseWorkflow(rawJson(`${FIXTURES}/bad-records.json`), { mode: "lenient", log });
    // Only task a records a positive run time (5 s): b (0), c (-1), d (no runtimeInSeconds), e (no record) get 5 s.
    expect(w.tasks.map((t) => [t.id, t.runtime])).toEqual([["a", 5], ["b", 5], ["c", 5], ["d", 5], ["e", 5]]);
    expect(w.files).toEqual([{ id: "a.out", bytes: 0 }]);
    expect(log.toJSON()).toEqual({ missing_value: 3, negative_runtime: 1, zero_runtime: 1 });
    for (const code of log.counts.keys()) expect(wfformatRepairCodes.has(code)).toBe(true);
  });

  it("parseWorkflow({mode: lenient}) throws when no task has a positive run time to repair from", async () => {
    const log = new AdjustmentLog();
    const err = await inputError(() => parseWorkflow(wf([["a", [], 0], ["b", ["a"], 0]]), { mode: "lenient", log }));
    expect(err.issues.map(formatIssue)).toMatchInlineSnapshot(`
      [
        "<json>: workflow.execution.tasks: expected at least one task with a recorded run time > 0 to repair the others from, got none",
      ]
    `);
    expect(log.total).toBe(0);
  });

  it("parseWorkflow(duplicate ids) throws duplicate_id in both modes; a repeated parent is kept once in lenient mode", async () => {
    const json = wf([["a", [], 1], ["a", [], 2]]);
    const err = await inputError(() => parseWorkflow(json, { mode: "lenient", log: new AdjustmentLog() }));
    expect(err.issues.map(formatIssue)).toMatchInlineSnapshot(`
      [
        "<json>: workflow.specification.tasks[1].id: expected a unique task id, got "a" again (first at tasks[0])",
        "<json>: workflow.execution.tasks[1].id: expected one execution record per task, got "a" again (first at execution.tasks[0])",
      ]
    `);

    const repeated = wf([["a", [], 1], ["b", ["a", "a"], 2]]);
    const log = new AdjustmentLog();
    const w = parseWorkflow(repeated, { mode: "lenient", log });
    expect(w.tasks[1].parents).toEqual([0]);
    // Task b lists "a" twice as a parent, and a's children list holds "b" twice (built from the parents).
    expect(log.toJSON()).toEqual({ duplicate_id: 2 });
  });

  it("parseWorkflow(schemaVersion 1.4) rejects the old layout with one clear issue", async () => {
    const err = await inputError(() => parseWorkflow(rawJson(`${FIXTURES}/version-1.4.json`), { ...STRICT, label: "version-1.4.json" }));
    expect(err.issues.map(formatIssue)).toMatchInlineSnapshot(`
      [
        "version-1.4.json: schemaVersion: expected WfFormat "1.5" (1.4 and older keep tasks under workflow.tasks; convert them with WfCommons), got "1.4"",
      ]
    `);
  });

  it("parseWorkflow(fields of the wrong type) reports every schema issue with its JSON path", async () => {
    const json = wf([["a", [], 1], ["b", ["a"], 1]]) as { workflow: { specification: { tasks: Json[] }; execution: { tasks: Json[] } } };
    json.workflow.specification.tasks[1].parents = ["a", 3];
    json.workflow.execution.tasks[0].runtimeInSeconds = "1";
    json.workflow.execution.tasks[1].coreCount = 0;
    const err = await inputError(() => parseWorkflow(json, { ...STRICT, label: "t.json" }));
    expect(err.issues.map(formatIssue)).toMatchInlineSnapshot(`
      [
        "t.json: workflow.specification.tasks[1].parents[1]: expected a string, got 3",
        "t.json: workflow.execution.tasks[0].runtimeInSeconds: expected a number, got "1"",
        "t.json: workflow.execution.tasks[1].coreCount: expected a number >= 1, got 0",
      ]
    `);
  });

  it("parseWorkflow(json, {mode: lenient}) without a log throws a TypeError", () => {
    expect(() => parseWorkflow(wf([["a", [], 1]]), { mode: "lenient" })).toThrow(TypeError);
    expect(() => parseWorkflow(wf([["a", [], 1]]), { mode: "fast" as "strict" })).toThrow(/got "fast"/);
  });

  it("parseWorkflow orders any DAG topologically, taking the ready task with the lowest file position first", () => {
    // A random DAG over hidden ranks 0..n-1 (edges go from lower to higher rank), listed in a random file order.
    const dag = fc
      .integer({ min: 1, max: 25 })
      .chain((n) =>
        fc.tuple(
          fc.constant(n),
          fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 3 * n }),
          fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
        ),
      );
    fc.assert(
      fc.property(dag, ([n, pairs, fileOrder]) => {
        const parentsOf = new Map<number, Set<number>>([...Array(n).keys()].map((r) => [r, new Set<number>()]));
        for (const [x, y] of pairs) if (x !== y) parentsOf.get(Math.max(x, y))!.add(Math.min(x, y));
        const id = (rank: number): string => `t${rank}`;
        const w = parseWorkflow(wf(fileOrder.map((r) => [id(r), [...parentsOf.get(r)!].map(id), 1 + r] as const)), STRICT);
        expectTopological(w);
        // Same edges as the input.
        for (const t of w.tasks) {
          expect(t.parents.map((p) => w.tasks[p].id).sort()).toEqual([...parentsOf.get(Number(t.id.slice(1)))!].map(id).sort());
        }
        // Stable: at each step, the task placed is the lowest file position among the ready ones.
        const filePos = new Map(fileOrder.map((r, k) => [id(r), k]));
        const placed = new Set<string>();
        for (const t of w.tasks) {
          const ready = fileOrder
            .map(id)
            .filter((x) => !placed.has(x) && [...parentsOf.get(Number(x.slice(1)))!].every((p) => placed.has(id(p))));
          expect(filePos.get(t.id)).toBe(Math.min(...ready.map((x) => filePos.get(x)!)));
          placed.add(t.id);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("criticalPath", () => {
  it("criticalPath(diamond A->B, A->C, B->D, C->D with runtimes 1, 2, 3, 4) is 1 + 3 + 4 through A, C, D", () => {
    const w = parseWorkflow(rawJson(`${FIXTURES}/diamond.json`), STRICT);
    const cp = criticalPath(w);
    expect(cp.length).toBe(1 + 3 + 4);
    expect(cp.tasks.map((i) => w.tasks[i].id)).toEqual(["A", "C", "D"]);
  });

  it("criticalPath(w, weight) uses the weight and breaks ties towards the lower task index", () => {
    const w = parseWorkflow(rawJson(`${FIXTURES}/diamond.json`), STRICT);
    const cp = criticalPath(w, () => 1);
    expect(cp.length).toBe(3);
    expect(cp.tasks.map((i) => w.tasks[i].id)).toEqual(["A", "B", "D"]);
  });

  it("criticalPath(w, weight) throws a RangeError naming the task when a weight is negative or not finite", () => {
    const w = parseWorkflow(rawJson(`${FIXTURES}/diamond.json`), STRICT);
    expect(() => criticalPath(w, (t) => (t.id === "C" ? -1 : 1))).toThrow('criticalPath: expected a finite weight >= 0 for task "C", got -1');
    expect(() => criticalPath(w, () => NaN)).toThrow(/got NaN/);
  });

  it("criticalPath(chain) is the sum of all run times", async () => {
    const path = `${SHIPPED}/helloworld-chain-5-chameleon.json`;
    const w = await readWorkflow(path, STRICT);
    const raw = rawJson(path) as { workflow: { execution: { tasks: { runtimeInSeconds: number }[] } } };
    const sum = raw.workflow.execution.tasks.reduce((s, t) => s + t.runtimeInSeconds, 0);
    const cp = criticalPath(w);
    expect(cp.tasks).toEqual([0, 1, 2, 3, 4]);
    expect(cp.length).toBeCloseTo(sum, 9);
  });
});

describe("readWorkflow", () => {
  it("readWorkflow(missing file) throws an InputError with io_error", async () => {
    const err = await inputError(() => readWorkflow(`${FIXTURES}/no-such-file.json`, STRICT));
    expect(err.issues[0].code).toBe("io_error");
    expect(err.issues[0].file).toBe(`${FIXTURES}/no-such-file.json`);
  });

  it("readWorkflow(a key repeated in one object) reports it with line and path, as JSON.parse would drop it", async () => {
    const err = await inputError(() => readWorkflow(`${FIXTURES}/duplicate-key.json`, { ...STRICT, label: "dup.json" }));
    expect(err.issues.map(formatIssue)).toMatchInlineSnapshot(`
      [
        "dup.json:8: workflow.specification.tasks[1].id: expected each key once, got "id" again (first at line 8; JSON would keep only the last)",
      ]
    `);
  });

  it("readWorkflow(invalid JSON) reports the line and column", async () => {
    const err = await inputError(() => readWorkflow(`${FIXTURES}/syntax-error.json`, { ...STRICT, label: "broken.json" }));
    expect(err.issues.map(formatIssue)).toMatchInlineSnapshot(`
    [
      "broken.json:4: column 46: expected a value, got ','",
    ]
  `);
  });

  it("readWorkflow(path, {label}) names the label in messages and as spec.file", async () => {
    const w = await readWorkflow(`${FIXTURES}/diamond.json`, { ...STRICT, label: "d.json" });
    expect(w.file).toBe("d.json");
    const err = await inputError(() => readWorkflow(`${FIXTURES}/cycle.json`, { ...STRICT, label: "c.json" }));
    expect(err.issues[0].file).toBe("c.json");
  });

  it.each(shippedFiles)("readWorkflow(traces/workflows/%s, strict) parses with the listed task count in topological order", async (f) => {
    const w = await readWorkflow(join(SHIPPED, f), STRICT);
    expect(w.tasks.length).toBe(TASK_COUNTS[f]);
    expect(w.schemaVersion).toBe("1.5");
    expectTopological(w);
    for (const t of w.tasks) expect(t.runtime).toBeGreaterThan(0);
  });

  it("readWorkflow(shipped files) ships the four instances SOURCES.md lists", () => {
    expect(shippedFiles).toEqual([
      "1000genome-chameleon-2ch-100k-001.json",
      "epigenomics-chameleon-hep-1seq-100k-001.json",
      "helloworld-chain-5-chameleon.json",
      "montage-chameleon-2mass-005d-001.json",
    ]);
  });

  it("readWorkflow(epigenomics) reorders tasks the file lists before their parents", async () => {
    const path = `${SHIPPED}/epigenomics-chameleon-hep-1seq-100k-001.json`;
    const raw = rawJson(path) as { workflow: { specification: { tasks: { id: string }[] } } };
    const w = await readWorkflow(path, STRICT);
    expect(w.tasks.map((t) => t.id)).not.toEqual(raw.workflow.specification.tasks.map((t) => t.id));
    expect(new Set(w.tasks.map((t) => t.id))).toEqual(new Set(raw.workflow.specification.tasks.map((t) => t.id)));
  });

  it("readWorkflow(montage) gives as initialFiles exactly the files no task outputs", async () => {
    const path = `${SHIPPED}/montage-chameleon-2mass-005d-001.json`;
    const raw = rawJson(path) as { workflow: { specification: { tasks: { outputFiles: string[] }[]; files: { id: string }[] } } };
    const outputs = new Set(raw.workflow.specification.tasks.flatMap((t) => t.outputFiles));
    const expected = raw.workflow.specification.files.map((f) => f.id).filter((id) => !outputs.has(id));
    const w = await readWorkflow(path, STRICT);
    expect(w.initialFiles.map((f) => w.files[f].id)).toEqual(expected);
    expect(w.initialFiles.length).toBe(26);
    for (const t of w.tasks) for (const f of t.outputs) expect(w.initialFiles).not.toContain(f);
  });

  describe.skipIf(!HAVE_SHARED)(`instances in ${SHARED} (skipped: folder absent outside the project's data collection)`, () => {
    it("readWorkflow(shared folder) finds the 15 instances SOURCES.md lists", () => {
      expect(sharedFiles).toEqual(Object.keys(TASK_COUNTS).sort());
    });

    it.each(sharedFiles.filter((f) => !(f in ZERO_RUNTIME_FILES)))("readWorkflow(%s, strict) parses with the listed task count in topological order", async (f) => {
      const w = await readWorkflow(join(SHARED, f), STRICT);
      expect(w.tasks.length).toBe(TASK_COUNTS[f]);
      expectTopological(w);
    });

    it.each(Object.entries(ZERO_RUNTIME_FILES))("readWorkflow(%s) fails strict mode on %i zero run times and parses in lenient mode", async (f, zeros) => {
      const path = join(SHARED, f);
      const err = await inputError(() => readWorkflow(path, STRICT));
      expect(err.issues.length).toBe(zeros);
      expect(new Set(err.issues.map((i) => i.code))).toEqual(new Set(["zero_runtime"]));
      const log = new AdjustmentLog();
      const w = await readWorkflow(path, { mode: "lenient", log });
      expect(w.tasks.length).toBe(TASK_COUNTS[f]);
      expect(log.toJSON()).toEqual({ zero_runtime: zeros });
      expectTopological(w);
    });
  });
});
