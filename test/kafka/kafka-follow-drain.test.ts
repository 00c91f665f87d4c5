/**
 * Windows of a followed (unbounded) Kafka read (issue #12, point 9): an idle partition stops
 * holding the watermark back after `idleTimeout`, so windows behind the newest event time fire while
 * the read goes on; the last windows, which only newer event time could close, fire when the read is
 * drained (`drain`, Ctrl-C in the CLI), and the run then ends DONE with everything written.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateNetflow } from '../../pipelines/netflow/generator.js';
import { readNetflowEventTime } from '../../pipelines/netflow/netflow-event-time.js';
import { buildNetflowApp, summarizeNetflowRun } from '../../pipelines/netflow/netflow-app.js';
import { parseFlow } from '../../pipelines/netflow/parse-flow.js';
import { referencePairs } from '../../pipelines/netflow/reference.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture } from '../../sdk/testing/capture.js';
import { seconds } from '../../sdk/time.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { KafkaIO, type KafkaOutgoingMessage } from '../../transforms/io/kafka/index.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { background, until } from '../support/background-run.js';
import { RUNNERS } from '../support/runners.js';
import { kafkaDescribe } from './kafka-test-env.js';
import { kafkaTestTopics } from './kafka-test-topics.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BASE = 1_700_000_000_000;

kafkaDescribe('a followed Kafka read: idle partitions, and drain', (env) => {
  const k = kafkaTestTopics(env);
  const createTopic = (what: string, partitions = 3): Promise<string> => k.newTopic(`watershed-follow-${what}`, partitions);
  const produce = (topic: string, messages: KafkaOutgoingMessage[]): Promise<void> => k.produce(topic, messages);
  const netflowRaw = [...generateNetflow({ seed: 5, count: 1200, eventsPerSecond: 400, sourceIps: 20, ipv6Share: 0.02, malformedShare: 0.01 })].map((e) => e.raw);
  // Malformed records have no readable event time: the Kafka read dead-letters them; the rest reach the job.
  const readable = netflowRaw.filter((r) => readNetflowEventTime(r).ok).length;
  const netflowPairs = (() => {
    const records = netflowRaw.map((r) => parseFlow(r)).flatMap((r) => (r.ok ? [r.record] : []));
    let n = 0;
    for (const pairs of referencePairs(records).values()) n += pairs.length;
    return n;
  })();

  describe.each(RUNNERS)('on $label', ({ options }) => {
    it('windows behind the newest event time fire while following (two of three partitions idle); the last one fires on drain', async () => {
      const topic = await createTopic('idle');
      // only partition 0 has data; event times 1 s .. 25 s: windows [0,10) and [10,20) are complete
      await produce(topic, [1, 5, 12, 15, 25].map((s) => ({ value: JSON.stringify({ s }), partition: 0, timestamp: BASE + s * 1000 })));
      const drain = new AbortController();
      const p = Pipeline.create(options);
      const probe = p
        .apply('Read', KafkaIO.read<{ s: number }>({ brokers: env.brokers, topics: topic, startAt: 'earliest', drain: drain.signal, watermark: { maxOutOfOrderness: 0, idleTimeout: 500 } }))
        .apply(Window.into(FixedWindows(seconds(10))))
        .apply(WithKeys(() => 'all'))
        .apply('Count', Count.perKey())
        .apply(Capture.records());
      const line = (r: (typeof probe.records)[number]): string => `${(r.window as unknown as { start: number }).start - BASE} ${r.pane.timing} ${(r.value as { value: number }).value}`;
      const { run, done } = background(p);
      try {
        await until(() => probe.records.length >= 2, run, 60_000, 'the windows before the newest event time');
        // the window of the newest record cannot close without newer event time
        expect(probe.records.map(line)).toEqual(['0 ON_TIME 2', '10000 ON_TIME 2']);
      } finally {
        drain.abort();
        await done;
      }
      expect(run.error).toBeUndefined();
      expect(run.result?.state).toBe('DONE');
      expect(probe.records.map(line)).toEqual(['0 ON_TIME 2', '10000 ON_TIME 2', '20000 ON_TIME 1']);
    }, 120_000);

    it('the Netflow job following a topic (one window, like scenario 1) writes every pair when drained', async () => {
      const topic = await createTopic('netflow');
      await produce(topic, netflowRaw.map((value) => ({ value })));
      const drain = new AbortController();
      const p = Pipeline.create(options);
      const config = { input: { kind: 'kafka', topic }, output: { kind: 'stdout-summary' }, job: {}, kafka: { brokers: env.brokers, follow: true, drain: drain.signal } } as const;
      const handles = buildNetflowApp(p, config);
      const { run, done } = background(p);
      try {
        await until(() => (handles.kafkaReadStats?.recordsRead ?? 0) + (handles.kafkaReadStats?.deadLettered ?? 0) >= netflowRaw.length, run, 60_000, 'every record to be read');
      } finally {
        drain.abort();
        await done;
      }
      expect(run.error).toBeUndefined();
      expect(run.result?.state).toBe('DONE');
      const summary = summarizeNetflowRun(p, config, handles, run.result!, { userMs: 0, systemMs: 0 });
      expect(readable).toBeLessThan(netflowRaw.length);
      expect(summary.eventsIn).toBe(readable);
      expect(summary.eventsIn + Object.values(summary.sourceRejected).reduce((a, b) => a + b, 0)).toBe(netflowRaw.length);
      expect(netflowPairs).toBeGreaterThan(1000);
      expect(summary.pairs.pairs).toBe(netflowPairs);
    }, 120_000);
  });

  it('CLI: --follow, then Ctrl-C (SIGINT) drains: exit 0 and every pair in the output file', async () => {
    const topic = await createTopic('cli');
    await produce(topic, netflowRaw.map((value) => ({ value })));
    const dir = mkdtempSync(join(tmpdir(), 'watershed-follow-'));
    try {
      const out = join(dir, 'pairs.ndjson');
      const stats = join(dir, 'stats.json');
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'bin/watershed.ts', `--input=kafka:${topic}`, '--follow', `--brokers=${env.brokers}`, `--output=ndjson:${out}`, `--statsOut=${stats}`, '--quiet', '--runner=microbatch', '--progress'],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      let rows = 0;
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        rows = [...stderr.matchAll(/^\[microbatch\] batch \d+: (\d+) rows/gm)].reduce((n, m) => n + Number(m[1]), 0);
      });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      const state = { settled: false, error: undefined as unknown };
      void exited.then(() => (state.settled = true));
      try {
        await until(() => rows >= readable, { get settled() { return state.settled; }, error: stderr }, 90_000, 'the CLI to read every record');
      } catch (e) {
        child.kill('SIGKILL');
        throw e;
      }
      child.kill('SIGINT');
      const code = await exited;
      expect(code, stderr).toBe(0);
      expect(stderr).toContain('[watershed] draining: the input stops, every open window fires and its output is written');
      const summary = JSON.parse(readFileSync(stats, 'utf8')) as { eventsIn: number; sourceRejected: Record<string, number>; pairs: { pairs: number } };
      expect(summary.eventsIn).toBe(readable);
      expect(summary.eventsIn + Object.values(summary.sourceRejected).reduce((a, b) => a + b, 0)).toBe(netflowRaw.length);
      expect(summary.pairs.pairs).toBe(netflowPairs);
      expect(readFileSync(out, 'utf8').split('\n').filter((l) => l !== '').length).toBe(netflowPairs);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
