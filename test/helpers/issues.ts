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

/** The InputError a promise rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejectedInput(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  if (!(e instanceof InputError)) throw new Error(`expected an InputError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  return e;
}

/** The InputError a call throws; fails the test when it returns or throws anything else. */
export function thrownInput(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw new Error(`expected an InputError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  throw new Error("expected an InputError, got none");
}
