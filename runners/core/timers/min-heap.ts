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
}
