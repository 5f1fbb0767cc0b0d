/**
 * The queue in arrival order, indexed by what each job needs, so that a
 * scheduling pass costs what can start rather than the whole queue. Jobs are
 * kept in blocks of up to 2 x BLOCK in arrival order; each block knows the
 * least cores its jobs need and the front of their (cores, run time) needs
 * (lower bounds over pools, given by the world when a job joins). A search
 * for the next job that might start under given bounds passes over whole
 * blocks that hold no such job (square-root decomposition: removal, insertion
 * and a search cost O(log n + n / BLOCK + BLOCK), against O(n) for an array
 * spliced or filtered at every pass). Blocks are held in groups of up to
 * 2 x GROUP, each with the same keys over its blocks, so that a search passes
 * over a group at once: with 20,000 jobs queued a search that finds nothing
 * looks at about 20 groups rather than 300 blocks. A group owns its blocks, so
 * a change of a block (a job leaving, a block splitting, emptying or merging)
 * touches the keys of its own group only; a group's keys and a block's are
 * worked out again when a search reaches them, and only when the point that
 * left was on their front (a pass that starts several jobs of one block works
 * its keys out once).
 * (Groups numbered by block index, as before, went stale all after a block
 * left, and a burst draining from the head worked out every group's keys again
 * every few passes.) Keys live in arrays kept from one working-out to the next.
 */
import { insertAt, removeAt } from "./arrays.js";

/** What the queue keeps of a job: its arrival (the order) and lower bounds of its needs. */
export interface QueueItem {
  readonly arrival: number;
  /** Fewest cores it takes in any pool (Infinity: none can run it). */
  leastCores: number;
  /** Shortest run time a policy prices for it in any pool, s. */
  leastSeconds: number;
}

const BLOCK = 64;
/** Blocks per group. */
const GROUP = 16;

/**
 * The least cores and the Pareto front of (cores, run time) of a set of jobs:
 * cores ascending, run time strictly descending, so "some job within c cores
 * and s seconds" is one binary search. The first `n` entries of the arrays
 * are the front: the arrays are never shortened, so working the keys out
 * again allocates nothing.
 */
class Front {
  leastCores = Infinity;
  n = 0;
  readonly frontCores: number[] = [];
  readonly frontSeconds: number[] = [];

  /** True when some job of the set takes at most `cores`, or at most `shortCores` within `shortSeconds`. */
  mayHold(cores: number, shortCores: number, shortSeconds: number): boolean {
    if (this.leastCores <= cores) return true;
    const fc = this.frontCores;
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (fc[mid] <= shortCores) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && this.frontSeconds[lo - 1] <= shortSeconds;
  }

  /** Empty: no job. */
  clear(): void {
    this.n = 0;
    this.leastCores = Infinity;
  }

  /** Adds a job's keys (c cores, sec seconds) to the front: in place, dropping the points it dominates. */
  addPoint(c: number, sec: number): void {
    const fc = this.frontCores;
    const fs = this.frontSeconds;
    const n = this.n;
    if (c < this.leastCores) this.leastCores = c;
    // Dominated by a front point (as few cores or fewer, as short or shorter): the front stays.
    let k = 0;
    for (; k < n && fc[k] < c; k++) if (fs[k] <= sec) return;
    if (k < n && fc[k] === c && fs[k] <= sec) return;
    // Points from k on have as many cores or more; those not shorter than it are dominated by it.
    let end = k;
    while (end < n && fs[end] >= sec) end++;
    if (end === k) {
      // Inserted at k: the rest moves one place right (writing at most one past the last, so the arrays stay packed).
      for (let j = n; j > k; j--) {
        fc[j] = fc[j - 1];
        fs[j] = fs[j - 1];
      }
      this.n = n + 1;
    } else {
      // Replaces [k, end): the rest moves left over the points dropped.
      const gone = end - k - 1;
      if (gone > 0) {
        for (let j = k + 1; j < n - gone; j++) {
          fc[j] = fc[j + gone];
          fs[j] = fs[j + gone];
        }
        this.n = n - gone;
      }
    }
    fc[k] = c;
    fs[k] = sec;
  }

  /** Adds every point of another front. */
  addFront(other: Front): void {
    for (let k = 0; k < other.n; k++) this.addPoint(other.frontCores[k], other.frontSeconds[k]);
  }

  /** True when (c, sec) is a point of the front (a job with these keys leaving may change it). */
  onFront(c: number, sec: number): boolean {
    const fc = this.frontCores;
    for (let k = 0; k < this.n; k++) if (fc[k] === c && this.frontSeconds[k] === sec) return true;
    return false;
  }
}

/**
 * A front over jobs kept up to date as they come and go: a job joining adds
 * its point; one leaving makes the keys stale only when its point was on the
 * front, and stale keys are worked out again (refill) when next asked for.
 */
abstract class LazyFront extends Front {
  /** Its keys no longer say what its jobs need. */
  stale = true;

  /** Adds every point its jobs give to the cleared front. */
  protected abstract refill(): void;

  /** Its keys, worked out again when stale. */
  keys(): this {
    if (this.stale) {
      this.clear();
      this.refill();
      this.stale = false;
    }
    return this;
  }

  /** A job with keys (c, sec) joined it. */
  added(c: number, sec: number): void {
    if (!this.stale) this.addPoint(c, sec);
  }

  /** A job with keys (c, sec) left it: stale only when its point was on the front. */
  removed(c: number, sec: number): void {
    if (!this.stale && this.onFront(c, sec)) this.stale = true;
  }
}

/** A run of jobs in arrival order, with the keys of its jobs (stale also when it split or took in its neighbour). */
class Block<T extends QueueItem> extends LazyFront {
  constructor(readonly items: T[]) {
    super();
  }

  /** Each job added to an empty front: O(jobs x front), no sort. */
  protected refill(): void {
    const items = this.items;
    for (let i = 0; i < items.length; i++) this.addPoint(items[i].leastCores, items[i].leastSeconds);
  }

  /** Arrival of its last job. */
  last(): number {
    return this.items[this.items.length - 1].arrival;
  }
}

/** A run of blocks in arrival order, with the keys over them. */
class Group<T extends QueueItem> extends LazyFront {
  constructor(readonly blocks: Block<T>[]) {
    super();
  }

  protected refill(): void {
    const bs = this.blocks;
    for (let b = 0; b < bs.length; b++) this.addFront(bs[b].keys());
  }

  /** Arrival of its last job. */
  last(): number {
    return this.blocks[this.blocks.length - 1].last();
  }
}

export class OrderedQueue<T extends QueueItem> implements Iterable<T> {
  private groups: Group<T>[] = [];
  private count = 0;
  /**
   * The last group emptied, holding its emptied block, kept for the next job
   * into an empty queue: on a machine that keeps up the queue empties at most
   * passes, and a new group and block for each next job (four arrays, their
   * fronts' filled again from nothing) were a twentieth of a long run's allocation.
   */
  private spare: Group<T> | undefined = undefined;
  /** Bumped by every insertion and removal: a search's place (below) holds only while it is unchanged. */
  private changes = 0;
  /** Where the last search found its job (group, block, index), so that a walk of the queue goes on from there rather than locating it again. */
  private foundItem: T | undefined = undefined;
  private foundAt = -1;
  private foundG = 0;
  private foundB = 0;
  private foundI = 0;
  /** Where the last search began (after which job, and its place), for a search again from the same job (a walk's look at its next job, then its search). */
  private fromItem: T | undefined = undefined;
  private fromAt = -1;
  private fromG = 0;
  private fromB = 0;
  private fromI = 0;

  get length(): number {
    return this.count;
  }

  /** Adds a job at its place by arrival (at the end when it arrived last, the usual case). */
  insert(item: T): void {
    const gs = this.groups;
    this.count++;
    this.changes++;
    if (gs.length === 0) {
      gs.push(this.takeSpare(item) ?? new Group([new Block([item])]));
      return;
    }
    let g = gs.length - 1;
    if (item.arrival < gs[g].last()) g = this.groupOf(item.arrival);
    const group = gs[g];
    const blocks = group.blocks;
    const b = item.arrival < blocks[blocks.length - 1].last() ? blockOf(blocks, item.arrival) : blocks.length - 1;
    const block = blocks[b];
    const items = block.items;
    let i = items.length;
    while (i > 0 && items[i - 1].arrival > item.arrival) i--;
    insertAt(items, i, item);
    if (items.length > 2 * BLOCK) {
      insertAt(blocks, b + 1, new Block(items.splice(BLOCK)));
      block.stale = true;
      if (blocks.length > 2 * GROUP) insertAt(gs, g + 1, new Group(blocks.splice(GROUP)));
      group.stale = true;
    } else {
      block.added(item.leastCores, item.leastSeconds);
      group.added(item.leastCores, item.leastSeconds);
    }
  }

  /** Removes a job; false when it is not queued. */
  remove(item: T): boolean {
    const gs = this.groups;
    let g = 0;
    let b = 0;
    let i = 0;
    // The head (most starts) or the job the last search found is removed without the three searches by
    // arrival: each step of those reads a job record, and with a long queue the records are scattered.
    if (gs.length === 0) return false;
    if (gs[0].blocks[0].items[0] !== item) {
      if (this.isFound(item)) {
        g = this.foundG;
        b = this.foundB;
        i = this.foundI;
      } else {
        if (!this.locate(item.arrival)) return false;
        g = this.atG;
        b = this.atB;
        i = this.atI;
      }
    }
    const group = gs[g];
    const blocks = group.blocks;
    const block = blocks[b];
    const items = block.items;
    if (items[i] !== item) return false;
    removeAt(items, i);
    this.count--;
    this.changes++;
    const c = item.leastCores;
    const sec = item.leastSeconds;
    if (items.length === 0) {
      removeAt(blocks, b);
      if (blocks.length === 0) {
        removeAt(gs, g);
        blocks.push(block);
        this.spare = group;
        return true;
      }
      group.removed(c, sec);
      this.mergeNext(g);
      return true;
    }
    // Small neighbours in the group merge, so blocks stay few however the queue drains.
    const next = blocks[b + 1];
    if (next !== undefined && items.length + next.items.length <= BLOCK) {
      for (const x of next.items) items.push(x);
      removeAt(blocks, b + 1);
      block.stale = true;
      group.removed(c, sec);
      this.mergeNext(g);
      return true;
    }
    block.removed(c, sec);
    group.removed(c, sec);
    return true;
  }

  /** The spare group (see `spare`) holding `item` alone, its keys stale as a new group's; undefined when there is none. */
  private takeSpare(item: T): Group<T> | undefined {
    const group = this.spare;
    if (group === undefined) return undefined;
    this.spare = undefined;
    const block = group.blocks[0];
    block.items.push(item);
    block.stale = group.stale = true;
    return group;
  }

  /** Group g lost a block: it takes in the next group's blocks when both together are at most GROUP, so groups stay few however the queue drains. */
  private mergeNext(g: number): void {
    const gs = this.groups;
    const group = gs[g];
    const next = gs[g + 1];
    if (next === undefined || group.blocks.length + next.blocks.length > GROUP) return;
    for (const x of next.blocks) group.blocks.push(x);
    removeAt(gs, g + 1);
    group.stale = true;
  }

  /** True when `item` is the job the last search found and the queue has not changed since (so it is still queued). */
  isFound(item: T): boolean {
    return item === this.foundItem && this.foundAt === this.changes;
  }

  /** True when the last search found `item` or began after it, and the queue has not changed since (so it is still queued). */
  knows(item: T): boolean {
    return this.isFound(item) || this.begunAfter(item);
  }

  /** True when the last search began after `item` and the queue has not changed since. */
  private begunAfter(item: T): boolean {
    return item === this.fromItem && this.fromAt === this.changes;
  }

  /** The first job, or undefined when the queue is empty. */
  first(): T | undefined {
    return this.groups.length > 0 ? this.groups[0].blocks[0].items[0] : undefined;
  }

  /**
   * The first job after `after` (from the head when undefined) that might
   * start: least cores within `cores`, or within `shortCores` with a least
   * run time within `shortSeconds`. Jobs passed over fail both.
   */
  next(after: T | undefined, cores: number, shortCores: number, shortSeconds: number): T | undefined {
    const gs = this.groups;
    let g = 0;
    let b = 0;
    let i = 0;
    if (after !== undefined) {
      if (this.isFound(after)) {
        // Going on from the job the last search found, the queue unchanged since.
        g = this.foundG;
        b = this.foundB;
        i = this.foundI + 1;
      } else if (this.begunAfter(after)) {
        // From where the last search began.
        g = this.fromG;
        b = this.fromB;
        i = this.fromI;
      } else {
        const a = after.arrival;
        if (!this.locate(a)) return undefined;
        g = this.atG;
        b = this.atB;
        i = this.atI;
        const items = gs[g].blocks[b].items;
        if (i < items.length && items[i].arrival === a) i++;
      }
      this.fromItem = after;
      this.fromAt = this.changes;
      this.fromG = g;
      this.fromB = b;
      this.fromI = i;
    }
    // Without a bound on cores every job might start: the keys are not asked (nor worked out again when
    // stale), so the look at the head and at the job after it that every pass makes costs no refill.
    const bounded = cores !== Infinity;
    for (; g < gs.length; g++, b = 0, i = 0) {
      const group = gs[g];
      // From the start of a group, the whole group is passed over when none of its jobs might start.
      if (bounded && b === 0 && i === 0 && !group.keys().mayHold(cores, shortCores, shortSeconds)) continue;
      const blocks = group.blocks;
      for (; b < blocks.length; b++, i = 0) {
        const block = blocks[b];
        if (bounded && !block.keys().mayHold(cores, shortCores, shortSeconds)) continue;
        const items = block.items;
        for (; i < items.length; i++) {
          const x = items[i];
          if (x.leastCores <= cores || (x.leastCores <= shortCores && x.leastSeconds <= shortSeconds)) {
            this.foundItem = x;
            this.foundAt = this.changes;
            this.foundG = g;
            this.foundB = b;
            this.foundI = i;
            return x;
          }
        }
      }
    }
    return undefined;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (const group of this.groups) for (const block of group.blocks) yield* block.items;
  }

  /** Every job, in order, into a new array. */
  toArray(): T[] {
    const out: T[] = [];
    for (const group of this.groups) for (const block of group.blocks) for (const x of block.items) out.push(x);
    return out;
  }

  clear(): void {
    this.groups = [];
    this.count = 0;
    this.changes++;
    this.foundItem = this.fromItem = undefined;
  }

  /** Where locate() found an arrival: group, block, index. */
  private atG = 0;
  private atB = 0;
  private atI = 0;

  /** Sets atG, atB, atI to the place of the first job whose arrival is at least `a`; false when every job arrived before it. */
  private locate(a: number): boolean {
    const g = this.groupOf(a);
    if (g >= this.groups.length) return false;
    const blocks = this.groups[g].blocks;
    const b = blockOf(blocks, a);
    this.atG = g;
    this.atB = b;
    this.atI = indexIn(blocks[b].items, a);
    return true;
  }

  /** The group holding (or that would hold) arrival `a`: the first whose last arrival is at least `a`. */
  private groupOf(a: number): number {
    const gs = this.groups;
    let lo = 0;
    let hi = gs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (gs[mid].last() < a) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** The block of a group holding (or that would hold) arrival `a`: the first whose last arrival is at least `a` (the group's last when none is). */
function blockOf<T extends QueueItem>(blocks: readonly Block<T>[], a: number): number {
  let lo = 0;
  let hi = blocks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (blocks[mid].last() < a) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first item of a block whose arrival is at least `a`. */
function indexIn(block: readonly QueueItem[], a: number): number {
  let lo = 0;
  let hi = block.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (block[mid].arrival < a) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
