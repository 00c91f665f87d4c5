// Network talkers over real connection logs (Zeek conn.log or Suricata EVE JSON, from a file or a
// Kafka topic), on either runner:
// - per source host, sessions with a 30 s gap: connections, bytes and distinct destination ports, with
//   EARLY panes (every 100 connections or 5 s of processing time), the ON_TIME pane, and a LATE pane per
//   late connection up to 1 min of allowed lateness, accumulating; what comes later goes to --late;
// - the top 10 talkers by bytes in sliding windows of 1 min every 10 s (on time; late bytes go to --late).
// Which connections are late depends on the watermark (--maxOutOfOrderness, default 10 s; Zeek writes
// its log up to hours out of event order) and on where it moves: after each bundle (native,
// --bundleSize) or batch (micro-batch), so the late output differs between runners and settings.
//
//   npm run example:run -- pipelines/examples/network-talkers.ts --runner=native --input=zeek:../shared/data/zeek-conn-mixed.log
//   npm run example:run -- pipelines/examples/network-talkers.ts --runner=microbatch --input=eve:../shared/data/suricata-eve-flows.json
//
// Kafka: `--copyTo=kafka:conns` writes the input's connections to a topic (keyed by source host) and stops;
// `--input=kafka:conns --sessions=kafka:sessions --top=kafka:top --checkpointDir=ck` then runs the job
// topic to topic, exactly once (transactions committed with each checkpoint; kill it and run the same
// command again to resume). `--follow` keeps reading the topic (Ctrl-C stops at a final checkpoint).
import 'watershed/runners'; // registers --runner=native and --runner=microbatch
import {
  AfterCount, AfterFirst, AfterProcessingTime, AfterWatermark, DefaultTrigger, GlobalWindows, Pipeline, Sessions, SlidingWindows,
  PipelineOptionsError, exitOnUsageError, formatWindow, minutes, parseDuration, seconds, type CombineFn, type FlagSpecs, type KV, type PCollection,
} from 'watershed/sdk';
import { Combine, Flatten, MapElements, ParDo, Sum, Top, Window, WithKeys } from 'watershed/transforms';
import { FileOutputSet, TextFile } from 'watershed/io/text-file';
import { KafkaIO } from 'watershed/io/kafka';
import { connDeserializer, eveConns, zeekConns, type Conn, type ConnInput } from './conn-readers.js';

const FLAGS = {
  input: { type: 'string', value: 'zeek:<conn.log>|eve:<eve.json>|kafka:<topic>', help: 'the connections (required)' },
  sessions: { type: 'string', value: 'ndjson:<path>|kafka:<topic>', help: 'the session panes (default ndjson:network-sessions.ndjson)' },
  top: { type: 'string', value: 'ndjson:<path>|kafka:<topic>', help: 'the top talkers per window (default ndjson:network-top.ndjson)' },
  late: { type: 'string', value: 'ndjson:<path>|kafka:<topic>', help: 'connections too late for their session (default ndjson:network-late.ndjson)' },
  deadLetters: { type: 'string', value: 'ndjson:<path>|kafka:<topic>', help: 'records that could not be read (default ndjson:network-dead.ndjson)' },
  copyTo: { type: 'string', value: 'kafka:<topic>', help: 'only copy the input connections to a topic' },
  brokers: { type: 'string', value: '<host:port>', help: 'Kafka brokers (default $KAFKA_BROKERS, else 127.0.0.1:19092)' },
  follow: { type: 'boolean', help: 'keep reading a Kafka input after its end' },
  maxOutOfOrderness: { type: 'string', value: '<duration>', help: 'how far event time may go back before records are late (default 10s)' },
} as const satisfies FlagSpecs;

/** `kind:rest` → [kind, rest]; refuses a spec without a known kind. */
function target(flag: string, spec: string, kinds: readonly string[]): [string, string] {
  const i = spec.indexOf(':');
  const kind = spec.slice(0, i);
  if (i < 0 || !kinds.includes(kind)) throw new PipelineOptionsError(`--${flag}=${spec}: expected ${kinds.map((k) => `${k}:...`).join(' or ')}`);
  return [kind, spec.slice(i + 1)];
}

// --help prints the flags and exits 0; a mistake on the command line is one line and exit code 2.
let p: ReturnType<typeof Pipeline.create<typeof FLAGS>>;
let input: [string, string];
let maxOutOfOrderness: number;
try {
  p = Pipeline.create(process.argv.slice(2), { flags: FLAGS, program: 'network-talkers.ts' });
  if (p.options.args.input === undefined) throw new PipelineOptionsError('--input is required (zeek:<conn.log>, eve:<eve.json> or kafka:<topic>)');
  input = target('input', p.options.args.input, ['zeek', 'eve', 'kafka']);
  maxOutOfOrderness = parseDuration(p.options.args.maxOutOfOrderness ?? '10s', 'maxOutOfOrderness');
} catch (e) {
  exitOnUsageError(e);
  throw e;
}
const { args } = p.options;
const brokers = args.brokers ?? process.env['KAFKA_BROKERS'] ?? '127.0.0.1:19092';

// The output files of one run are replaced together, once all are complete, or not at all (a failed run
// leaves the previous run's files as they were, never a mix of two runs).
const files = new FileOutputSet();
function write<T>(step: string, pc: PCollection<T>, flag: string, spec: string, key?: (t: T) => string): void {
  const [kind, where] = target(flag, spec, ['ndjson', 'kafka']);
  if (kind === 'kafka') pc.apply(step, KafkaIO.write<T>({ brokers, topic: where, ...(key ? { key } : {}) }));
  else pc.apply(step, TextFile.write(where, undefined, undefined, { publishWith: files }));
}

const [kind, where] = input;
function kafkaConns(): ConnInput {
  const conns = p.apply('Conns', KafkaIO.read<Conn>({
    brokers, topics: where, startAt: 'earliest', bounded: !args.follow,
    deserializer: connDeserializer, // a record that is not a Conn is a dead letter, never summed as text
    timestamp: (c) => c.ts, watermark: { maxOutOfOrderness },
  }));
  return { conns, deadLetters: conns.deadLetters() };
}
const { conns, deadLetters } =
  kind === 'kafka' ? kafkaConns() : kind === 'zeek' ? zeekConns(p, 'Conns', where, maxOutOfOrderness) : eveConns(p, 'Conns', where, maxOutOfOrderness);
write('WriteDeadLetters', deadLetters, 'deadLetters', args.deadLetters ?? 'ndjson:network-dead.ndjson');

if (args.copyTo !== undefined) {
  write('CopyTo', conns, 'copyTo', args.copyTo, (c) => c.src);
} else {
  // Per host and session: connections, bytes, distinct destination ports (the ports as object keys:
  // accumulators are checkpointed, so they are plain data).
  interface SessionAcc { count: number; bytes: number; ports: Record<number, true> }
  interface SessionStats { readonly count: number; readonly bytes: number; readonly distinctPorts: number }
  const sessionStats: CombineFn<Conn, SessionAcc, SessionStats> = {
    createAccumulator: () => ({ count: 0, bytes: 0, ports: {} }),
    addInput(acc, c) {
      acc.count += 1;
      acc.bytes += c.bytes;
      acc.ports[c.dport] = true;
      return acc;
    },
    mergeAccumulators(accs) {
      const merged: SessionAcc = { count: 0, bytes: 0, ports: {} };
      for (const a of accs) {
        merged.count += a.count;
        merged.bytes += a.bytes;
        Object.assign(merged.ports, a.ports);
      }
      return merged;
    },
    extractOutput: (acc) => ({ count: acc.count, bytes: acc.bytes, distinctPorts: Object.keys(acc.ports).length }),
  };

  const sessions = conns
    .apply('Sessions', Window.into(Sessions(seconds(30)))
      .triggering(AfterWatermark()
        .withEarlyFirings(AfterFirst(AfterCount(100), AfterProcessingTime.pastFirstElementInPane().plusDelayOf(seconds(5))))
        .withLateFirings(AfterCount(1)))
      .withAllowedLateness(minutes(1))
      .accumulatingFiredPanes())
    .apply('BySource', WithKeys((c: Conn) => c.src))
    .apply('SessionStats', Combine.perKey(sessionStats));
  const sessionRows = sessions.apply('FormatSession', ParDo({
    process(s: KV<string, SessionStats>, ctx) {
      return { host: s.key, session: formatWindow(ctx.window), pane: ctx.pane.timing, paneIndex: ctx.pane.index, ...s.value };
    },
  }));
  write('WriteSessions', sessionRows, 'sessions', args.sessions ?? 'ndjson:network-sessions.ndjson', (r) => r.host);

  const byBytes = (a: KV<string, number>, b: KV<string, number>) => a.value - b.value || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0);
  const bytesPerHost = conns
    .apply('Sliding', Window.into(SlidingWindows(minutes(1), seconds(10))))
    .apply('BytesBySource', MapElements((c: Conn): KV<string, number> => ({ key: c.src, value: c.bytes })))
    .apply('BytesPerHost', Sum.perKey<string>());
  const top = bytesPerHost
    .apply('Top10', Top.of(10, byBytes).globally().withoutDefaults())
    .apply('FormatTop', ParDo({
      process(talkers: KV<string, number>[], ctx) {
        return { window: formatWindow(ctx.window), top: talkers.map((t) => ({ host: t.key, bytes: t.value })) };
      },
    }));
  write('WriteTop', top, 'top', args.top ?? 'ndjson:network-top.ndjson');

  // Late data of both aggregations, one record each with the step that dropped it: the connections past
  // a session's allowed lateness, and the bytes of connections that came after their sliding window fired
  // (its default trigger fires once, on time; late firings would make Top count a host twice).
  interface Late { readonly step: string; readonly src: string; readonly ts: number; readonly bytes: number; readonly window: string; readonly reason: string }
  const lateSessions = sessions.lateData<KV<string, Conn>>()
    .apply('FormatLateSessions', MapElements((r): Late => ({ step: r.step, src: r.value.key, ts: r.timestamp, bytes: r.value.value.bytes, window: r.window, reason: r.reason })));
  const lateTop = bytesPerHost.lateData<KV<string, number>>()
    .apply('FormatLateTop', MapElements((r): Late => ({ step: r.step, src: r.value.key, ts: r.timestamp, bytes: r.value.value, window: r.window, reason: r.reason })));
  // A late-data output keeps its aggregation's windowing (windows, trigger, lateness, accumulation), and
  // Flatten takes inputs of one windowing: both go back to the global window with the default trigger.
  const global = (step: string, late: PCollection<Late>) =>
    late.apply(step, Window.into(GlobalWindows()).triggering(DefaultTrigger()).withAllowedLateness(0).discardingFiredPanes());
  write('WriteLate', global('LateSessionsGlobal', lateSessions).apply('AllLate', Flatten.with(global('LateTopGlobal', lateTop))), 'late', args.late ?? 'ndjson:network-late.ndjson', (l) => l.src);
}

let result;
try {
  result = await p.run();
  await files.publish();
} catch (e) {
  await files.discard();
  throw e;
}
console.log(`${result.state} on the ${result.runner} runner`);
