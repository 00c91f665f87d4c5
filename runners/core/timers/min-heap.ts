/** A binary min-heap ordered by a numeric priority. */
export class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly priority: (x: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(x: T): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    const p = this.priority(x);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.priority(a[parent]!) <= p) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = x;
  }

  pop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      const p = this.priority(last);
      const n = a.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && this.priority(a[r]!) < this.priority(a[l]!) ? r : l;
        if (this.priority(a[c]!) >= p) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }

  /**
   * Calls `f` for every item whose priority passes `below` (which must hold for every priority before one
   * it holds for, e.g. `p < limit`), in no particular order, without changing the heap: only those
   * items and their children are looked at.
   * @example heap.forEachWhere((p) => p < 1000, (x) => due.push(x));
   */
  forEachWhere(below: (priority: number) => boolean, f: (x: T) => void): void {
    const a = this.items;
    if (a.length === 0 || !below(this.priority(a[0]!))) return;
    const stack = [0];
    while (stack.length > 0) {
      const i = stack.pop()!;
      f(a[i]!);
      const l = 2 * i + 1;
      if (l < a.length && below(this.priority(a[l]!))) stack.push(l);
      if (l + 1 < a.length && below(this.priority(a[l + 1]!))) stack.push(l + 1);
    }
  }
}
