/**
 * A binary min-heap ordered by a numeric priority. An item's priority is read once, when it is pushed,
 * and kept beside it: it must not change while the item is in the heap (take it out, change it, push it
 * again). Sifting compares the kept numbers only, in a list of their own, so it does not visit the items.
 * @example
 * const h = new MinHeap<{ t: number }>((x) => x.t);
 * h.push({ t: 3 }); h.push({ t: 1 });
 * h.pop(); // { t: 1 }
 */
export class MinHeap<T> {
  private readonly items: T[] = [];
  /** `prio[i]` is the priority of `items[i]`. */
  private readonly prio: number[] = [];
  constructor(private readonly priority: (x: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** The priority of the top item (as it was pushed), or undefined when empty. */
  peekPriority(): number | undefined {
    return this.prio[0];
  }

  push(x: T): void {
    const a = this.items;
    const pr = this.prio;
    const p = this.priority(x);
    let i = a.length;
    a.push(x);
    pr.push(p);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pp = pr[parent]!;
      if (pp <= p) break;
      a[i] = a[parent]!;
      pr[i] = pp;
      i = parent;
    }
    a[i] = x;
    pr[i] = p;
  }

  pop(): T | undefined {
    const a = this.items;
    const pr = this.prio;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    const p = pr.pop()!;
    if (a.length > 0) this.siftDown(last, p);
    return top;
  }

  /**
   * Takes the top item out and puts `x` in (its priority read now): one sift instead of a pop and a
   * push, for an item that comes back with a later priority (a timer moved on). Nothing when empty.
   * @example h.replaceTop(h.peek()!) // after changing the top item's time
   */
  replaceTop(x: T): void {
    if (this.items.length === 0) return;
    this.siftDown(x, this.priority(x));
  }

  /** Puts `x` (priority `p`) at the root's place and moves it down to where it belongs. */
  private siftDown(x: T, p: number): void {
    const a = this.items;
    const pr = this.prio;
    const n = a.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let cp = pr[l]!;
      if (r < n) {
        const rp = pr[r]!;
        if (rp < cp) {
          c = r;
          cp = rp;
        }
      }
      if (cp >= p) break;
      a[i] = a[c]!;
      pr[i] = cp;
      i = c;
    }
    a[i] = x;
    pr[i] = p;
  }

  clear(): void {
    this.items.length = 0;
    this.prio.length = 0;
  }

  /**
   * Calls `f` for every item whose priority passes `below` (which must hold for every priority before one
   * it holds for, e.g. `p < limit`), in no particular order, without changing the heap: only those
   * items and their children are looked at.
   * @example heap.forEachWhere((p) => p < 1000, (x) => due.push(x));
   */
  forEachWhere(below: (priority: number) => boolean, f: (x: T) => void): void {
    const a = this.items;
    const pr = this.prio;
    if (a.length === 0 || !below(pr[0]!)) return;
    const stack = [0];
    while (stack.length > 0) {
      const i = stack.pop()!;
      f(a[i]!);
      const l = 2 * i + 1;
      if (l < a.length && below(pr[l]!)) stack.push(l);
      if (l + 1 < a.length && below(pr[l + 1]!)) stack.push(l + 1);
    }
  }
}
