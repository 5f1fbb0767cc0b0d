/**
 * Reading an input file as text, with the file system's refusals turned into
 * input errors: a missing file, a directory, a file without permission each
 * say so in words and name the file (exit 3), never as a Node stack trace.
 */
import { readFile } from "node:fs/promises";
import { InputError } from "../core/index.js";

const FS_REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  ENOTDIR: "a folder on its path is not a folder",
  EISDIR: "it is a directory, not a file",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EMFILE: "too many open files",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "the name is too long",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  EEXIST: "it already exists",
};

/** A file-system error in words ("no such file"), or its message when it has no known code. */
export function describeFsError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && FS_REASONS[code]) return FS_REASONS[code];
  return err instanceof Error ? err.message : String(err);
}

/** The InputError (io_error) for a file that could not be read. */
export function unreadable(file: string, err: unknown, line?: number): InputError {
  const detail = describeFsError(err);
  return new InputError([{ code: "io_error", file, line, message: `cannot read the file: ${detail}`, value: detail }]);
}

/**
 * Reads a whole file as UTF-8.
 * @param label the name used in messages (default: the path)
 * @throws InputError (io_error) when the file cannot be read
 */
export async function readTextFile(path: string, label = path): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    throw unreadable(label, err);
  }
}

/** Bytes decoded as readFile(path, "utf8") decodes them (a view, no copy). */
export function utf8Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
}

/**
 * Reads a whole file as bytes (typed as Uint8Array so that the published
 * declarations need no Node types).
 * @param label the name used in messages (default: the path)
 * @throws InputError (io_error) when the file cannot be read
 */
export async function readFileBytes(path: string, label = path): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    throw unreadable(label, err);
  }
}
