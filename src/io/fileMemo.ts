/**
 * Values made from input files, kept for the rest of the process while none
 * of those files changes. A sweep, a study or `compare` runs many variants of
 * one scenario in one thread, and each variant built its sites' intensity
 * series from the same grid files again and hashed every input file again for
 * its provenance: in a warm sweep lane that was about as much CPU as the
 * variant's simulation (sweep-default's easy variants in one process).
 *
 * A file counts as unchanged while its device, inode, size, modification and
 * change times are (how make and git's index judge a file). The stamps are
 * taken before the value is made, so a file written while it is being read
 * is read again next time. Off with the parse cache (IMPACTSIM_CACHE=off,
 * parseCache.ts): then every value is made again. Bounded: past `max`
 * values the oldest is dropped.
 */
import { statSync } from "node:fs";
import { parseCacheDir } from "./parseCache.js";

/** What identifies a file's present content without reading it, or undefined when it cannot be stat'ed. */
function stampOf(path: string): string | undefined {
  const s = statSync(path, { throwIfNoEntry: false });
  return s === undefined ? undefined : `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}

export class FileMemo<T> {
  private readonly kept = new Map<string, { readonly stamps: string; readonly value: T }>();

  constructor(private readonly max = 64) {}

  /**
   * The stamps of `files` now, to pass to get() and set(); undefined when the
   * memo is off or a file cannot be stat'ed (the value is then made as
   * without a memo, and its errors are the maker's).
   */
  stamps(files: readonly string[]): string | undefined {
    if (parseCacheDir() === undefined) return undefined;
    let out = "";
    for (const f of files) {
      const s = stampOf(f);
      if (s === undefined) return undefined;
      out += `${s}\n`;
    }
    return out;
  }

  /** The value kept under `key` for files with these stamps, if any. */
  get(key: string, stamps: string | undefined): T | undefined {
    if (stamps === undefined) return undefined;
    const k = this.kept.get(key);
    return k !== undefined && k.stamps === stamps ? k.value : undefined;
  }

  /** Keeps `value` under `key` for files with these stamps (nothing when they are undefined). */
  set(key: string, stamps: string | undefined, value: T): void {
    if (stamps === undefined) return;
    this.kept.delete(key);
    this.kept.set(key, { stamps, value });
    if (this.kept.size > this.max) this.kept.delete(this.kept.keys().next().value!);
  }
}
