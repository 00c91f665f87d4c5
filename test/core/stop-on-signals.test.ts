import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { PipelineResult, StopOptions } from '../../sdk/runner.js';
import { DUPLICATE_WINDOW_MS, stopOnSignals, type SignalProcess, type StopSignal } from '../../sdk/stop-on-signals.js';

/** A process stand-in: signals are emitted by the test, exit codes recorded. */
class FakeProcess extends EventEmitter implements SignalProcess {
  readonly exits: number[] = [];
  exit(code: number): void {
    this.exits.push(code);
  }
  signal(s: StopSignal): void {
    this.emit(s, s);
  }
}

/** A run handle whose stop resolves with `state` once `finish()` is called. */
function fakeRun(state: PipelineResult['state']) {
  const stops: (StopOptions | undefined)[] = [];
  let finish!: () => void;
  const done = new Promise<PipelineResult>((resolve) => {
    finish = () => resolve({ runner: 'fake', state, metrics: {}, startedAt: 0, finishedAt: 1, checkpoints: { taken: [{ name: 'checkpoints/ck-000000000007', seq: 7, kind: 'final', bytes: 10, syncMs: 0, writeMs: 0, commitMs: 0 }] } });
  });
  return { stops, finish, run: { stop: (o?: StopOptions) => (stops.push(o), done) } };
}

function setUp(state: PipelineResult['state'], o: { drain?: boolean; checkpoints?: boolean } = {}) {
  const proc = new FakeProcess();
  const out: string[] = [];
  let now = 10_000;
  const r = fakeRun(state);
  const handle = stopOnSignals(r.run, { drain: o.drain ?? false, checkpoints: o.checkpoints ?? true, now: () => now, process: proc, write: (t) => void out.push(t) });
  return { proc, out, r, handle, advance: (ms: number) => (now += ms) };
}

describe('stopOnSignals', () => {
  it('the first SIGTERM stops the run once, with a final checkpoint, and says so; the stopped run is reported', async () => {
    const { proc, out, r } = setUp('STOPPED');
    proc.signal('SIGTERM');
    expect(r.stops).toEqual([{ drain: false }]);
    expect(out.join('')).toContain('[watershed] stopping: taking a final checkpoint (signal again to exit at once)');
    r.finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.at(-1)).toBe('[watershed] stopped at checkpoints/ck-000000000007: run the same command again to resume\n');
    expect(proc.exits).toEqual([]);
  });

  it('with --drain (or without checkpoints) the first signal drains', () => {
    const a = setUp('DRAINED', { drain: true });
    a.proc.signal('SIGINT');
    expect(a.r.stops).toEqual([{ drain: true }]);
    expect(a.out.join('')).toContain('[watershed] draining: the input stops, every window fires its last pane and every timer fires, then a final checkpoint');
    const b = setUp('DRAINED', { checkpoints: false });
    b.proc.signal('SIGINT');
    expect(b.out.join('')).toContain('[watershed] draining: the input stops, every open window fires and its output is written');
  });

  it('a repeat within the duplicate window is the same Ctrl-C relayed; a second signal later exits at once (143 / 130) and removes the handlers', () => {
    const { proc, out, r, advance } = setUp('STOPPED');
    proc.signal('SIGINT');
    advance(DUPLICATE_WINDOW_MS - 1);
    proc.signal('SIGINT');
    expect(proc.exits).toEqual([]);
    expect(r.stops.length).toBe(1);
    advance(1);
    proc.signal('SIGTERM');
    expect(proc.exits).toEqual([143]);
    expect(out.at(-1)).toContain('[watershed] SIGTERM again: exiting at once');
    expect(proc.listenerCount('SIGINT') + proc.listenerCount('SIGTERM')).toBe(0);

    const second = setUp('STOPPED');
    second.proc.signal('SIGTERM');
    second.advance(5_000);
    second.proc.signal('SIGINT');
    expect(second.proc.exits).toEqual([130]);
  });

  it('dispose() removes the handlers: a signal after the run no longer reaches it', () => {
    const { proc, r, handle } = setUp('STOPPED');
    expect(proc.listenerCount('SIGTERM')).toBe(1);
    handle.dispose();
    expect(proc.listenerCount('SIGINT') + proc.listenerCount('SIGTERM')).toBe(0);
    expect(r.stops).toEqual([]);
  });
});
