import { randomUUID } from 'node:crypto';
import type { DeadLetter } from '../../sdk/dead-letter.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { seconds } from '../../sdk/time.js';
import type { IntervalWindow } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Create } from '../../transforms/create.js';
import { KafkaIO, createKafkajsClientFactory, type KafkaDeadLetterRecord, type KafkaOutgoingMessage } from '../../transforms/io/kafka/index.js';
import { MapElements } from '../../transforms/map.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import type { PipelineResult } from '../../sdk/runner.js';
import { eq, expectAll, sameLines } from '../check.js';
import { defineCase, type Capability, type CaseContext } from '../model.js';

/**
 * The Kafka row: cases against a real broker (env KAFKA_BROKERS; see harness.ts). Each run uses a
 * fresh topic whose name never reaches the report (checks compare topics by identity, and event
 * times relative to the run's base). Reads are bounded and run on the system clock.
 */

const SOURCE = 'cases/kafka.ts';

function brokersOf(ctx: CaseContext): string {
  if (!ctx.kafkaBrokers) throw new Error('no Kafka broker (KAFKA_BROKERS)');
  return ctx.kafkaBrokers;
}

/** Creates a fresh topic and writes `byPartition[p]` to partition p, in order. */
async function freshTopic(brokers: string, what: string, byPartition: readonly (readonly KafkaOutgoingMessage[])[]): Promise<string> {
  const topic = `watershed-matrix-${what}-${randomUUID()}`;
  const kafka = createKafkajsClientFactory({ brokers, logLevel: 'error' });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics([{ topic, partitions: byPartition.length }]);
  } finally {
    await admin.disconnect();
  }
  if (byPartition.some((ms) => ms.length > 0)) {
    const producer = kafka.producer();
    await producer.connect();
    try {
      for (let p = 0; p < byPartition.length; p++) {
        if (byPartition[p]!.length > 0) await producer.send(topic, byPartition[p]!.map((m) => ({ ...m, partition: p })));
      }
    } finally {
      await producer.disconnect();
    }
  }
  return topic;
}

interface Ev {
  id: number;
  user: string;
}

const N = 120;
const EVENTS: readonly Ev[] = Array.from({ length: N }, (_, id) => ({ id, user: `u${id % 7}` }));

/**
 * Event-time fixture, seconds after the run's base, per partition (partition 2 locally out of
 * order by 1 s, within maxOutOfOrderness 2 s). 10 s windows.
 */
const EVENT_SECONDS: readonly (readonly number[])[] = [
  [1, 2, 3, 11, 12, 25],
  [5, 15, 16, 17, 28, 29],
  [10.5, 9.5, 21, 23, 22, 24],
];

const roundTrip = defineCase({
  name: `round trip: a pipeline writes ${N} records to a fresh 3-partition topic, a bounded read gets the same multiset`,
  clock: 'system',
  async prepare(ctx) {
    const brokers = brokersOf(ctx);
    const topic = await freshTopic(brokers, 'roundtrip', [[], [], []]);
    const p = Pipeline.create({ runner: ctx.runner });
    p.apply('Events', Create([...EVENTS])).apply('Write', KafkaIO.write<Ev>({ brokers, topic, key: (e) => e.user }));
    const written = await p.run();
    return { brokers, topic, written };
  },
  build(p, { brokers, topic, written }: { brokers: string; topic: string; written: PipelineResult }) {
    const read = p.apply('Read', KafkaIO.read<Ev>({ brokers, topics: topic, startAt: 'earliest', bounded: true }));
    return { probe: read.apply(Capture.records()) as Probe<Ev>, written };
  },
  check({ out, result }) {
    const got = out.probe.values().map((e) => JSON.stringify(e)).sort();
    const expected = EVENTS.map((e) => JSON.stringify(e)).sort();
    return expectAll(
      eq('write pipeline state', out.written.state, 'DONE'),
      eq('records written (Write elementsIn)', out.written.metrics['Write']?.elementsIn, N),
      eq('records read back', got.length, N),
      eq('multiset read back', got, expected),
      eq('Read elementsOut', result.metrics['Read']?.elementsOut, N),
    );
  },
});

const eventTime = defineCase({
  name: 'event-time FixedWindows(10 s) over records with explicit timestamps in 3 partitions (per-partition watermarks): exact counts',
  notes: 'Record timestamps become event times; each partition has its own watermark (max seen - 2 s); a bounded read ends with the watermark at +inf, so every window fires once, ON_TIME.',
  clock: 'system',
  async prepare(ctx) {
    const brokers = brokersOf(ctx);
    // a recent, window-aligned base (the broker's retention is time-based); the report shows times relative to it
    const base = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
    const topic = await freshTopic(
      brokers,
      'eventtime',
      EVENT_SECONDS.map((ts, partition) => ts.map((s, i) => ({ value: JSON.stringify({ partition, i }), timestamp: base + s * 1000 }))),
    );
    return { brokers, topic, base };
  },
  build(p, { brokers, topic, base }: { brokers: string; topic: string; base: number }) {
    const probe = p
      .apply('Read', KafkaIO.read<{ partition: number; i: number }>({ brokers, topics: topic, startAt: 'earliest', bounded: true, watermark: { maxOutOfOrderness: seconds(2), idleTimeout: seconds(120) } }))
      .apply(Window.into(FixedWindows(seconds(10))))
      .apply(WithKeys((v: { partition: number }) => `p${v.partition}`))
      .apply('Count', Count.perKey())
      .apply(Capture.records());
    return { probe, base };
  },
  check({ out, result }) {
    const lines = out.probe.records
      .map((r) => {
        const w = r.window as IntervalWindow;
        const v = r.value as { key: string; value: number };
        return `[${w.start - out.base},${w.end - out.base}) ${r.pane.timing} #${r.pane.index}${r.pane.isLast ? ' last' : ''} ${v.key}=${v.value}`;
      })
      .sort();
    return expectAll(
      eq('lateDropped', result.metrics['Count']?.lateDropped ?? 0, 0),
      sameLines('panes (window relative to the base)', lines, [
        '[0,10000) ON_TIME #0 last p0=3',
        '[0,10000) ON_TIME #0 last p1=1',
        '[0,10000) ON_TIME #0 last p2=1',
        '[10000,20000) ON_TIME #0 last p0=2',
        '[10000,20000) ON_TIME #0 last p1=3',
        '[10000,20000) ON_TIME #0 last p2=1',
        '[20000,30000) ON_TIME #0 last p0=1',
        '[20000,30000) ON_TIME #0 last p1=2',
        '[20000,30000) ON_TIME #0 last p2=4',
      ]),
    );
  },
});

const BAD = 'not json {';

const deadLetter = defineCase({
  name: 'a malformed JSON record goes to the dead-letter output with its partition and offset; valid records are unaffected',
  clock: 'system',
  async prepare(ctx) {
    const brokers = brokersOf(ctx);
    const topic = await freshTopic(brokers, 'deadletter', [
      [{ key: 'k0', value: '{"id":1}' }, { key: 'k0', value: '{"id":2}' }],
      [{ key: 'k1', value: '{"id":3}' }, { key: 'k1', value: BAD }, { key: 'k1', value: '{"id":4}' }],
    ]);
    return { brokers, topic };
  },
  build(p, { brokers, topic }: { brokers: string; topic: string }) {
    const read = p.apply('Read', KafkaIO.read<{ id: number }>({ brokers, topics: topic, startAt: 'earliest', bounded: true }));
    return {
      topic,
      dead: read.deadLetters().apply('DeadProbe', Capture.records()),
      valid: read.apply('Ids', MapElements((e: { id: number }) => e.id)).apply('ValidProbe', Capture.records()),
    };
  },
  check({ out, result }) {
    const dead = out.dead.values() as DeadLetter[];
    const summary = dead.map((d) => {
      const e = d.element as KafkaDeadLetterRecord;
      const origin = d.origin ?? {};
      return {
        step: d.step,
        reason: d.reason,
        sameTopic: origin['topic'] === out.topic && e.topic === out.topic,
        partition: origin['partition'],
        offset: origin['offset'],
        recordPartition: e.partition,
        recordOffset: e.offset,
        raw: e.value === null ? null : Buffer.from(e.value, e.encoding).toString('utf8'),
      };
    });
    return expectAll(
      eq('valid ids', out.valid.sortedValues(), [1, 2, 3, 4]),
      eq('dead letters', summary, [{ step: 'Read', reason: 'malformed-json', sameTopic: true, partition: 1, offset: '1', recordPartition: 1, recordOffset: '1', raw: BAD }]),
      eq('Read deadLettered', result.metrics['Read']?.deadLettered, 1),
    );
  },
});

const emptyTopic = defineCase({
  name: 'edge: a bounded read of a topic with two empty partitions finishes, with no output and nothing dead-lettered',
  clock: 'system',
  async prepare(ctx) {
    const brokers = brokersOf(ctx);
    const topic = await freshTopic(brokers, 'empty', [[], []]);
    return { brokers, topic };
  },
  build(p, { brokers, topic }: { brokers: string; topic: string }) {
    return p.apply('Read', KafkaIO.read<{ id: number }>({ brokers, topics: topic, startAt: 'earliest', bounded: true })).apply('Probe', Capture.records());
  },
  check({ out, result }) {
    return expectAll(eq('state', result.state, 'DONE'), eq('records', out.records.length, 0), eq('Read deadLettered', result.metrics['Read']?.deadLettered ?? 0, 0));
  },
});

export const KAFKA: Capability = {
  id: 'ours.kafka',
  group: 'Ours',
  name: 'Kafka source and sink',
  source: SOURCE,
  description: 'Reading from and writing to Kafka topics (a real broker; bounded reads on the system clock).',
  requires: ['kafka'],
  cases: [roundTrip, eventTime, deadLetter, emptyTopic],
};
