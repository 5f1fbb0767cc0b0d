/**
 * The folder a command writes into, checked before any work is done: every
 * existing part of its path must be a folder, missing parts are made one at a
 * time (Node's recursive mkdir loops forever under /proc), and a file is
 * written and removed there to prove it can be written. Problems are input
 * errors naming the option and the path (exit 3), never a stack trace after
 * an hour of simulation.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError } from "../core/index.js";
import { describeFsError } from "./readText.js";

/**
 * Makes sure `dir` exists and can be written, creating missing folders.
 * @param option where the path came from, for messages (e.g. "--out", "scenario output.dir")
 * @returns the absolute path
 * @throws InputError (io_error) when a part of the path is a file, a folder cannot be made, or the folder cannot be written
 */
export function prepareOutputDir(dir: string, option: string): string {
  const abs = resolve(dir);
  const fail = (message: string, path = abs) => new InputError([{ code: "io_error", file: option, path, message, value: dir }]);
  const missing: string[] = [];
  let existing = abs;
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(existing).isDirectory();
    } catch (err) {
      if ((err as { code?: string }).code !== "ENOENT") throw fail(`expected a folder to write into, got: ${describeFsError(err)}`, existing);
      missing.push(existing);
      const up = dirname(existing);
      if (up === existing) throw fail("expected a folder to write into, got a path with no existing root");
      existing = up;
      continue;
    }
    if (!isDir) throw fail(existing === abs ? "expected a folder to write the outputs into, got an existing file" : `expected a folder to write into, got a path through the file ${existing}`, existing);
    break;
  }
  for (const part of missing.reverse()) {
    try {
      mkdirSync(part);
    } catch (err) {
      if ((err as { code?: string }).code !== "EEXIST") throw fail(`cannot make the folder: ${describeFsError(err)}`, part);
    }
  }
  const probe = `${abs}/.impactsim-write-test-${process.pid}`;
  try {
    writeFileSync(probe, "");
    rmSync(probe, { force: true });
  } catch (err) {
    throw fail(`expected a folder impactsim can write into, got: ${describeFsError(err)}`);
  }
  return abs;
}
