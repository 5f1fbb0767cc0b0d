/**
 * Fuzz of the command line: bad invocations (a broken trace, platform or
 * scenario, an unknown option, a bad number, an output path through a file, a
 * missing file), each with random content, must exit with a documented code
 * (2 usage, 3 invalid input, 4 simulation error) and say why without a stack
 * trace.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleCli, stackLines, type Cli } from "../helpers/cli.js";
import { FUZZ_TIMEOUT_MS, garbage, jsonMutations, mutateJson, mutateText, runs, textMutations, weirdNumberText } from "./fuzz.js";

let impactsim: Cli;
const dir = mkdtempSync(join(tmpdir(), "impactsim-fuzz-cli-"));
beforeAll(async () => {
  impactsim = await bundleCli();
});
afterAll(() => {
  impactsim?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
const file = (text: string, ext: string) => {
  const path = join(dir, `${n++}.${ext}`);
  writeFileSync(path, text);
  return path;
};
const out = () => join(dir, `out-${n++}`);

/**
 * KNOWN_GAPS: bad invocations left out (or checks not made) so that `npm test`
 * passes on main today; each says what happens instead. Set a gap to false
 * once fixed: its invocations then join the fuzz.
 */
export const KNOWN_GAPS = {
  /**
   * A usage error is reported (exit 2) but the command still runs: `impactsim
   * run --zz-x --out d` writes a whole run into d first, `impactsim compare
   * --quiet` (an option compare lacks) prints its table; `impactsim pareto`
   * without its required options prints them as missing, runs anyway and fails
   * with "internal error ... TypeError: Cannot read properties of undefined
   * (reading 'split')", exit 1. (Issue 10, item 11: documented exit codes.)
   */
  usageErrorsStillRun: false,
  /**
   * `run --forecast-bias abc` and `run --forecast-sigma 1e308`: internal error,
   * exit 1 (RangeError: TimeSeries: value ... is not finite); `--forecast-bias
   * -1` and `--forecast-sigma -1` are accepted, exit 0. (Item 6: nonsense
   * accepted; no bounds on the forecast options.)
   */
  forecastOptions: false,
  /** `run --seed abc` simulates the whole run, then exits 4 writing summary.json (provenance.seed NaN) instead of 3 up front. (Item 6.) */
  seedOption: false,
  /**
   * `report d` where d/summary.json is JSON of another shape: internal error,
   * exit 1 (TypeError: Cannot read properties of undefined (reading
   * 'facility')); `report d` on a folder holding no run file writes
   * report.html, exit 0. (Item 7: report reads the files of one run.)
   */
  reportOnForeignFolder: false,
} as const;

const SWF = readFileSync("test/fixtures/swf/good.swf", "utf8");
const PLATFORM = JSON.parse(readFileSync("platforms/two-site-eu.json", "utf8"));
const SCENARIO = JSON.parse(readFileSync("scenarios/default.json", "utf8"));
const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/);

/** Command lines that must fail, each for a reason a user could make. */
const badInvocation: fc.Arbitrary<{ what: string; args: () => string[] }> = fc.oneof(
  // A trace with a line of three fields, in strict mode: invalid input whatever else the mutations did.
  textMutations.map((m) => ({ what: "strict trace with a bad line", args: () => ["run", "--workload", file(`${mutateText(SWF, m)}\n1 2 3\n`, "swf"), "--mode", "strict", "--quiet", "--out", out()] })),
  // A platform whose first site has a PUE below 1, among other changes.
  jsonMutations.map((m) => ({
    what: "platform with a PUE below 1",
    args: () => {
      const p = mutateJson(PLATFORM, m) as typeof PLATFORM;
      if (p && typeof p === "object" && Array.isArray(p.sites) && p.sites[0] && typeof p.sites[0] === "object") p.sites[0].pue = 0.5;
      else return ["run", "--platform", file("{", "json"), "--quiet", "--out", out()];
      return ["run", "--platform", file(JSON.stringify(p), "json"), "--quiet", "--out", out()];
    },
  })),
  // A scenario naming a policy that does not exist, among other changes.
  jsonMutations.map((m) => ({
    what: "scenario with an unknown policy",
    args: () => {
      const s = mutateJson(SCENARIO, m);
      const text = s && typeof s === "object" && !Array.isArray(s) ? JSON.stringify({ ...s, policy: { name: "no-such-policy" } }) : "[";
      return ["run", file(text, "json"), "--quiet", "--out", out()];
    },
  })),
  word.map((w) => ({ what: "unknown option", args: () => ["run", `--zz-${w}`, "--quiet", "--out", out()] })),
  ...(KNOWN_GAPS.usageErrorsStillRun ? [] : [fc.constant({ what: "pareto without its options", args: () => ["pareto", "--quiet"] })]),
  ...(KNOWN_GAPS.forecastOptions
    ? []
    : [fc.tuple(fc.constantFrom("--forecast-bias", "--forecast-sigma"), fc.constantFrom("abc", "NaN", "1e308", "-1", "-2")).map(([o, v]) => ({ what: o, args: () => ["run", o, v, "--quiet", "--out", out()] }))]),
  ...(KNOWN_GAPS.seedOption ? [] : [fc.constantFrom("abc", "NaN").map((v) => ({ what: "bad --seed", args: () => ["run", "--seed", v, "--quiet", "--out", out()] }))]),
  ...(KNOWN_GAPS.reportOnForeignFolder
    ? []
    : [
        jsonMutations.map((m) => ({
          what: "report on a folder of other files",
          args: () => {
            const d = out();
            mkdirSync(d);
            writeFileSync(join(d, "summary.json"), JSON.stringify(mutateJson({ jobs: "x", energy_j: {} }, m)));
            return ["report", d];
          },
        })),
      ]),
  fc.constantFrom("0", "-1", "1.5", "NaN", "1e12", "", "abc").map((v) => ({ what: "bad --procs", args: () => ["run", "--workload", "test/fixtures/swf/good.swf", "--procs", v, "--quiet", "--out", out()] })),
  // A process argument cannot hold a NUL byte (the OS refuses it before impactsim runs), so the generator leaves it out.
  fc.tuple(fc.constantFrom("--time", "--nodes", "--ntasks", "--mem", "--begin", "--gpus"), fc.oneof(weirdNumberText, garbage).map((v) => v.replaceAll("\0", ""))).map(([o, v]) => ({ what: `estimate ${o}`, args: () => ["estimate", o, `x${v}`] })),
  word.map((w) => ({ what: "output folder under a file", args: () => ["run", "--workload", "test/fixtures/swf/good.swf", "--quiet", "--out", join("package.json", w)] })),
  word.map((w) => ({ what: "missing trace", args: () => ["run", "--workload", join(dir, "no-such-folder", `${w}.swf`), "--quiet", "--out", out()] })),
);

describe("fuzz: the command line on bad input", () => {
  it("exits 2, 3 or 4 with a message and no stack trace", async () => {
    const env = { ...process.env };
    delete env.IMPACTSIM_DEBUG;
    await fc.assert(
      fc.asyncProperty(badInvocation, async ({ what, args }) => {
        const argv = args();
        const r = impactsim.run(argv, { env });
        const where = `${what}: impactsim ${argv.join(" ")}\n${r.stderr}`;
        expect([2, 3, 4], where).toContain(r.status);
        expect(r.stderr.trim(), where).not.toBe("");
        expect(stackLines(r.stderr), where).toEqual([]);
        expect(stackLines(r.stdout), where).toEqual([]);
        // A usage error stops before anything runs (see KNOWN_GAPS.usageErrorsStillRun).
        const outAt = argv.indexOf("--out");
        if (!KNOWN_GAPS.usageErrorsStillRun && r.status === 2 && outAt >= 0) expect(existsSync(argv[outAt + 1]), where).toBe(false);
      }),
      runs(8, 1 / 200),
    );
  }, FUZZ_TIMEOUT_MS);
});
