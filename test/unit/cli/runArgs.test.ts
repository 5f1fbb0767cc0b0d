import fc from "fast-check";
import yargs from "yargs";
import { describe, expect, it } from "vitest";
import { fastRunArgs, RUN_OPTIONS, type RunArgs } from "../../../src/cli/run.ts";

/** What yargs reads of `run <argv>` with run's options, strictly, as commands.ts sets it up (the oracle). */
function yargsRead(argv: string[]): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  try {
    yargs(["run", ...argv])
      .command("run [scenario]", "", (y) => y.positional("scenario", { type: "string" }).options(RUN_OPTIONS).conflicts("policy", "policy-module"), (a) => {
        out = a as Record<string, unknown>;
      })
      .strict()
      .fail((msg, err) => {
        throw err ?? new Error(msg);
      })
      .parseSync();
  } catch {
    return undefined;
  }
  return out;
}

/** The fields runCommand reads, from either reading. */
function fields(a: Record<string, unknown> | RunArgs): Record<string, unknown> {
  const r = a as Record<string, unknown>;
  const out: Record<string, unknown> = { scenario: r.scenario };
  for (const k of Object.keys(RUN_OPTIONS)) out[k] = r[k];
  return out;
}

const TOKENS = [
  "scenarios/default.json", "x.json", "--workload", "t.swf", "--platform", "p.json", "--policy", "easy", "--policy", "sjf", "--policy-module", "m.js",
  "--policy-params", '{"a":1}', "--procs", "128", "--procs", "0x10", "--procs", "1e3", "--seed", "7", "--seed", "-1", "--out", "/tmp/o",
  "--mode", "lenient", "--forecast-bias", "0.1", "--forecast-sigma", ".25", "--series-extend", "hold", "--exclusive", "--cpu-usage", "ignore",
  "--static-split", "jobs", "--summary-only", "--impact-table", "--predict", "--quiet", "--quiet", "true", "--no-quiet", "--help", "-h", "--",
  "--out=/tmp/p", "--seed=3", "--quiet=false", "--unknown", "--policyModule", "m.js",
];

describe("impactsim run's options read without yargs (fastRunArgs)", () => {
  it("reads the common forms as yargs does", () => {
    const argv = ["scenarios/default.json", "--workload", "t.swf", "--quiet", "--out=/tmp/o", "--seed", "7", "--forecast-sigma", "0.2"];
    expect(fields(fastRunArgs(argv)!)).toEqual(fields(yargsRead(argv)!));
    expect(fastRunArgs(argv)).toMatchObject({ scenario: "scenarios/default.json", workload: "t.swf", quiet: true, out: "/tmp/o", seed: 7, "forecast-sigma": 0.2, "summary-only": false });
  });

  it("leaves to yargs what it does not read exactly: help, unknown, repeated or negated options, bad choices, conflicts", () => {
    for (const argv of [["--help"], ["-h"], ["--unknown"], ["--quiet", "--quiet"], ["--no-quiet"], ["--policy", "sjf"], ["--policy", "easy", "--policy-module", "m.js"], ["a.json", "b.json"], ["--procs", "0x10"], ["--seed", "-1"], ["--quiet", "true"], ["--out"]]) {
      expect(fastRunArgs(argv)).toBeUndefined();
    }
  });

  it("whenever it reads an argument list, yargs reads the same values from it (property, random lists of run's tokens)", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 8 }), (argv) => {
        const fast = fastRunArgs(argv);
        if (fast === undefined) return;
        const slow = yargsRead(argv);
        expect(slow).toBeDefined();
        expect(fields(fast)).toEqual(fields(slow!));
      }),
      { numRuns: 300 },
    );
  });
});
