/** The issues of bad input as formatted lines ("file:line: path: message"), for tests of error messages. */
import { InputError, formatIssue } from "../../src/core/errors.js";

/** Issues of a call that must throw an InputError (anything else is rethrown); [] when it does not throw. */
export async function inputIssues(f: () => unknown): Promise<string[]> {
  try {
    await f();
  } catch (e) {
    if (e instanceof InputError) return e.issues.map(formatIssue);
    throw e;
  }
  return [];
}
