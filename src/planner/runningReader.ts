/**
 * A view's running jobs in its order (by predicted end, then id), read one at
 * a time: through the view's running index when it belongs to that view
 * (ClusterView.runningIndex; a copy of the view with other running jobs must
 * not use it), so that a pass reading the first few makes no array; else from
 * a list: one given that stands for the view's running jobs, or view.running.
 * Kept by its user and bound again at each use (no object per pass); release()
 * lets go of the view, so that a kept reader holds no world alive.
 */
import type { ClusterView, RunningIndex, RunningJobView } from "./view.js";

/** Running jobs standing for a view's, in its order, made as they are read (get(k) for k < length). */
export interface RunningList {
  readonly length: number;
  get(k: number): RunningJobView;
}

export class RunningReader {
  private list: readonly RunningJobView[] | undefined = undefined;
  private lazy: RunningList | undefined = undefined;
  private index: RunningIndex | undefined = undefined;
  /** Jobs running. */
  count = 0;
  /** True when read through the world's index, whose order is the interface's (a list made by hand may be out of order). */
  ordered = false;

  /** Reads `view`'s running jobs, or `list` standing for them. */
  bind(view: ClusterView, list?: readonly RunningJobView[] | RunningList): this {
    this.lazy = list !== undefined && !Array.isArray(list) ? (list as RunningList) : undefined;
    const index = list === undefined ? view.runningIndex : undefined;
    this.index = index !== undefined && index.view === view ? index : undefined;
    this.list = this.index === undefined && this.lazy === undefined ? ((list as readonly RunningJobView[] | undefined) ?? view.running) : undefined;
    this.count = this.list !== undefined ? this.list.length : this.lazy !== undefined ? this.lazy.length : this.index!.runningCount;
    this.ordered = this.index !== undefined;
    return this;
  }

  /** The k-th running job (k < count). */
  at(k: number): RunningJobView {
    return this.list !== undefined ? this.list[k] : this.lazy !== undefined ? this.lazy.get(k) : this.index!.runningAt(k);
  }

  /** Lets go of the view's jobs. */
  release(): void {
    this.list = undefined;
    this.lazy = undefined;
    this.index = undefined;
    this.count = 0;
  }
}
