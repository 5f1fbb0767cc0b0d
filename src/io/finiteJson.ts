/**
 * JSON text with every number finite. JSON.stringify writes NaN and Infinity
 * as null without a word; an output must refuse them instead, naming where
 * they are, so no figure is lost silently.
 */
import { SimulationError } from "../core/index.js";

/**
 * @param name the file (or record) in messages
 * @throws SimulationError naming the JSON path of the first number that is not finite
 */
export function finiteJson(value: unknown, name: string, indent?: number): string {
  // JSON.stringify writes a number that is not finite as null, so a text without "null" had none:
  // most records (decision logs: 12 MB of them over a trace) are written without a JavaScript call
  // per key. A text with "null" in it (a null value, or the word in a string) is made again through
  // the check, which then names the number; the replacer returns every value as it is, so the text is the same.
  const text = JSON.stringify(value, undefined, indent) as string | undefined;
  if (text === undefined || !text.includes("null")) return text as string;
  return JSON.stringify(
    value,
    function (this: unknown, key: string, v: unknown) {
      if (typeof v === "number" && !Number.isFinite(v)) {
        const at = key === "" ? "" : ` at ${pathOf(this, key, value)}`;
        throw new SimulationError(`${name}${at}: expected a finite number, got ${v} (an input beyond the plausible bounds, or a bug; the file is not kept)`);
      }
      return v;
    },
    indent,
  );
}

/** The dotted path of `key` in its holder, found by a search from the root (only on failure, so its cost does not matter). */
function pathOf(holder: unknown, key: string, root: unknown): string {
  const seen = new Set<unknown>();
  const search = (node: unknown, at: string): string | undefined => {
    if (node === holder) return at === "" ? key : `${at}.${key}`;
    if (typeof node !== "object" || node === null || seen.has(node)) return undefined;
    seen.add(node);
    for (const [k, child] of Object.entries(node as Record<string, unknown>)) {
      const found = search(child, at === "" ? k : `${at}.${k}`);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return search(root, "") ?? key;
}
