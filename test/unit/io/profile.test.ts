import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { inputIssues } from "../../helpers/issues.js";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/core/errors.js";
import { checkProfile, loadProfile, profileSamples } from "../../../src/io/profile.js";

/** A path from the working directory (the repository root under vitest), so messages are stable. */
const fromRoot = (p: string): string => relative(process.cwd(), fileURLToPath(new URL(`../../../${p}`, import.meta.url)));
const fixture = (name: string) => fromRoot(`test/fixtures/profile/${name}`);

const issuesOf = inputIssues;

describe("checkProfile", () => {
  it("checkProfile(minimal, file) accepts a source and one run, and leaves the optional fields out", () => {
    expect(checkProfile({ source: "one run", runs: [{ device: "fpga", runtime_s: 12.5 }] }, "p.json")).toEqual({ file: "p.json", source: "one run", runs: [{ device: "fpga", runtime_s: 12.5 }] });
  });

  it("checkProfile(json, file) throws every issue, each with the file and JSON path", async () => {
    const broken = { source: "", runs: [{ device: "cpu", runtime_s: -3 }, { device: "gpu", runtime_s: 0, fpgas: 1 }], notes: "x" };
    expect(await issuesOf(() => checkProfile(broken, "profiles/p.json"))).toMatchInlineSnapshot(`
      [
        "profiles/p.json: source: expected a non-empty string, got """,
        "profiles/p.json: runs[0].runtime_s: expected a positive number, got -3",
        "profiles/p.json: runs[1].runtime_s: expected a positive number, got 0",
        "profiles/p.json: notes: unknown field, expected one of: source, job, runs",
        "profiles/p.json: runs[1].fpgas: expected no fpgas on a "gpu" run (give device "fpga" for a run on them), got 1",
      ]
    `);
  });

  it("checkProfile(json, file) refuses a profile without runs or not an object", async () => {
    expect(await issuesOf(() => checkProfile({ source: "s", runs: [] }, "p.json"))).toMatchInlineSnapshot(`
      [
        "p.json: runs: expected at least 1 item(s), got 0",
      ]
    `);
    expect(await issuesOf(() => checkProfile([], "p.json"))).toMatchInlineSnapshot(`
      [
        "p.json: expected an object, got an array of 0 item(s)",
      ]
    `);
  });
});

describe("loadProfile", () => {
  it("loadProfile(valid) reads the source, job and runs", async () => {
    const file = fixture("valid.json");
    const p = await loadProfile(file);
    expect(p.file).toBe(file);
    expect(p.source).toBe("test fixture: invented run times of an imaginary case A");
    expect(p.job).toBe("lbm-3d");
    expect(p.runs).toHaveLength(5);
    expect(p.runs[4]).toEqual({ device: "gpu", runtime_s: 650, gpus: 4, cores: 64 });
  });

  it("loadProfile(broken) names the file and JSON path of every issue", async () => {
    const file = fixture("broken.json");
    expect((await issuesOf(() => loadProfile(file))).map((s) => s.replace(file, "FILE"))).toMatchInlineSnapshot(`
      [
        "FILE: source: expected a string, got nothing (missing field)",
        "FILE: runs[0].device: expected one of "cpu", "gpu", "fpga", got "tpu"",
        "FILE: runs[1].runtime_s: expected a positive number, got -3",
        "FILE: runs[2].runtime_s: expected a number, got "1 h"",
        "FILE: runs[2].cores: expected an integer, got 0.5",
        "FILE: runs[3].runtime: unknown field, expected one of: device, runtime_s, cores, gpus, fpgas, node_type",
        "FILE: runs[2].gpus: expected no gpus on a "cpu" run (give device "gpu" for a run on them), got 2",
      ]
    `);
  });

  it("loadProfile(no source) refuses it: every measured number carries its source", async () => {
    const file = fixture("no-source.json");
    expect(await issuesOf(() => loadProfile(file))).toEqual([`${file}: source: expected a string, got nothing (missing field)`]);
  });

  it("loadProfile(unknown device) lists the device classes", async () => {
    const file = fixture("broken.json");
    const issues = await issuesOf(() => loadProfile(file));
    expect(issues).toContain(`${file}: runs[0].device: expected one of "cpu", "gpu", "fpga", got "tpu"`);
  });

  it("loadProfile(not JSON) reports the line and column (parse_error)", async () => {
    const file = fixture("syntax-error.json");
    const err = await loadProfile(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).issues.map((i) => i.code)).toEqual(["parse_error"]);
    expect((err as InputError).message.replace(file, "FILE")).toMatchInlineSnapshot(`"FILE:3: column 50: expected a property name after ',' (JSON allows no trailing comma), got '}'"`);
  });

  it("loadProfile(missing file) throws an io_error", async () => {
    const err = await loadProfile(fixture("nope.json")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).issues.map((i) => i.code)).toEqual(["io_error"]);
  });
});

describe("profileSamples", () => {
  it("profileSamples(profile, device) gives the run times of that device in file order, empty for none", async () => {
    const p = await loadProfile(fixture("valid.json"));
    expect(profileSamples(p, "cpu")).toEqual([3600, 3720, 3540]);
    expect(profileSamples(p, "gpu")).toEqual([610, 650]);
    expect(profileSamples(p, "fpga")).toEqual([]);
  });
});
