import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError, formatIssue } from "../../../src/core/index.js";
import {
  formatSlurmOptions, formatSlurmTime, mergeSlurm, parseSbatchScript, parseSlurmArgs, parseSlurmMemory,
  parseSlurmTime, readSbatchScript, requestedCores, type SlurmRequest,
} from "../../../src/io/slurm.js";

/** The InputError thrown by `f`, for checking its issues. */
function inputError(f: () => unknown): InputError {
  try {
    f();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error("expected an InputError, none was thrown");
}

const EMPTY: SlurmRequest = { ignored: [], notes: [], where: {} };

/** The request's values without where each came from (checked on its own below). */
function values(r: SlurmRequest): Omit<SlurmRequest, "where" | "script"> {
  const { where: _where, script: _script, ...rest } = r;
  return rest;
}
const NONE = values(EMPTY);

describe("parseSlurmArgs", () => {
  it("parseSlurmArgs([]) is an empty request: nothing set, nothing ignored", () => {
    expect(parseSlurmArgs([])).toEqual(EMPTY);
  });

  it("parseSlurmArgs reads --opt=value, --opt value, -N 2 and -N2 alike", () => {
    const a = parseSlurmArgs(["--nodes=2", "--ntasks", "64", "-c", "2", "-t30", "-p", "gpu", "-Aproj", "-J", "run 1", "-q", "high"]);
    expect(values(a)).toEqual({
      ...NONE, nodes: 2, ntasks: 64, cpusPerTask: 2, timeS: 30 * 60, partition: "gpu", account: "proj", jobName: "run 1", qos: "high",
    });
  });

  it("parseSlurmArgs lets the last of duplicated options win, as sbatch does", () => {
    expect(parseSlurmArgs(["-N", "2", "--nodes=8"]).nodes).toBe(8);
  });

  it("parseSlurmArgs reads --exclusive as whole nodes; its user, mcs and topo forms the same, noted; another value refused", () => {
    expect(parseSlurmArgs(["--exclusive"]).exclusive).toBe(true);
    expect(parseSlurmArgs(["-n", "4"]).exclusive).toBeUndefined();
    const user = parseSlurmArgs(["--exclusive=user"], "cli");
    expect(user.exclusive).toBe(true);
    expect(user.notes).toEqual(["cli: --exclusive=user: read as --exclusive (its nodes to this job alone)"]);
    expect(() => parseSlurmArgs(["--exclusive=all"])).toThrow(/--exclusive: expected --exclusive, or --exclusive=user, mcs or topo, got "all"/);
    // A script's --exclusive holds unless the command line changes nothing about it; formatSlurmOptions gives it back.
    expect(mergeSlurm(parseSbatchScript("#!/bin/sh\n#SBATCH --exclusive\n", "job.sh"), parseSlurmArgs(["-n", "2"])).exclusive).toBe(true);
    expect(formatSlurmOptions({ ntasks: 2, exclusive: true })).toEqual(["--ntasks=2", "--exclusive"]);
  });

  it("parseSlurmArgs reduces a node range to its minimum and notes it", () => {
    const r = parseSlurmArgs(["--nodes=2-4"]);
    expect(r.nodes).toBe(2);
    expect(r.notes).toEqual(["command line: --nodes=2-4: node range reduced to its minimum, 2"]);
  });

  it("parseSlurmArgs lists harmless options as ignored, with where, and notes that dependencies are not modelled", () => {
    const r = parseSlurmArgs(["-o", "out.%j", "--oversubscribe", "--mail-type=END", "--dependency=afterok:12"], "cli");
    expect(r.ignored).toEqual([
      { option: "--output=out.%j", where: "cli" },
      { option: "--oversubscribe", where: "cli" },
      { option: "--mail-type=END", where: "cli" },
      { option: "--dependency=afterok:12", where: "cli" },
    ]);
    expect(r.notes).toEqual(["cli: --dependency: waiting on dependencies is not modelled; the estimate assumes they are met"]);
  });

  it("parseSlurmArgs keeps --mem=0 as 0 (Slurm: all the memory of the node) and --begin as given", () => {
    expect(values(parseSlurmArgs(["--mem=0", "--begin=now+1hour"]))).toEqual({ ...NONE, memMb: 0, begin: "now+1hour" });
  });

  it("parseSlurmArgs refuses job arrays and says to estimate one element", () => {
    const err = inputError(() => parseSlurmArgs(["--array=1-10"]));
    expect(err.issues).toEqual([{
      code: "unknown_option", file: "command line", path: "--array", value: "1-10",
      message: "job arrays are not supported; estimate one element of the array instead (drop --array)",
    }]);
  });

  it("parseSlurmArgs reports a missing value at the end of the arguments", () => {
    expect(inputError(() => parseSlurmArgs(["--time"])).message).toBe("command line: --time: expected a value, got end of arguments");
  });

  it("parseSlurmArgs refuses --mem with --mem-per-cpu from one source, as sbatch does", () => {
    const err = inputError(() => parseSlurmArgs(["--mem=4G", "--mem-per-cpu=1G"]));
    expect(err.issues.map((i) => [i.code, i.path])).toEqual([["invalid_value", "--mem-per-cpu"]]);
  });
});

describe("GPU requests", () => {
  it("--gres=gpu:N is per node: 2 nodes x gpu:4 = 8 GPUs", () => {
    expect(values(parseSlurmArgs(["-N", "2", "--gres=gpu:4"]))).toEqual({ ...NONE, nodes: 2, gpus: 8, gpusPerNode: 4 });
  });

  it("--gres=gpu:type:N gives the type; gpu:type alone is one GPU; gpu alone is one GPU", () => {
    expect(values(parseSlurmArgs(["--gres=gpu:a100:2"]))).toEqual({ ...NONE, gpus: 2, gpusPerNode: 2, gpuType: "a100" });
    expect(values(parseSlurmArgs(["--gres=gpu:a100"]))).toEqual({ ...NONE, gpus: 1, gpusPerNode: 1, gpuType: "a100" });
    expect(parseSlurmArgs(["--gres", "gpu"]).gpus).toBe(1);
  });

  it("--gpus / -G N is the job's total, whatever the node count", () => {
    expect(values(parseSlurmArgs(["-N", "4", "--gpus=h100:8"]))).toEqual({ ...NONE, nodes: 4, gpus: 8, gpuType: "h100" });
    expect(parseSlurmArgs(["-G", "3"]).gpus).toBe(3);
  });

  it("--gpus-per-node N is multiplied by the nodes, 1 node by default", () => {
    expect(parseSlurmArgs(["--gpus-per-node=4"]).gpus).toBe(4);
    expect(parseSlurmArgs(["--gpus-per-node=4", "--nodes=3"]).gpus).toBe(12);
  });

  it("--gres with another generic resource in the list is an invalid_value naming it", () => {
    const err = inputError(() => parseSlurmArgs(["--gres=gpu:2,mps:100"]));
    expect(err.issues[0]).toMatchObject({ code: "invalid_value", path: "--gres", value: "gpu:2,mps:100" });
    expect(err.issues[0].message).toMatchInlineSnapshot(`"expected only gpu generic resources (gpu[:type][:count]), got "mps:100" (mps is not modelled)"`);
    expect(inputError(() => parseSlurmArgs(["--gres=nvme"])).issues[0].message).toContain('"nvme"');
  });
});

describe("parseSlurmTime", () => {
  it("parseSlurmTime reads each Slurm format, worked by hand", () => {
    expect(parseSlurmTime("90")).toBe(90 * 60); // minutes
    expect(parseSlurmTime("5:30")).toBe(5 * 60 + 30); // minutes:seconds
    expect(parseSlurmTime("01:00:00")).toBe(3600); // hours:minutes:seconds
    expect(parseSlurmTime("2-12")).toBe(2 * 86400 + 12 * 3600); // days-hours
    expect(parseSlurmTime("1-02:30")).toBe(86400 + 2 * 3600 + 30 * 60); // days-hours:minutes
    expect(parseSlurmTime("1-02:03:04")).toBe(93784); // 86400 + 7200 + 180 + 4
  });

  it("parseSlurmTime refuses no limit: UNLIMITED, INFINITE and 0", () => {
    expect(() => parseSlurmTime("UNLIMITED")).toThrow(new RangeError('expected a finite time limit for an estimate, got "UNLIMITED"'));
    expect(() => parseSlurmTime("infinite")).toThrow(RangeError);
    expect(() => parseSlurmTime("0")).toThrow(/0 means no limit in Slurm/);
  });

  it("parseSlurmTime refuses negative, fractional and malformed times", () => {
    for (const bad of ["-5", "1.5", "1:2:3:4", "1-", "2h", ""]) expect(() => parseSlurmTime(bad), bad).toThrow(RangeError);
  });
});

describe("parseSlurmMemory", () => {
  it("parseSlurmMemory gives MB: no suffix is MB, K rounds up, G and T are powers of 1024", () => {
    expect(parseSlurmMemory("4000")).toBe(4000);
    expect(parseSlurmMemory("500M")).toBe(500);
    expect(parseSlurmMemory("16G")).toBe(16 * 1024);
    expect(parseSlurmMemory("1T")).toBe(1024 * 1024);
    expect(parseSlurmMemory("1500K")).toBe(2); // 1500 / 1024 = 1.46, rounded up
    expect(parseSlurmMemory("16gb")).toBe(16 * 1024); // case-insensitive, optional B as in Slurm
  });

  it("parseSlurmMemory refuses other forms", () => {
    for (const bad of ["16X", "1.5G", "-1", "G", "16B"]) expect(() => parseSlurmMemory(bad), bad).toThrow(RangeError);
  });
});

describe("parseSbatchScript", () => {
  const SCRIPT = [
    "#!/bin/bash",
    "# Climate run: two nodes",
    "#SBATCH --job-name=\"ocean model\"   # quoted, with a trailing comment",
    "#SBATCH -N 2 --ntasks-per-node=16",
    "",
    "#SBATCH --time=1-00:00:00",
    "#SBATCH --mem=64G --output=slurm-%j.out",
    "#SBATCH -p compute -A clim42",
    "module load netcdf",
    "#SBATCH --nodes=8",
    "srun ./ocean",
  ].join("\n");

  it("parseSbatchScript reads the directives before the first command and notes a late one", () => {
    expect(values(parseSbatchScript(SCRIPT, "job.sh"))).toEqual({
      jobName: "ocean model", nodes: 2, ntasksPerNode: 16, timeS: 86400, memMb: 64 * 1024, partition: "compute", account: "clim42",
      ignored: [{ option: "--output=slurm-%j.out", where: "job.sh:7" }],
      notes: ["job.sh:10: #SBATCH after the first command is ignored by sbatch"],
    });
  });

  it("parseSbatchScript reads single quotes, backslash escapes and CRLF line ends", () => {
    const r = parseSbatchScript("#SBATCH -J 'a b' --comment=x\\#y\r\n#SBATCH -n 4\r\n", "w.sh");
    expect(r).toMatchObject({ jobName: "a b", ntasks: 4, ignored: [{ option: "--comment=x#y", where: "w.sh:1" }] });
  });

  it("parseSbatchScript skips an indented #SBATCH with a note, since sbatch reads only those starting the line", () => {
    const r = parseSbatchScript("#!/bin/sh\n  #SBATCH -N 4\n#SBATCH -N 2\n", "j.sh");
    expect(r.nodes).toBe(2);
    expect(r.notes).toEqual(["j.sh:2: indented #SBATCH is ignored by sbatch (it must start the line)"]);
  });

  it("parseSbatchScript names file, line and option of an unknown option", () => {
    const err = inputError(() => parseSbatchScript("#!/bin/bash\n#SBATCH -N 2\n#SBATCH --frobnicate=3\n", "job.sh"));
    expect(err.message).toBe('job.sh:3: --frobnicate: expected an sbatch option impactsim supports, got "--frobnicate"');
  });

  it("parseSbatchScript collects every issue of the script in one InputError", () => {
    const text = "#SBATCH --nodes=two\n#SBATCH --time=forever -x n1 --bogus\n#SBATCH --mem=lots\n#SBATCH -J \"open\n";
    const err = inputError(() => parseSbatchScript(text, "job.sh"));
    expect(err.issues.map(formatIssue)).toMatchInlineSnapshot(`
      [
        "job.sh:1: --nodes: expected a positive integer or a range min-max, got "two"",
        "job.sh:2: --time: expected a time as minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes or days-hours:minutes:seconds, got "forever"",
        "job.sh:2: --bogus: expected an sbatch option impactsim supports, got "--bogus"",
        "job.sh:3: --mem: expected a memory size such as 4000, 500M, 16G or 1T (default unit M), got "lots"",
        "job.sh:4: #SBATCH: expected a closing " quote, got end of line",
      ]
    `);
    expect(err.issues[0]).toEqual({ code: "invalid_value", file: "job.sh", line: 1, path: "--nodes", value: "two", message: 'expected a positive integer or a range min-max, got "two"' });
  });

  it("parseSbatchScript refuses a count of 0 nodes or tasks", () => {
    const err = inputError(() => parseSbatchScript("#SBATCH -N 0 -n 0\n", "z.sh"));
    expect(err.issues.map((i) => i.path)).toEqual(["--nodes", "--ntasks"]);
    expect(err.issues[1].message).toBe('expected a positive integer, got "0"');
  });
});

describe("where each field was set (so later problems name the script line or the command line)", () => {
  it("a script's fields point at their #SBATCH line and long option; the script and its directive count are kept", () => {
    const r = parseSbatchScript("#!/bin/bash\n#SBATCH -J x\n#SBATCH -N 1000 --mem-per-cpu=2G\n#SBATCH --gres=gpu:2 -t 30\nsrun a\n#SBATCH -n 4\n", "big.sh");
    expect(r.where).toEqual({
      jobName: { file: "big.sh", line: 2, option: "--job-name" },
      nodes: { file: "big.sh", line: 3, option: "--nodes" },
      mem: { file: "big.sh", line: 3, option: "--mem-per-cpu" },
      gpus: { file: "big.sh", line: 4, option: "--gres" },
      timeS: { file: "big.sh", line: 4, option: "--time" },
    });
    // Three directives before the first command; the late -n is not one sbatch applies.
    expect(r.script).toEqual({ file: "big.sh", directives: 3 });
  });

  it("options on the command line point at it, without a line", () => {
    expect(parseSlurmArgs(["-N", "2", "--qos=gold"]).where).toEqual({ nodes: { file: "command line", option: "--nodes" }, qos: { file: "command line", option: "--qos" } });
  });

  it("an empty script, or one with no directive before its first command, has no directive and says so in a note", () => {
    expect(parseSbatchScript("", "empty.sh")).toMatchObject({ script: { file: "empty.sh", directives: 0 }, where: {} });
    expect(parseSbatchScript("", "empty.sh").notes).toEqual(["empty.sh: no #SBATCH line before its first command: only the options on the command line apply"]);
    expect(parseSbatchScript("#!/bin/sh\nhostname\n#SBATCH -N 2\n", "late.sh").script).toEqual({ file: "late.sh", directives: 0 });
  });

  it("mergeSlurm: each field's source is the side it was taken from, GPU and memory options as groups", () => {
    const script = parseSbatchScript("#SBATCH -N 4 --gres=gpu:2\n#SBATCH --mem=8G -t 60\n", "job.sh");
    const merged = mergeSlurm(script, parseSlurmArgs(["-t", "30", "--mem-per-cpu=1G"]));
    expect(merged.where).toEqual({
      nodes: { file: "job.sh", line: 1, option: "--nodes" },
      gpus: { file: "job.sh", line: 1, option: "--gres" },
      mem: { file: "command line", option: "--mem-per-cpu" },
      timeS: { file: "command line", option: "--time" },
    });
    expect(merged.script).toEqual({ file: "job.sh", directives: 2 });
  });
});

describe("readSbatchScript", () => {
  it("readSbatchScript reads and parses a script file", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "slurm-")), "job.sh");
    writeFileSync(path, "#!/bin/bash\n#SBATCH -n 8\nsrun hostname\n");
    expect(values(await readSbatchScript(path))).toEqual({ ...NONE, ntasks: 8 });
  });

  it("readSbatchScript throws an io_error InputError for a missing file", async () => {
    const err = await readSbatchScript("/nonexistent/job.sh").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).issues[0]).toMatchObject({ code: "io_error", file: "/nonexistent/job.sh" });
  });
});

describe("mergeSlurm", () => {
  it("mergeSlurm lets the command line override the script, field by field", () => {
    const script = parseSbatchScript("#SBATCH -N 2 -t 60 -p compute -o out.txt\n", "job.sh");
    const args = parseSlurmArgs(["--time=02:00:00", "-J", "test"]);
    expect(values(mergeSlurm(script, args))).toEqual({
      nodes: 2, timeS: 7200, partition: "compute", jobName: "test",
      ignored: [{ option: "--output=out.txt", where: "job.sh:1" }], notes: [],
    });
  });

  it("mergeSlurm rescales the script's GPUs per node by the command line's nodes", () => {
    const script = parseSbatchScript("#SBATCH -N 1 --gres=gpu:a100:4\n", "job.sh");
    expect(mergeSlurm(script, parseSlurmArgs(["-N", "3"]))).toMatchObject({ nodes: 3, gpus: 12, gpusPerNode: 4, gpuType: "a100" });
  });

  it("mergeSlurm multiplies the command line's GPUs per node by the script's nodes (#SBATCH -N 4 with --gres=gpu:2: 8 GPUs)", () => {
    const script = parseSbatchScript("#!/bin/bash\n#SBATCH -N 4\n", "job.sh");
    expect(mergeSlurm(script, parseSlurmArgs(["--gres=gpu:2"]))).toMatchObject({ nodes: 4, gpus: 8, gpusPerNode: 2 });
  });

  it("mergeSlurm replaces the script's memory and GPU requests as groups", () => {
    const script = parseSbatchScript("#SBATCH --mem=64G --gres=gpu:v100:2\n", "job.sh");
    const merged = mergeSlurm(script, parseSlurmArgs(["--mem-per-cpu=2G", "--gpus=1"]));
    expect(values(merged)).toEqual({ memPerCpuMb: 2048, gpus: 1, ignored: [], notes: [] });
  });
});

describe("requestedCores", () => {
  it("requestedCores is ntasks x cpus-per-task: 64 x 2 = 128", () => {
    expect(requestedCores({ ...EMPTY, ntasks: 64, cpusPerTask: 2 })).toBe(128);
  });

  it("requestedCores is nodes x ntasks-per-node x cpus-per-task without ntasks: 2 x 16 = 32", () => {
    expect(requestedCores({ ...EMPTY, nodes: 2, ntasksPerNode: 16 })).toBe(32);
    expect(requestedCores({ ...EMPTY, nodes: 2, ntasksPerNode: 16, cpusPerTask: 4 })).toBe(128);
  });

  it("requestedCores is 1 for an empty request, and one task per node with nodes only", () => {
    expect(requestedCores(EMPTY)).toBe(1);
    expect(requestedCores({ ...EMPTY, nodes: 4 })).toBe(4);
  });

  it("requestedCores takes ntasks over ntasks-per-node, which Slurm then treats as a maximum", () => {
    expect(requestedCores({ ...EMPTY, nodes: 2, ntasks: 10, ntasksPerNode: 16 })).toBe(10);
  });
});

describe("formatSlurmTime and formatSlurmOptions", () => {
  it("formatSlurmTime gives HH:MM:SS below a day and D-HH:MM:SS from one day on, rounding up", () => {
    expect(formatSlurmTime(3600)).toBe("01:00:00");
    expect(formatSlurmTime(59.2)).toBe("00:01:00");
    expect(formatSlurmTime(86399)).toBe("23:59:59");
    expect(formatSlurmTime(93784)).toBe("1-02:03:04");
    expect(() => formatSlurmTime(-1)).toThrow(RangeError);
  });

  it("formatSlurmOptions lists options in a stable order", () => {
    expect(formatSlurmOptions({ timeS: 3600, ntasks: 64, nodes: 2 })).toEqual(["--nodes=2", "--ntasks=64", "--time=01:00:00"]);
  });

  it("formatSlurmOptions output parses back to the same request with parseSlurmArgs", () => {
    const requests: SlurmRequest[] = [
      { ...EMPTY, nodes: 2, ntasksPerNode: 16, cpusPerTask: 2, gpus: 8, gpusPerNode: 4, gpuType: "a100", timeS: 93784, memMb: 16384, partition: "gpu", account: "a1", qos: "normal", jobName: "my job", begin: "16:00" },
      { ...EMPTY, ntasks: 64, gpus: 3, memPerCpuMb: 1000, timeS: 59 },
      { ...EMPTY, memMb: 0, timeS: 86400 * 3 },
    ];
    for (const r of requests) expect(values(parseSlurmArgs(formatSlurmOptions(r)))).toEqual(values(r));
  });
});
