/**
 * Pieces of an interruptible job: where in its window a job of known length
 * runs, chosen all together from a forecast. The window [from, to) is cut into
 * slots of `step` seconds from `from` (the last one shorter when the window is
 * no multiple of the step); slot k's rate is the forecast mean intensity over
 * it. A plan takes K = ceil(work / step) slots of work: K - 1 whole ones and
 * one *remainder slot* holding the rest, rho = work - (K - 1) step in (0, step],
 * run from the slot's start (so a remainder slot ends its piece). Its cost is
 * the sum of rate x seconds run: the carbon of a job of constant draw, up to
 * that draw.
 *
 * A piece after the first (every piece, for a job already suspended once)
 * begins with a restart of `restart` seconds: reading back the checkpoint
 * written at the suspension, both at the job's draw. A restart takes
 * ceil(restart / step) whole slots of the window and costs `restart` seconds
 * at their rates (the first ones whole, the last one the rest), so plans are
 * exact when the restart is a multiple of the step and the simulated job,
 * whose restart takes `restart` exactly, never ends a piece later than
 * planned. Each piece has at least min(ceil(min_piece / step), K) work slots.
 *
 * planPieces is exact over these plans: with no restart and pieces of one slot
 * it takes the K - 1 cheapest slots whole and the K-th cheapest as the
 * remainder (or the window's short last slot when cheaper; ties to the earlier
 * slot), which is the fractional knapsack's optimum (Let's Wait Awhile's
 * interruptible strategy and GAIA's Wait AWhile both take a job's cheapest
 * slots: Wiesner et al., Middleware '21, strategy.py AdHocStrategy; Hanafy et
 * al., ASPLOS '24, suspend_scheduling_policy.py compute_schedule_optimal).
 * Otherwise a dynamic programme over slots, work slots taken, whether the
 * remainder is taken and the piece's state (idle, in a restart, working and
 * how long), O(slots x K x (restart slots + min piece slots)). Ties go to the
 * plan found first in time order (strictly lower costs replace).
 *
 * Pure: no clock, no randomness, no allocation beyond the plan's tables.
 */

export interface PieceProblem {
  /** Window start, s (the plan's first slot starts here). */
  readonly from: number;
  /** Latest end, s (> from). */
  readonly to: number;
  /** Seconds of work to place (> 0). */
  readonly work: number;
  /** Slot length, s (> 0). */
  readonly step: number;
  /** Rate (forecast mean intensity) of each slot; length ceil((to - from) / step). */
  readonly rates: ArrayLike<number>;
  /** Restart cost of each piece after the first, s (default 0). */
  readonly restart?: number;
  /** Least length of a piece, s (default 0: one slot). */
  readonly minPiece?: number;
  /** True when the job has run and been suspended before: its first piece pays a restart too. */
  readonly resumed?: boolean;
}

/** A piece: the job holds its nodes over [start, end); its first `restart` seconds re-read a checkpoint. */
export interface Piece {
  readonly start: number;
  readonly end: number;
  readonly restart: number;
}

export interface PiecePlan {
  readonly pieces: readonly Piece[];
  /** Sum of rate x seconds run (work and restarts). */
  readonly cost: number;
}

/** Slots in the window [from, to) of `step`, the last possibly shorter. */
export function slotCount(from: number, to: number, step: number): number {
  return Math.ceil((to - from) / step - 1e-9);
}

/** Rates of the slots of [from, to): mean(a, b) of each. */
export function slotRates(from: number, to: number, step: number, mean: (a: number, b: number) => number): Float64Array {
  const n = slotCount(from, to, step);
  const rates = new Float64Array(n);
  for (let k = 0; k < n; k++) rates[k] = mean(from + k * step, Math.min(to, from + (k + 1) * step));
  return rates;
}

function check(p: PieceProblem): void {
  const { from, to, work, step } = p;
  if (!(Number.isFinite(from) && Number.isFinite(to) && to > from)) throw new RangeError(`planPieces: expected a window from < to, got [${from}, ${to})`);
  if (!(Number.isFinite(work) && work > 0)) throw new RangeError(`planPieces: work: expected seconds > 0, got ${work}`);
  if (!(Number.isFinite(step) && step > 0)) throw new RangeError(`planPieces: step: expected seconds > 0, got ${step}`);
  const n = slotCount(from, to, step);
  if (p.rates.length !== n) throw new RangeError(`planPieces: rates: expected ${n} slot rates for [${from}, ${to}) in steps of ${step} s, got ${p.rates.length}`);
  const restart = p.restart ?? 0;
  const minPiece = p.minPiece ?? 0;
  if (!(Number.isFinite(restart) && restart >= 0)) throw new RangeError(`planPieces: restart: expected seconds >= 0, got ${restart}`);
  if (!(Number.isFinite(minPiece) && minPiece >= 0)) throw new RangeError(`planPieces: minPiece: expected seconds >= 0, got ${minPiece}`);
}

/**
 * The cheapest plan of `work` seconds in the window, or undefined when none
 * fits (the window is too short for the work and its restarts).
 * @throws RangeError on a window, work, step or rates that make no sense
 */
export function planPieces(p: PieceProblem): PiecePlan | undefined {
  check(p);
  const restart = p.restart ?? 0;
  const minSlots = Math.max(1, Math.ceil((p.minPiece ?? 0) / p.step - 1e-9));
  if (restart === 0 && minSlots === 1) return greedy(p);
  return dynamic(p, restart, minSlots);
}

/**
 * Table cells the dynamic programme of `p` needs (0 when the greedy solver
 * applies): slots x (K + 1) x 2 x piece states. Callers bound memory by
 * coarsening the step of problems over their limit (4 bytes a cell).
 */
export function pieceCells(p: Pick<PieceProblem, "from" | "to" | "work" | "step" | "restart" | "minPiece">): number {
  const restart = p.restart ?? 0;
  const minSlots = Math.max(1, Math.ceil((p.minPiece ?? 0) / p.step - 1e-9));
  if (restart === 0 && minSlots === 1) return 0;
  const K = Math.max(1, Math.ceil(p.work / p.step - 1e-9));
  const S = 2 + Math.ceil(restart / p.step - 1e-9) + Math.min(minSlots, K);
  return slotCount(p.from, p.to, p.step) * (K + 1) * 2 * S;
}

/** Geometry shared by both solvers. */
function shape(p: PieceProblem) {
  const { from, to, work, step } = p;
  const n = p.rates.length;
  const K = Math.max(1, Math.ceil(work / step - 1e-9));
  const rho = work - (K - 1) * step;
  const lastLen = to - from - (n - 1) * step;
  /** Slot k can be taken whole (a short last slot cannot). */
  const whole = (k: number) => k < n - 1 || lastLen >= step - 1e-9;
  /** Slot k can hold the remainder. */
  const holds = (k: number) => k < n - 1 || lastLen >= rho - 1e-9;
  return { n, K, rho, whole, holds };
}

function greedy(p: PieceProblem): PiecePlan | undefined {
  const { from, step, rates } = p;
  const { n, K, rho, whole, holds } = shape(p);
  const order: number[] = [];
  for (let k = 0; k < n; k++) if (whole(k)) order.push(k);
  order.sort((a, b) => rates[a] - rates[b] || a - b);
  // Remainder at the K-th cheapest whole slot, or at the short last slot when that is cheaper.
  let remainder = -1;
  let wholeSlots: number[];
  if (order.length >= K) {
    wholeSlots = order.slice(0, K - 1);
    remainder = order[K - 1];
  } else if (order.length === K - 1 && n > 0 && !whole(n - 1) && holds(n - 1)) {
    wholeSlots = order.slice();
    remainder = n - 1;
  } else return undefined;
  if (n > 0 && !whole(n - 1) && holds(n - 1) && remainder !== n - 1 && rates[n - 1] < rates[remainder]) remainder = n - 1;
  let cost = rates[remainder] * rho;
  for (const k of wholeSlots) cost += rates[k] * step;
  const taken = new Int8Array(n); // 1 whole, 2 remainder
  for (const k of wholeSlots) taken[k] = 1;
  taken[remainder] = 2;
  const pieces: Piece[] = [];
  let start = -1;
  for (let k = 0; k < n; k++) {
    if (taken[k] === 0) continue;
    if (start < 0) start = from + k * step;
    const endsHere = taken[k] === 2 || k + 1 >= n || taken[k + 1] === 0;
    if (endsHere) {
      pieces.push({ start, end: from + k * step + (taken[k] === 2 ? rho : step), restart: 0 });
      start = -1;
    }
  }
  return { pieces, cost };
}

// Piece states of the dynamic programme: 0 never run, 1 idle after a piece, 2 .. 1 + R in a restart
// (r = state - 1 restart slots done), 2 + R .. 1 + R + M working (l = state - 1 - R work slots, capped at M).
function dynamic(p: PieceProblem, restart: number, minSlotsAsked: number): PiecePlan | undefined {
  const { from, step, rates } = p;
  const { n, K, rho, whole, holds } = shape(p);
  const R = Math.ceil(restart / step - 1e-9);
  const M = Math.min(minSlotsAsked, K);
  const S = 2 + R + M;
  const NEVER = 0;
  const IDLE = 1;
  const rst = (r: number) => 1 + r; // r in 1..R
  const wrk = (l: number) => 1 + R + Math.min(l, M); // l >= 1
  /** Restart seconds charged in the r-th restart slot (1-based). */
  const restartPart = (r: number) => Math.min(step, restart - (r - 1) * step);
  // Layout: index (j * 2 + rem) * S + state, j = work slots taken (0..K), rem = remainder taken.
  const width = (K + 1) * 2 * S;
  let cur = new Float64Array(width).fill(Infinity);
  let nxt = new Float64Array(width).fill(Infinity);
  // Back-pointers per slot: the previous index (Int32), or -1.
  const back = new Int32Array(n * width).fill(-1);
  const at = (j: number, rem: number, s: number) => (j * 2 + rem) * S + s;
  cur[at(0, 0, NEVER)] = 0;
  let bestCost = Infinity;
  let bestSlot = -1;
  let bestIndex = -1;
  const needsRestart = (s: number) => (s === NEVER ? p.resumed === true : true) && R > 0;
  for (let k = 0; k < n; k++) {
    nxt.fill(Infinity);
    const rate = rates[k];
    const canWhole = whole(k);
    const canRem = holds(k);
    const base = k * width;
    const relax = (to: number, c: number, fromIndex: number) => {
      if (c < nxt[to]) {
        nxt[to] = c;
        back[base + to] = fromIndex;
      }
    };
    for (let j = 0; j <= K; j++) {
      for (let rem = 0; rem < 2; rem++) {
        if (j === K && rem === 1) continue; // done: nothing more to place
        for (let s = 0; s < S; s++) {
          const idx = at(j, rem, s);
          const c = cur[idx];
          if (c === Infinity) continue;
          const wholeLeft = K - 1 - (j - rem);
          const startWork = (l: number) => {
            // A whole work slot, the piece's l-th.
            if (canWhole && wholeLeft > 0) relax(at(j + 1, rem, wrk(l)), c + rate * step, idx);
            // The remainder slot ends the piece, which must be long enough by then.
            if (canRem && rem === 0 && l >= M) {
              const to = at(j + 1, 1, IDLE);
              const cc = c + rate * rho;
              relax(to, cc, idx);
            }
          };
          if (s === NEVER || s === IDLE) {
            relax(at(j, rem, s), c, idx); // wait
            if (needsRestart(s)) {
              if (canWhole) relax(at(j, rem, rst(1)), c + rate * restartPart(1), idx);
            } else startWork(1);
          } else if (s <= 1 + R) {
            const r = s - 1;
            if (r < R) {
              if (canWhole) relax(at(j, rem, rst(r + 1)), c + rate * restartPart(r + 1), idx);
            } else startWork(1);
          } else {
            const l = s - 1 - R;
            startWork(l + 1);
            if (l >= M) relax(at(j, rem, IDLE), c, idx); // the piece ends after this slot's predecessor
          }
        }
      }
    }
    // Done: all work placed, the last piece long enough (ended by the remainder, or by a whole slot).
    for (let s = IDLE; s < S; s++) {
      if (s !== IDLE && s < wrk(M)) continue;
      const done = nxt[at(K, 1, s)];
      if (done < bestCost) {
        bestCost = done;
        bestSlot = k;
        bestIndex = at(K, 1, s);
      }
    }
    [cur, nxt] = [nxt, cur];
  }
  if (bestSlot < 0) return undefined;
  // Walk back: the state after each slot k, from bestSlot down to 0.
  const states = new Int32Array(bestSlot + 1);
  let idx = bestIndex;
  for (let k = bestSlot; k >= 0; k--) {
    states[k] = idx;
    idx = back[k * width + idx];
  }
  // What slot k did: compare the state before (states[k - 1], or the start) with the state after.
  const pieces: Piece[] = [];
  let start = -1;
  let pieceRestart = 0;
  let prevJ = 0;
  let prevRem = 0;
  for (let k = 0; k <= bestSlot; k++) {
    const after = states[k];
    const s = after % S;
    const j = Math.floor(after / S / 2);
    const rem = Math.floor(after / S) % 2;
    const slotStart = from + k * step;
    const working = j > prevJ;
    const restarting = s >= 2 && s <= 1 + R && !working;
    if ((working || restarting) && start < 0) {
      start = slotStart;
      pieceRestart = restarting ? restart : 0;
    }
    if (working) {
      const isRemainder = rem > prevRem;
      const nextAfter = k < bestSlot ? states[k + 1] : -1;
      const nextWorks = nextAfter >= 0 && Math.floor(nextAfter / S / 2) > j;
      if (isRemainder || !nextWorks) {
        pieces.push({ start, end: slotStart + (isRemainder ? rho : step), restart: pieceRestart });
        start = -1;
      }
    }
    prevJ = j;
    prevRem = rem;
  }
  return { pieces, cost: bestCost };
}
