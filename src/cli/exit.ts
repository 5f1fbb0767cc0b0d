/** Exit codes of the command line, which scripts rely on (README). */
export const EXIT = { ok: 0, failure: 1, usage: 2, input: 3, simulation: 4 } as const;
