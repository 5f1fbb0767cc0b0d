/**
 * Fuzz of every reader: valid inputs shipped with impactsim or its tests,
 * mutated (lines deleted, duplicated or swapped; numbers replaced by huge,
 * negative, NaN or empty text; truncated; garbage bytes inserted; JSON values
 * of the wrong kind), must each give data or an InputError, never another
 * error (which the CLI would show as an internal error, exit 1).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, it } from "vitest";
import { AdjustmentLog } from "../../src/core/errors.js";
import { parseElectricityFactors } from "../../src/io/electricityFactors.js";
import { loadPlatform } from "../../src/io/platform.js";
import { loadProfile } from "../../src/io/profile.js";
import { loadScenario } from "../../src/io/scenario.js";
import { DEFAULT_SCORE_METHOD_PATH, readScoreMethod } from "../../src/io/scoreMethod.js";
import { parseSeriesCsv } from "../../src/io/series.js";
import { parseSbatchScript, parseSlurmArgs } from "../../src/io/slurm.js";
import { loadSnapshot } from "../../src/io/snapshot.js";
import { openSwf, parseSwfText } from "../../src/io/swf.js";
import { parseWorkflow, readWorkflow } from "../../src/io/wfformat.js";
import { swfText } from "../helpers/traceSlice.js";
import { FUZZ_TIMEOUT_MS, garbage, jsonMutations, mutateJson, mutateText, returnsOrInputError, runs, textMutations, weirdNumberText } from "./fuzz.js";

const dir = mkdtempSync(join(tmpdir(), "impactsim-fuzz-readers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
/** Writes text to a fresh file of the temp folder and returns its path. */
const written = (text: string, ext: string) => {
  const path = join(dir, `input-${fileNo++}.${ext}`);
  writeFileSync(path, text);
  return path;
};
const read = (path: string) => readFileSync(path, "utf8");
/** The first `n` lines of a file. */
const head = (path: string, n: number) => read(path).split("\n").slice(0, n).join("\n") + "\n";

const mode = fc.constantFrom("strict" as const, "lenient" as const);

const SWF_FIXTURES = [read("test/fixtures/swf/good.swf"), read("test/fixtures/swf/lenient.swf"), swfText("traces/HPC2N-2002-2.2-first3170jobs-alea.swf.gz").split("\n").slice(0, 60).join("\n")];
const SERIES_FIXTURES = [head("traces/grid/fr_ci_2020.csv", 60), read("test/fixtures/grid/gap_and_empty.csv"), read("test/fixtures/grid/paris_fall_back.csv")];
const FACTOR_FIXTURES = [read("test/fixtures/grid/factors_small.csv"), head("platforms/electricity/electricity_factors_by_zone.csv", 80)];
const WORKFLOW_FIXTURES = ["test/fixtures/workflows/diamond.json", "traces/workflows/helloworld-chain-5-chameleon.json"].map(read);
const PLATFORM = read("platforms/two-site-eu.json");
const SCENARIOS = ["scenarios/default.json", "scenarios/qos-eu.json", "scenarios/workflow-continuum.json"].map(read);
const PROFILE = read("test/fixtures/profile/valid.json");
const SNAPSHOT = read("test/fixtures/snapshot/two-site-busy.json");
const SCORE_METHOD = read(DEFAULT_SCORE_METHOD_PATH);
const SBATCH = read("test/fixtures/slurm/job.sh");

/** A fixture chosen by index, mutated as text. */
const mutatedText = (fixtures: readonly string[]) => fc.tuple(fc.nat(fixtures.length - 1), textMutations).map(([i, m]) => mutateText(fixtures[i], m));
/** A JSON fixture: either its text mutated, or its parsed value mutated and written back. */
const mutatedJson = (fixtures: readonly string[]) =>
  fc.oneof(
    mutatedText(fixtures),
    fc.tuple(fc.nat(fixtures.length - 1), jsonMutations).map(([i, m]) => JSON.stringify(mutateJson(JSON.parse(fixtures[i]), m), null, 1)),
  );

describe("fuzz: readers give data or an InputError", () => {
  it("parseSwfText() and openSwf() on mutated SWF traces", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedText(SWF_FIXTURES), mode, fc.option(fc.integer({ min: 1, max: 1000 })), async (text, m, maxProcs) => {
        const options = { mode: m, log: new AdjustmentLog(), ...(maxProcs === null ? {} : { maxProcs }) };
        await returnsOrInputError(() => parseSwfText(text, options));
        await returnsOrInputError(async () => {
          const swf = await openSwf(written(text, "swf"), { ...options, log: new AdjustmentLog() });
          let n = 0;
          for await (const batch of swf.batches(7)) n += batch.length;
          return n;
        });
      }),
      runs(80),
    );
  }, FUZZ_TIMEOUT_MS);

  it("parseSeriesCsv() on mutated grid series", async () => {
    const options = fc.record({
      timezone: fc.constantFrom("UTC", "Europe/Paris"),
      gaps: fc.constantFrom("hold" as const, "interpolate" as const, "error" as const),
    });
    await fc.assert(
      fc.asyncProperty(mutatedText(SERIES_FIXTURES), options, async (text, o) => {
        const time = text.startsWith("time,") ? "time" : "Time";
        const value = text.startsWith("time,") ? "ci" : "Carbon Intensity";
        await returnsOrInputError(() => parseSeriesCsv(text, { timeColumn: time, valueColumns: [value], timezone: o.timezone, gaps: o.gaps, log: new AdjustmentLog(), label: "fuzz.csv" }));
      }),
      runs(80),
    );
  }, FUZZ_TIMEOUT_MS);

  it("parseElectricityFactors() on mutated factor tables", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedText(FACTOR_FIXTURES), async (text) => {
        await returnsOrInputError(() => parseElectricityFactors(text, "fuzz.csv"));
      }),
      runs(60),
    );
  }, FUZZ_TIMEOUT_MS);

  it("readScoreMethod() on mutated normalisation and weighting tables", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedText([SCORE_METHOD]), fc.boolean(), async (text, excludeToxicity) => {
        await returnsOrInputError(() => readScoreMethod(written(text, "csv"), { excludeToxicity }));
      }),
      runs(60),
    );
  }, FUZZ_TIMEOUT_MS);

  it("readWorkflow() and parseWorkflow() on mutated WfFormat instances", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedJson(WORKFLOW_FIXTURES), mode, async (text, m) => {
        await returnsOrInputError(() => readWorkflow(written(text, "json"), { mode: m, log: new AdjustmentLog() }));
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          return; // parseWorkflow takes parsed JSON only
        }
        await returnsOrInputError(() => parseWorkflow(json, { mode: m, log: new AdjustmentLog() }));
      }),
      runs(60),
    );
  }, FUZZ_TIMEOUT_MS);

  it("loadPlatform() on mutated platform files", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedJson([PLATFORM]), async (text) => {
        await returnsOrInputError(() => loadPlatform(written(text, "json")));
      }),
      runs(60),
    );
  }, FUZZ_TIMEOUT_MS);

  it("loadScenario() on mutated scenario files", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedJson(SCENARIOS), async (text) => {
        await returnsOrInputError(() => loadScenario(written(text, "json")));
      }),
      runs(60),
    );
  }, FUZZ_TIMEOUT_MS);

  it("loadProfile() on mutated run-time profiles", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedJson([PROFILE]), async (text) => {
        await returnsOrInputError(() => loadProfile(written(text, "json")));
      }),
      runs(50),
    );
  }, FUZZ_TIMEOUT_MS);

  it("loadSnapshot() on mutated cluster snapshots", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedJson([SNAPSHOT]), async (text) => {
        await returnsOrInputError(() => loadSnapshot(written(text, "json")));
      }),
      runs(50),
    );
  }, FUZZ_TIMEOUT_MS);

  it("parseSbatchScript() on mutated batch scripts and parseSlurmArgs() on mutated option lists", async () => {
    const option = fc.constantFrom("-N", "--nodes", "-n", "--ntasks", "-c", "--cpus-per-task", "-t", "--time", "--mem", "--mem-per-cpu", "--gpus", "--gres", "-p", "--partition", "--begin", "-A", "-q", "--gpus-per-node", "--exclusive");
    const value = fc.oneof(weirdNumberText, garbage, fc.constantFrom("1:00:00", "2-00:00:00", "4G", "gpu:2", "now+1hour", "=", "1-2", "a100:4"));
    const args = fc.array(fc.oneof(option, value, fc.tuple(option, value).map(([o, v]) => `${o}=${v}`)), { maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(mutatedText([SBATCH]), args, async (text, a) => {
        await returnsOrInputError(() => parseSbatchScript(text, "fuzz.sh"));
        await returnsOrInputError(() => parseSlurmArgs(a));
      }),
      runs(80),
    );
  }, FUZZ_TIMEOUT_MS);
});
