/**
 * Orders that never vary: string order for anything that reaches the output or a report, and
 * the dependency order objects and charts are written in.
 */

/**
 * `localeCompare` follows the machine's locale (`ch` sorts after `h` in Czech, `aa` last in
 * Danish), which would make the same input give different YAML on a laptop and in CI;
 * code-point order never varies.
 */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `items` in an order where each comes after everything it depends on, and otherwise stays
 * where it was: among the items that are ready, the earliest goes first. So an object moves
 * only when a dependency forces it to, and adding a reference never reshuffles the rest.
 * Throws naming the items of a cycle.
 */
export function stableTopologicalOrder<T>(items: readonly T[], dependenciesOf: (item: T) => Iterable<T>, describe: (item: T) => string): T[] {
  const index = new Map<T, number>();
  items.forEach((item, i) => index.set(item, i));
  const waitingOn = new Array<number>(items.length).fill(0);
  const dependents: number[][] = items.map(() => []);
  items.forEach((item, i) => {
    const seen = new Set<number>();
    for (const dep of dependenciesOf(item)) {
      const d = index.get(dep);
      if (d === undefined || d === i || seen.has(d)) {
        continue;
      }
      seen.add(d);
      waitingOn[i]++;
      dependents[d].push(i);
    }
  });
  const heap = new MinHeap();
  waitingOn.forEach((n, i) => {
    if (n === 0) {
      heap.push(i);
    }
  });
  const out: T[] = [];
  while (heap.size > 0) {
    const i = heap.pop();
    out.push(items[i]);
    for (const j of dependents[i]) {
      if (--waitingOn[j] === 0) {
        heap.push(j);
      }
    }
  }
  if (out.length < items.length) {
    const stuck = items.filter((_, i) => waitingOn[i] > 0).map(describe);
    throw new Error(`dependency cycle: ${stuck.slice(0, 5).join(', ')}${stuck.length > 5 ? ` and ${stuck.length - 5} more` : ''} depend on each other, so no order applies them`);
  }
  return out;
}

class MinHeap {
  private readonly data: number[] = [];

  public get size(): number {
    return this.data.length;
  }

  public push(value: number): void {
    const d = this.data;
    d.push(value);
    let i = d.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (d[parent] <= d[i]) {
        break;
      }
      [d[parent], d[i]] = [d[i], d[parent]];
      i = parent;
    }
  }

  public pop(): number {
    const d = this.data;
    const top = d[0];
    const last = d.pop()!;
    if (d.length > 0) {
      d[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < d.length && d[l] < d[m]) {
          m = l;
        }
        if (r < d.length && d[r] < d[m]) {
          m = r;
        }
        if (m === i) {
          break;
        }
        [d[m], d[i]] = [d[i], d[m]];
        i = m;
      }
    }
    return top;
  }
}
