import { describe, expect, it } from 'vitest';
import type { Instant } from '../../sdk/time.js';
import { AfterAll } from '../../sdk/triggers/after-all.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterEach } from '../../sdk/triggers/after-each.js';
import { AfterFirst } from '../../sdk/triggers/after-first.js';
import { AfterProcessingTime } from '../../sdk/triggers/after-processing-time.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { DefaultTrigger } from '../../sdk/triggers/default-trigger.js';
import { Never } from '../../sdk/triggers/never.js';
import { Repeatedly } from '../../sdk/triggers/repeatedly.js';
import { readsProcessingTime, triggerTimeDomains } from '../../sdk/internal/trigger-analysis.js';
import type { Trigger, TriggerContext, TriggerState } from '../../sdk/triggers/trigger.js';
import { intervalWindow, type BoundedWindow } from '../../sdk/window.js';

// ---------------------------------------------------------------------------------------------
// A fake TriggerContext and a harness that drives one trigger like the driver does, checking on
// every transition that the input state is never mutated (it is deep-frozen first, so a mutation
// throws in strict mode, and it is compared with a clone taken before the call) and that every
// state stays plain, structured-cloneable data.
// ---------------------------------------------------------------------------------------------

const W = intervalWindow(0, 3000); // maxTimestamp 2999

interface FakeContext extends TriggerContext {
  window: BoundedWindow;
  inputWatermark: Instant;
  processingTime: Instant;
  /** Timers requested since the last `takeTimers()`. */
  eventTimers: Instant[];
  processingTimers: Instant[];
}

function fakeContext(o: { window?: BoundedWindow; wm?: Instant; pt?: Instant } = {}): FakeContext {
  const c: FakeContext = {
    window: o.window ?? W,
    inputWatermark: o.wm ?? 0,
    processingTime: o.pt ?? 0,
    eventTimers: [],
    processingTimers: [],
    setEventTimeTimer: (t) => void c.eventTimers.push(t),
    setProcessingTimeTimer: (t) => void c.processingTimers.push(t),
  };
  return c;
}

function deepFreeze<T>(x: T): T {
  if (x !== null && typeof x === 'object' && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x as object)) deepFreeze(v);
  }
  return x;
}

/** Runs a transition on a deep-frozen input, checks the input is unchanged and the output is plain data. */
function pure<R>(input: TriggerState | readonly TriggerState[], f: () => R): R {
  const before = structuredClone(input);
  deepFreeze(input);
  const out = f();
  expect(input).toEqual(before);
  if (out !== null && typeof out === 'object') expect(structuredClone(out)).toEqual(out);
  return out;
}

/** Drives one trigger for one window as the driver does: onElement, shouldFire, onFire. */
class Harness {
  state: TriggerState;
  readonly ctx: FakeContext;
  /** Number of firings so far. */
  fired = 0;
  constructor(
    readonly trigger: Trigger,
    o: { window?: BoundedWindow; wm?: Instant; pt?: Instant } = {},
  ) {
    this.ctx = fakeContext(o);
    this.state = trigger.init();
  }
  element(): this {
    const s = this.state;
    this.state = pure(s, () => this.trigger.onElement(s, this.ctx));
    return this;
  }
  elements(n: number): this {
    for (let i = 0; i < n; i++) this.element();
    return this;
  }
  shouldFire(): boolean {
    const s = this.state;
    return pure(s, () => this.trigger.shouldFire(s, this.ctx));
  }
  fire(): this {
    expect(this.shouldFire()).toBe(true);
    const s = this.state;
    this.state = pure(s, () => this.trigger.onFire(s, this.ctx));
    this.fired++;
    return this;
  }
  /** Fires when the trigger says so (as the driver does after each element or timer); returns whether it did. */
  maybeFire(): boolean {
    if (!this.shouldFire()) return false;
    this.fire();
    return true;
  }
  /** Adds one element and fires if due; returns whether it fired. */
  add(): boolean {
    this.element();
    return this.maybeFire();
  }
  at(o: { wm?: Instant; pt?: Instant }): this {
    if (o.wm !== undefined) this.ctx.inputWatermark = o.wm;
    if (o.pt !== undefined) this.ctx.processingTime = o.pt;
    return this;
  }
  get finished(): boolean {
    return this.state.finished;
  }
  takeTimers(): { event: Instant[]; processing: Instant[] } {
    const out = { event: [...this.ctx.eventTimers], processing: [...this.ctx.processingTimers] };
    this.ctx.eventTimers.length = 0;
    this.ctx.processingTimers.length = 0;
    return out;
  }
}

/** Runs `n` elements through a fresh state of `t` (no firing) and returns the state. */
function stateAfter(t: Trigger, n: number, o: { window?: BoundedWindow; wm?: Instant; pt?: Instant } = {}): TriggerState {
  const h = new Harness(t, o);
  h.elements(n);
  expect(h.shouldFire()).toBe(false);
  return h.state;
}

function merge(t: Trigger, states: TriggerState[], ctx: FakeContext): TriggerState {
  return pure(states, () => t.onMerge(states, ctx));
}

const apt = (delay: number) => AfterProcessingTime.pastFirstElementInPane().plusDelayOf(delay);

// ---------------------------------------------------------------------------------------------

describe('AfterWatermark()', () => {
  it('asks for an event-time timer at the end of the window and fires once the watermark passes it', () => {
    const h = new Harness(AfterWatermark(), { wm: 0 });
    expect(h.state.finished).toBe(false);
    h.element();
    expect(h.takeTimers()).toEqual({ event: [2999], processing: [] });
    expect(h.shouldFire()).toBe(false);
    // a watermark equal to maxTimestamp still allows an element at 2999: not complete yet
    h.at({ wm: 2999 });
    expect(h.shouldFire()).toBe(false);
    h.at({ wm: 3000 });
    h.fire();
    expect(h.finished).toBe(true);
    // finished: never fires again and asks for nothing
    h.element();
    expect(h.takeTimers()).toEqual({ event: [], processing: [] });
    expect(h.shouldFire()).toBe(false);
  });

  it('uses the maxTimestamp of the window in the context (global window included)', () => {
    const h = new Harness(AfterWatermark(), { window: intervalWindow(5000, 6000) });
    h.element();
    expect(h.takeTimers().event).toEqual([5999]);
  });

  it('is an event-time trigger and continues as itself', () => {
    const t = AfterWatermark();
    expect(t.name).toBe('AfterWatermark.pastEndOfWindow()');
    expect([...triggerTimeDomains(t)]).toEqual(['event']);
    expect(t.continuation().name).toBe('AfterWatermark.pastEndOfWindow()');
  });
});

describe('AfterWatermark with early firings', () => {
  const t = AfterWatermark().withEarlyFirings(AfterCount(2));

  it('fires early panes every 2 elements (the early trigger repeats), then once on time, then finishes', () => {
    const h = new Harness(t, { wm: 0 });
    expect(h.add()).toBe(false);
    expect(h.takeTimers().event).toEqual([2999]);
    expect(h.add()).toBe(true); // early pane 1
    expect(h.finished).toBe(false);
    expect(h.add()).toBe(false);
    expect(h.add()).toBe(true); // early pane 2
    expect(h.add()).toBe(false);
    h.at({ wm: 3000 });
    expect(h.maybeFire()).toBe(true); // on time
    expect(h.finished).toBe(true); // no late firings: done
    expect(h.add()).toBe(false);
    expect(h.fired).toBe(3);
  });

  it('fires on time even when the early trigger has nothing pending', () => {
    const h = new Harness(t, { wm: 0 });
    h.elements(2).fire();
    h.at({ wm: 3000 });
    expect(h.maybeFire()).toBe(true);
    expect(h.finished).toBe(true);
  });

  it('with processing-time early firings asks for both an event-time and a processing-time timer', () => {
    const h = new Harness(AfterWatermark().withEarlyFirings(apt(1000)), { wm: 0, pt: 500 });
    h.element();
    expect(h.takeTimers()).toEqual({ event: [2999], processing: [1500] });
    h.at({ pt: 1499 });
    expect(h.shouldFire()).toBe(false);
    h.at({ pt: 1500 });
    h.fire(); // early
    // the early trigger was reset: the next element starts a new delay
    h.at({ pt: 2000 });
    h.element();
    expect(h.takeTimers()).toEqual({ event: [2999], processing: [3000] });
    expect(h.shouldFire()).toBe(false);
    h.at({ wm: 3000 });
    h.fire(); // on time
    expect(h.finished).toBe(true);
  });

  it('names itself and reports both time domains', () => {
    expect(t.name).toBe('AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterCount(2))');
    expect(triggerTimeDomains(t)).toEqual(new Set(['event', 'count']));
  });
});

describe('AfterWatermark with late firings', () => {
  const t = AfterWatermark().withLateFirings(AfterCount(1));

  it('fires on time, then once per late element, and never finishes by itself', () => {
    const h = new Harness(t, { wm: 0 });
    expect(h.add()).toBe(false);
    expect(h.add()).toBe(false);
    h.at({ wm: 3000 });
    expect(h.maybeFire()).toBe(true); // on time
    expect(h.finished).toBe(false);
    // nothing new: no late pane
    expect(h.shouldFire()).toBe(false);
    expect(h.add()).toBe(true); // late 1
    expect(h.shouldFire()).toBe(false);
    expect(h.add()).toBe(true); // late 2
    h.at({ wm: 100_000 });
    expect(h.shouldFire()).toBe(false);
    expect(h.finished).toBe(false);
    expect(h.fired).toBe(3);
  });

  it('with early and late firings: early panes before, late panes after the on-time pane', () => {
    const h = new Harness(AfterWatermark().withEarlyFirings(AfterCount(2)).withLateFirings(AfterCount(2)), { wm: 0 });
    const fired: boolean[] = [];
    for (let i = 0; i < 3; i++) fired.push(h.add());
    h.at({ wm: 3000 });
    fired.push(h.maybeFire());
    for (let i = 0; i < 5; i++) fired.push(h.add());
    expect(fired).toEqual([false, true, false, /* on time */ true, false, true, false, true, false]);
    expect(h.finished).toBe(false);
  });

  it('continues downstream with the continuations of its sub-triggers', () => {
    const c = AfterWatermark().withEarlyFirings(AfterCount(5)).withLateFirings(AfterCount(3)).continuation();
    expect(c.name).toBe('AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterCount(1)).withLateFirings(AfterCount(1))');
  });
});

describe('AfterProcessingTime', () => {
  it('fires `delay` after the first element of the pane, by the processing time in the context', () => {
    const h = new Harness(apt(1000), { pt: 500 });
    h.element();
    expect(h.takeTimers()).toEqual({ event: [], processing: [1500] });
    // later elements of the same pane neither move the target nor ask again
    h.at({ pt: 800 }).element();
    expect(h.takeTimers()).toEqual({ event: [], processing: [] });
    h.at({ pt: 1499 });
    expect(h.shouldFire()).toBe(false);
    h.at({ pt: 1500 });
    h.fire();
    expect(h.finished).toBe(true);
    h.at({ pt: 5000 }).element();
    expect(h.takeTimers().processing).toEqual([]);
    expect(h.shouldFire()).toBe(false);
  });

  it('does not fire without elements, whatever the time', () => {
    const h = new Harness(apt(1000), { pt: 0 });
    h.at({ pt: 1_000_000, wm: 1_000_000 });
    expect(h.shouldFire()).toBe(false);
  });

  it('ignores the watermark', () => {
    const h = new Harness(apt(1000), { pt: 0 });
    h.element().at({ wm: 1_000_000 });
    expect(h.shouldFire()).toBe(false);
  });

  it('adds up delays and with zero delay fires at once', () => {
    const h = new Harness(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(300).plusDelayOf(200), { pt: 100 });
    h.element();
    expect(h.takeTimers().processing).toEqual([600]);
    const z = new Harness(AfterProcessingTime.pastFirstElementInPane(), { pt: 100 });
    z.element();
    expect(z.takeTimers().processing).toEqual([100]);
    expect(z.shouldFire()).toBe(true);
  });

  it('alignedTo(period) rounds the target up to the next multiple of the period', () => {
    const targetFor = (t: Trigger, pt: Instant) => {
      const h = new Harness(t, { pt });
      h.element();
      return h.takeTimers().processing;
    };
    const aligned = AfterProcessingTime.pastFirstElementInPane().alignedTo(1000);
    expect(targetFor(aligned, 1234)).toEqual([2000]);
    expect(targetFor(aligned, 2000)).toEqual([2000]); // already aligned
    expect(targetFor(aligned, 1)).toEqual([1000]);
    // delay first, then alignment
    expect(targetFor(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(500).alignedTo(1000), 1600)).toEqual([3000]);
    expect(targetFor(AfterProcessingTime.pastFirstElementInPane().alignedTo(1000).plusDelayOf(500), 1600)).toEqual([3000]);
    // offset: multiples of 1000 shifted by 200
    expect(targetFor(AfterProcessingTime.pastFirstElementInPane().alignedTo(1000, 200), 1234)).toEqual([2200]);
    expect(targetFor(AfterProcessingTime.pastFirstElementInPane().alignedTo(1000, 200), 1100)).toEqual([1200]);
    // all keys with elements in the same period fire together
    expect(targetFor(aligned, 1001)).toEqual(targetFor(aligned, 1999));
  });

  it('rejects a negative delay and a non-positive period', () => {
    expect(() => AfterProcessingTime.pastFirstElementInPane().plusDelayOf(-1)).toThrow(RangeError);
    expect(() => AfterProcessingTime.pastFirstElementInPane().alignedTo(0)).toThrow(RangeError);
    // NaN passed `delay < 0`: a timer at NaN never fires, so the trigger never did
    expect(() => AfterProcessingTime.pastFirstElementInPane().plusDelayOf(Number.NaN)).toThrow('AfterProcessingTime delay must be >= 0, got NaN');
    expect(() => AfterProcessingTime.pastFirstElementInPane().alignedTo(1000, Number.NaN)).toThrow('AfterProcessingTime alignment offset must be a finite number, got NaN');
  });

  it('is a processing-time trigger', () => {
    expect([...triggerTimeDomains(apt(5))]).toEqual(['processing']);
    expect(apt(5).name).toBe('AfterProcessingTime(+5ms)');
  });
});

describe('AfterCount', () => {
  it('fires once the pane holds n elements, then finishes', () => {
    const h = new Harness(AfterCount(3));
    expect([h.add(), h.add(), h.add()]).toEqual([false, false, true]);
    expect(h.finished).toBe(true);
    expect(h.add()).toBe(false);
    expect(h.takeTimers()).toEqual({ event: [], processing: [] });
  });

  it('ignores time', () => {
    const h = new Harness(AfterCount(2));
    h.element().at({ wm: 1e12, pt: 1e12 });
    expect(h.shouldFire()).toBe(false);
  });

  it('still fires when more than n elements arrived before evaluation (micro-batch)', () => {
    const h = new Harness(AfterCount(2));
    h.elements(5);
    h.fire();
    expect(h.finished).toBe(true);
  });

  it('rejects counts below 1 and fractions; continues downstream as AfterCount(1)', () => {
    expect(() => AfterCount(0)).toThrow(RangeError);
    expect(() => AfterCount(1.5)).toThrow(RangeError);
    expect(AfterCount(7).continuation().name).toBe('AfterCount(1)');
    expect([...triggerTimeDomains(AfterCount(1))]).toEqual(['count']);
  });
});

describe('Repeatedly', () => {
  it('fires every time the sub-trigger fires and restarts it; never finishes', () => {
    const h = new Harness(Repeatedly(AfterCount(2)));
    const fired: boolean[] = [];
    for (let i = 0; i < 7; i++) fired.push(h.add());
    expect(fired).toEqual([false, true, false, true, false, true, false]);
    expect(h.finished).toBe(false);
  });

  it('restarts a processing-time sub-trigger for the next pane', () => {
    const h = new Harness(Repeatedly(apt(100)), { pt: 0 });
    h.element();
    expect(h.takeTimers().processing).toEqual([100]);
    h.at({ pt: 150 }).fire();
    h.at({ pt: 170 }).element();
    expect(h.takeTimers().processing).toEqual([270]);
    expect(h.shouldFire()).toBe(false);
    h.at({ pt: 270 }).fire();
    expect(h.finished).toBe(false);
  });

  it('continues downstream as Repeatedly of the continuation', () => {
    expect(Repeatedly(AfterCount(4)).continuation().name).toBe('Repeatedly(AfterCount(1))');
  });
});

describe('AfterEach', () => {
  it('runs its sub-triggers one after the other and finishes after the last', () => {
    const h = new Harness(AfterEach(AfterCount(2), AfterCount(3)));
    const fired: boolean[] = [];
    for (let i = 0; i < 7; i++) fired.push(h.add());
    // a pane after 2 elements, then after 3 more; then finished
    expect(fired).toEqual([false, true, false, false, true, false, false]);
    expect(h.finished).toBe(true);
    expect(h.fired).toBe(2);
  });

  it('only the current sub-trigger sees elements', () => {
    const h = new Harness(AfterEach(AfterCount(1), apt(1000)), { pt: 0 });
    h.element();
    // the processing-time trigger is not started by the element the first sub-trigger consumed
    expect(h.takeTimers().processing).toEqual([]);
    h.fire();
    h.at({ pt: 10 }).element();
    expect(h.takeTimers().processing).toEqual([1010]);
    h.at({ pt: 1010 }).fire();
    expect(h.finished).toBe(true);
  });

  it('stays on a sub-trigger that never finishes', () => {
    const h = new Harness(AfterEach(Repeatedly(AfterCount(1)), AfterCount(100)));
    for (let i = 0; i < 5; i++) expect(h.add()).toBe(true);
    expect(h.finished).toBe(false);
  });

  it('rejects an empty list', () => {
    expect(() => AfterEach()).toThrow(RangeError);
  });
});

describe('AfterFirst', () => {
  const t = () => AfterFirst(AfterCount(3), apt(1000));

  it('fires when the count is reached first, then finishes', () => {
    const h = new Harness(t(), { pt: 0 });
    expect([h.add(), h.add(), h.add()]).toEqual([false, false, true]);
    expect(h.finished).toBe(true);
    h.at({ pt: 5000 });
    expect(h.shouldFire()).toBe(false);
  });

  it('fires when the delay passes first, then finishes', () => {
    const h = new Harness(t(), { pt: 0 });
    h.element();
    expect(h.takeTimers().processing).toEqual([1000]);
    h.at({ pt: 1000 });
    expect(h.maybeFire()).toBe(true);
    expect(h.finished).toBe(true);
    expect(h.add()).toBe(false);
  });

  it('rejects an empty list', () => {
    expect(() => AfterFirst()).toThrow(RangeError);
  });
});

describe('AfterAll', () => {
  const t = () => AfterAll(AfterCount(2), apt(1000));

  it('waits for the count after the delay has passed', () => {
    const h = new Harness(t(), { pt: 0 });
    expect(h.add()).toBe(false);
    h.at({ pt: 1000 });
    expect(h.maybeFire()).toBe(false); // delay passed, count not
    expect(h.add()).toBe(true);
    expect(h.finished).toBe(true);
  });

  it('waits for the delay after the count was reached', () => {
    const h = new Harness(t(), { pt: 0 });
    expect([h.add(), h.add(), h.add()]).toEqual([false, false, false]);
    h.at({ pt: 999 });
    expect(h.maybeFire()).toBe(false);
    h.at({ pt: 1000 });
    expect(h.maybeFire()).toBe(true);
    expect(h.finished).toBe(true);
    expect(h.add()).toBe(false);
  });

  it('rejects an empty list', () => {
    expect(() => AfterAll()).toThrow(RangeError);
  });
});

describe('orFinally', () => {
  it('fires like the main trigger until the until-trigger fires, then one last time', () => {
    const h = new Harness(Repeatedly(AfterCount(1)).orFinally(AfterCount(3)));
    expect(h.add()).toBe(true);
    expect(h.finished).toBe(false);
    expect(h.add()).toBe(true);
    expect(h.finished).toBe(false);
    expect(h.add()).toBe(true); // the until trigger fires: final
    expect(h.finished).toBe(true);
    expect(h.add()).toBe(false);
  });

  it('the until-trigger counts across the main trigger firings', () => {
    const h = new Harness(Repeatedly(AfterCount(2)).orFinally(AfterCount(5)));
    const fired: boolean[] = [];
    for (let i = 0; i < 6; i++) fired.push(h.add());
    expect(fired).toEqual([false, true, false, true, true, false]);
    expect(h.finished).toBe(true);
  });

  it('stops at the end of the window when the until-trigger is AfterWatermark', () => {
    const h = new Harness(Repeatedly(AfterCount(2)).orFinally(AfterWatermark()), { wm: 0 });
    expect([h.add(), h.add(), h.add()]).toEqual([false, true, false]);
    expect(h.takeTimers().event).toContain(2999);
    h.at({ wm: 3000 });
    expect(h.maybeFire()).toBe(true);
    expect(h.finished).toBe(true);
  });

  it('finishes when a main trigger that runs once finishes', () => {
    const h = new Harness(AfterCount(2).orFinally(AfterCount(10)));
    expect([h.add(), h.add()]).toEqual([false, true]);
    expect(h.finished).toBe(true);
  });
});

describe('Never', () => {
  it('never fires, never finishes and asks for no timers', () => {
    const h = new Harness(Never(), { wm: 0, pt: 0 });
    h.elements(100);
    h.at({ wm: 1e15, pt: 1e15 });
    expect(h.shouldFire()).toBe(false);
    expect(h.finished).toBe(false);
    expect(h.takeTimers()).toEqual({ event: [], processing: [] });
    expect(Never().continuation().name).toBe('Never');
  });
});

describe('DefaultTrigger', () => {
  it('fires on time, then again for each late element (it repeats), never finishing', () => {
    const h = new Harness(DefaultTrigger(), { wm: 0 });
    expect(h.add()).toBe(false);
    expect(h.takeTimers().event).toEqual([2999]);
    h.at({ wm: 3000 });
    expect(h.maybeFire()).toBe(true);
    expect(h.finished).toBe(false);
    // Like Beam's, it stays ready once the window is complete (the driver emits no empty late pane).
    expect(h.add()).toBe(true); // late element: a late pane at once
    expect(h.add()).toBe(true);
    expect(h.finished).toBe(false);
  });

  it('is named DefaultTrigger and continues as itself', () => {
    expect(DefaultTrigger().name).toBe('DefaultTrigger');
    expect(DefaultTrigger().continuation().name).toBe('DefaultTrigger');
    expect([...triggerTimeDomains(DefaultTrigger())]).toEqual(['event']);
  });
});

describe('readsProcessingTime', () => {
  it('is false for triggers of elements and the watermark only', () => {
    expect(readsProcessingTime(DefaultTrigger())).toBe(false);
    expect(readsProcessingTime(AfterWatermark().withEarlyFirings(AfterCount(2)).withLateFirings(AfterCount(1)))).toBe(false);
    expect(readsProcessingTime(Repeatedly(AfterCount(3)))).toBe(false);
    expect(readsProcessingTime(Never())).toBe(false);
  });

  it('is true when any part waits for processing time, and for custom leaves of unknown behaviour', () => {
    expect(readsProcessingTime(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(10))).toBe(true);
    expect(readsProcessingTime(AfterWatermark().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(10)))).toBe(true);
    expect(readsProcessingTime(AfterFirst(AfterCount(5), AfterProcessingTime.pastFirstElementInPane()))).toBe(true);
    const custom: Trigger = { ...AfterCount(1), name: 'MyTrigger', domain: undefined };
    expect(readsProcessingTime(custom)).toBe(true);
  });
});

describe('onMerge (merging windows such as sessions)', () => {
  const merged = intervalWindow(0, 5000); // maxTimestamp 4999

  it('AfterCount adds the counts of the merged panes', () => {
    const t = AfterCount(4);
    const s = merge(t, [stateAfter(t, 2), stateAfter(t, 1)], fakeContext({ window: merged }));
    expect(t.shouldFire(s, fakeContext())).toBe(false);
    expect(t.shouldFire(t.onElement(s, fakeContext()), fakeContext())).toBe(true);
  });

  it('AfterCount is finished when any merged state finished', () => {
    const t = AfterCount(1);
    const s = merge(t, [t.onFire(stateAfter(t, 0), fakeContext()), stateAfter(t, 0)], fakeContext());
    expect(s.finished).toBe(true);
  });

  it('AfterProcessingTime keeps the earliest target and asks for a timer at it', () => {
    const t = apt(1000);
    const a = stateAfter(t, 1, { pt: 700 }); // target 1700
    const b = stateAfter(t, 1, { pt: 300 }); // target 1300
    const ctx = fakeContext({ window: merged, pt: 800 });
    const s = merge(t, [a, b, t.init()], ctx);
    expect(ctx.processingTimers).toEqual([1300]);
    expect(t.shouldFire(s, { ...ctx, processingTime: 1299 })).toBe(false);
    expect(t.shouldFire(s, { ...ctx, processingTime: 1300 })).toBe(true);
  });

  it('merging more windows than a function call takes arguments (200,000, a custom WindowFn merging them all): AfterProcessingTime and AfterEach merge them (before: RangeError, Maximum call stack size exceeded)', () => {
    const n = 200_000;
    const t = apt(1000);
    const started = stateAfter(t, 1, { pt: 300 }); // target 1300
    const ctx = fakeContext({ window: merged, pt: 800 });
    const later = stateAfter(t, 1, { pt: 700 }); // target 1700; trigger states are immutable, so one may stand for many
    const s = t.onMerge([...Array.from({ length: n - 1 }, () => later), started], ctx);
    expect(ctx.processingTimers).toEqual([1300]);
    expect(t.shouldFire(s, { ...ctx, processingTime: 1300 })).toBe(true);
    const each = AfterEach(AfterCount(1), AfterCount(2));
    const e = each.init();
    const m = each.onMerge(Array.from({ length: n }, () => e), fakeContext({ window: merged }));
    expect(m.finished).toBe(false);
  });

  it('AfterProcessingTime without any started delay asks for no timer', () => {
    const t = apt(1000);
    const ctx = fakeContext({ window: merged });
    const s = merge(t, [t.init(), t.init()], ctx);
    expect(ctx.processingTimers).toEqual([]);
    expect(s.finished).toBe(false);
    expect(t.shouldFire(s, { ...ctx, processingTime: 1e9 })).toBe(false);
  });

  it('AfterWatermark asks for a timer at the end of the merged window', () => {
    const t = AfterWatermark();
    const ctx = fakeContext({ window: merged, wm: 0 });
    const s = merge(t, [stateAfter(t, 1), stateAfter(t, 1)], ctx);
    expect(ctx.eventTimers).toEqual([4999]);
    expect(t.shouldFire(s, { ...ctx, inputWatermark: 3000 })).toBe(false);
    expect(t.shouldFire(s, { ...ctx, inputWatermark: 5000 })).toBe(true);
  });

  it('AfterWatermark: a part that already fired on time does not finish a merged window that is not complete', () => {
    const t = AfterWatermark();
    const done = t.onFire(stateAfter(t, 1), fakeContext({ wm: 3000 }));
    expect(done.finished).toBe(true);
    const ctx = fakeContext({ window: merged, wm: 3000 });
    const s = merge(t, [done, stateAfter(t, 1)], ctx);
    expect(s.finished).toBe(false);
    expect(ctx.eventTimers).toEqual([4999]);
    expect(t.shouldFire(s, { ...ctx, inputWatermark: 5000 })).toBe(true);
  });

  it('AfterWatermark with early firings merges the early counts', () => {
    const t = AfterWatermark().withEarlyFirings(AfterCount(3));
    const ctx = fakeContext({ window: merged, wm: 0 });
    const s = merge(t, [stateAfter(t, 1), stateAfter(t, 1)], ctx);
    expect(ctx.eventTimers).toEqual([4999]);
    expect(t.shouldFire(s, ctx)).toBe(false);
    expect(t.shouldFire(t.onElement(s, ctx), ctx)).toBe(true);
  });

  it('AfterWatermark with early and late firings: merged window stays in the late phase only when complete', () => {
    const t = AfterWatermark().withEarlyFirings(AfterCount(1)).withLateFirings(AfterCount(1));
    // window A fired on time (its end 2999 passed); window B is new
    const a = t.onFire(stateAfter(t, 0), fakeContext({ wm: 3000 }));
    const b = t.init();
    // 1. the merged window is complete too: late phase, a late element fires a late pane
    const lateCtx = fakeContext({ window: merged, wm: 6000 });
    const sLate = merge(t, [a, b], lateCtx);
    expect(sLate.finished).toBe(false);
    expect(lateCtx.eventTimers).toEqual([]);
    const sLate1 = t.onElement(sLate, lateCtx);
    expect(t.shouldFire(sLate1, lateCtx)).toBe(true);
    // its firing is a late one: the trigger stays in the late phase (not finished, fires per element again)
    const sLate2 = t.onFire(sLate1, lateCtx);
    expect(sLate2.finished).toBe(false);
    expect(t.shouldFire(sLate2, lateCtx)).toBe(false);
    // 2. the merged window extends past the watermark: back in the early phase, with working early
    //    firings and an on-time pane at its new end
    const earlyCtx = fakeContext({ window: merged, wm: 3000 });
    const sEarly = merge(t, [a, b], earlyCtx);
    expect(sEarly.finished).toBe(false);
    expect(earlyCtx.eventTimers).toEqual([4999]);
    expect(t.shouldFire(sEarly, earlyCtx)).toBe(false);
    const sEarly1 = t.onElement(sEarly, earlyCtx);
    expect(t.shouldFire(sEarly1, earlyCtx)).toBe(true); // an early pane
    const sEarly2 = t.onFire(sEarly1, earlyCtx);
    expect(sEarly2.finished).toBe(false);
    expect(t.shouldFire(sEarly2, { ...earlyCtx, inputWatermark: 5000 })).toBe(true); // on time at the merged end
  });

  it('Repeatedly merges its sub-trigger and restarts it when the merge finished it', () => {
    const t = Repeatedly(AfterCount(3));
    const s = merge(t, [stateAfter(t, 2), stateAfter(t, 2)], fakeContext());
    expect(s.finished).toBe(false);
    expect(t.shouldFire(s, fakeContext())).toBe(true); // 4 >= 3
    const r = Repeatedly(AfterWatermark());
    const fired = r.onFire(stateAfter(r, 1), fakeContext({ wm: 3000 }));
    const m = merge(r, [fired], fakeContext({ window: W, wm: 3000 }));
    expect(m.finished).toBe(false);
  });

  it('AfterEach continues from the least advanced merged state', () => {
    const t = AfterEach(AfterCount(1), AfterCount(2));
    const h = new Harness(t);
    expect(h.add()).toBe(true); // moved on to AfterCount(2)
    const advanced = h.state;
    const fresh = stateAfter(t, 0);
    const s = merge(t, [advanced, fresh], fakeContext());
    expect(s.finished).toBe(false);
    expect(t.shouldFire(s, fakeContext())).toBe(false);
    // back at the first sub-trigger: one element fires it, then the second one runs
    const s1 = t.onElement(s, fakeContext());
    expect(t.shouldFire(s1, fakeContext())).toBe(true);
    let s2 = t.onFire(s1, fakeContext());
    s2 = t.onElement(s2, fakeContext());
    expect(t.shouldFire(s2, fakeContext())).toBe(false);
    s2 = t.onElement(s2, fakeContext());
    expect(t.shouldFire(s2, fakeContext())).toBe(true);
    expect(t.onFire(s2, fakeContext()).finished).toBe(true);
    // merging two states both on the second sub-trigger adds up its counts
    h.element(); // 1 of 2
    const h2 = new Harness(t);
    h2.add();
    h2.element(); // 1 of 2
    const both = merge(t, [h.state, h2.state], fakeContext());
    expect(t.shouldFire(both, fakeContext())).toBe(true);
  });

  it('AfterFirst and AfterAll merge each sub-trigger', () => {
    const f = AfterFirst(AfterCount(3), apt(1000));
    const ctx = fakeContext({ pt: 0 });
    const sf = merge(f, [stateAfter(f, 1, { pt: 100 }), stateAfter(f, 1, { pt: 50 })], ctx);
    expect(ctx.processingTimers).toEqual([1050]);
    expect(f.shouldFire(sf, ctx)).toBe(false);
    expect(f.shouldFire(f.onElement(sf, ctx), ctx)).toBe(true); // 3 elements
    expect(f.shouldFire(sf, { ...ctx, processingTime: 1050 })).toBe(true); // or the earliest delay
    const a = AfterAll(AfterCount(3), apt(1000));
    const ctxA = fakeContext({ pt: 0 });
    const sa = merge(a, [stateAfter(a, 2, { pt: 100 }), stateAfter(a, 1, { pt: 500 })], ctxA);
    expect(ctxA.processingTimers).toEqual([1100]);
    expect(a.shouldFire(sa, ctxA)).toBe(false); // 3 elements but delay pending
    expect(a.shouldFire(sa, { ...ctxA, processingTime: 1100 })).toBe(true);
  });

  it('orFinally merges both sub-triggers', () => {
    const t = Repeatedly(AfterCount(10)).orFinally(AfterCount(3));
    const s = merge(t, [stateAfter(t, 1), stateAfter(t, 1)], fakeContext());
    expect(s.finished).toBe(false);
    const s3 = t.onElement(s, fakeContext());
    expect(t.shouldFire(s3, fakeContext())).toBe(true);
    expect(t.onFire(s3, fakeContext()).finished).toBe(true);
  });

  it('Never stays silent after a merge', () => {
    const t = Never();
    const s = merge(t, [stateAfter(t, 3), stateAfter(t, 2)], fakeContext({ window: merged, wm: 1e12, pt: 1e12 }));
    expect(s.finished).toBe(false);
    expect(t.shouldFire(s, fakeContext({ wm: 1e12, pt: 1e12 }))).toBe(false);
  });
});

describe('purity: no transition mutates its input state', () => {
  // Every trigger, driven through elements, firings, watermark and processing-time moves and a
  // merge; the Harness deep-freezes each input state and checks it is unchanged afterwards.
  const all: [string, () => Trigger][] = [
    ['AfterWatermark', () => AfterWatermark()],
    ['AfterWatermark early+late', () => AfterWatermark().withEarlyFirings(apt(100)).withLateFirings(AfterCount(1))],
    ['AfterProcessingTime', () => apt(100)],
    ['AfterProcessingTime aligned', () => AfterProcessingTime.pastFirstElementInPane().alignedTo(250)],
    ['AfterCount', () => AfterCount(2)],
    ['Repeatedly', () => Repeatedly(AfterCount(2))],
    ['AfterEach', () => AfterEach(AfterCount(1), apt(100), AfterCount(2))],
    ['AfterFirst', () => AfterFirst(AfterCount(3), apt(100))],
    ['AfterAll', () => AfterAll(AfterCount(2), apt(100))],
    ['orFinally', () => Repeatedly(AfterCount(1)).orFinally(AfterCount(4))],
    ['Never', () => Never()],
    ['DefaultTrigger', () => DefaultTrigger()],
    ['nested', () => Repeatedly(AfterFirst(AfterAll(AfterCount(2), apt(50)), AfterWatermark()))],
  ];

  it.each(all)('%s', (_name, make) => {
    const t = make();
    const h = new Harness(t, { wm: 0, pt: 0 });
    const seen: TriggerState[] = [];
    for (let step = 0; step < 12; step++) {
      h.at({ pt: step * 40, wm: step < 8 ? step * 100 : 3000 + step });
      h.element();
      h.maybeFire();
      seen.push(h.state);
    }
    // states handed out earlier were not changed by later transitions either
    for (const s of seen.slice(0, -1)) expect(Object.isFrozen(s)).toBe(true);
    const ctx = fakeContext({ window: intervalWindow(0, 6000), wm: 100, pt: 100 });
    const m = merge(t, [seen[2]!, seen[5]!, t.init()], ctx);
    pure(m, () => t.shouldFire(m, ctx));
    pure(m, () => t.onElement(m, ctx));
  });

  it('init() returns a fresh or frozen state every time', () => {
    for (const [, make] of all) {
      const t = make();
      const a = t.init();
      const b = t.init();
      expect(a).toEqual(b);
      if (a === b) expect(Object.isFrozen(a)).toBe(true);
    }
  });
});
