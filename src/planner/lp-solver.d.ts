/**
 * The part of javascript-lp-solver 1.0.3 that impactsim uses: `Solve(model)` on a JSON model.
 *
 * The package ships its own types, but under `moduleResolution: NodeNext` they are read as
 * CommonJS (no `"type": "module"`, one `index.d.ts` for both conditions), so TypeScript types
 * the default import as the module namespace while Node loads `dist/index.mjs`, whose default
 * export is the solver. This ambient declaration takes precedence and matches what Node loads.
 * Kept a script (no top-level import or export) so that it declares rather than augments.
 */
declare module "javascript-lp-solver" {
  /** A bound on a named row: min <= row, row <= max, or row == equal. */
  export interface LpConstraintBound {
    readonly min?: number;
    readonly max?: number;
    readonly equal?: number;
  }

  /**
   * A JSON model. Each variable maps attribute names (the objective and the constraint rows)
   * to its coefficient; variables are >= 0 unless listed in `unrestricted`.
   */
  export interface LpModel {
    readonly optimize: string;
    readonly opType: "min" | "max";
    readonly constraints: Readonly<Record<string, LpConstraintBound>>;
    readonly variables: Readonly<Record<string, Readonly<Record<string, number>>>>;
    readonly ints?: Readonly<Record<string, 0 | 1 | boolean>>;
    readonly binaries?: Readonly<Record<string, 0 | 1 | boolean>>;
    readonly unrestricted?: Readonly<Record<string, 0 | 1 | boolean>>;
    readonly options?: { readonly timeout?: number; readonly tolerance?: number; readonly presolve?: boolean; readonly exitOnCycles?: boolean };
  }

  /**
   * The simplified result: `feasible`, the objective in `result`, `bounded`, and every variable
   * whose value is non-zero under its own id (values rounded to the precision).
   */
  export interface LpResult {
    readonly feasible: boolean;
    readonly result: number;
    readonly bounded?: boolean;
    readonly isIntegral?: boolean;
    readonly [variable: string]: number | boolean | undefined;
  }

  export interface LpSolver {
    /**
     * Solves the model. `precision` is the simplex's tolerance and the rounding of the
     * values (undefined gives the tableau's default, 1e-8, although the package's docs say 1e-9).
     */
    Solve(model: LpModel, precision?: number): LpResult;
  }

  const solver: LpSolver;
  export default solver;
}
