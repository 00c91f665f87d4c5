import { describe, expect, it } from 'vitest';
import { Engine } from '../../runners/core/engine.js';
import { SourcePump } from '../../runners/core/source-pump.js';
import { InMemoryStateBackend } from '../../runners/core/state/state-backend.js';
import { VirtualClock } from '../../sdk/clock.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture } from '../../sdk/testing/capture.js';
import { Generate } from '../../transforms/io/generate.js';

describe('source positions from the pump into the engine', () => {
  it('ReadSlot.position is the position after the last batch emitted, while the reader has read further ahead', async () => {
    const p = Pipeline.create({});
    p.apply('Gen', Generate.of({ count: 100, element: (i) => i, timestamp: (i) => i })).apply('Out', Capture.records());
    const clock = new VirtualClock(0);
    const engine = new Engine(p.graph(), { clock, state: new InMemoryStateBackend(), fireMode: 'immediate', wiring: 'direct' });
    await engine.open();
    const read = engine.reads[0]!;
    const reader = await read.source.open({ step: read.node.fullName, clock, signal: new AbortController().signal });
    const pump = new SourcePump(reader, 1000, 10, 0, 'Gen', () => new Promise((r) => setImmediate(r)));
    expect(pump.position).toEqual({ i: 0, maxTs: -(2 ** 53 - 1) }); // before anything is taken: the start
    pump.start();
    await pump.whenData();
    while (!(pump as unknown as { ended: boolean }).ended) await new Promise((r) => setImmediate(r));
    for (let k = 0; k < 3; k++) {
      const batch = pump.take()!;
      const r = engine.emitBatch(read, batch, pump.position);
      if (r) await r;
    }
    expect(read.position).toEqual({ i: 30, maxTs: 29 });
    expect(reader.position!()).toEqual({ i: 100, maxTs: 99 });
    pump.stop();
    read.reader = reader;
    await engine.close('cancelled');
  });
});
