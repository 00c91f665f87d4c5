/**
 * The windowed-count job the SIGKILL harness (./crash-harness.ts) kills, as a command:
 *
 *   node --import tsx test/crash/windowed-count-job.ts --input=kafka:<topic>|ndjson:<path>
 *     --output=kafka:<topic>|ndjson:<path> [--brokers=host:port] [pipeline flags: --runner, --checkpointDir, ...]
 *
 * Events `{k, ts}` (./windowed-count-input.ts) in fixed windows of 10 s with early panes (every 2
 * elements of a key), the on-time pane, and late panes (every late element; allowed lateness 10 s),
 * accumulating, counted per key; each pane is written as one JSON record `{key, window, timing,
 * index, onTimeIndex, count}` to a Kafka topic (keyed by `key`) or as a line of a TextFile sink.
 * Event time is `ts`; the watermark is the largest `ts` read so far (no out-of-orderness allowance),
 * so events of an earlier window arrive late. With `--checkpointDir` the run checkpoints and resumes
 * (exactly-once sinks). Exits 0 when the run ends, 1 when it fails, 2 on a bad command line.
 */
import '../../runners/index.js';
import { PipelineOptionsError } from '../../sdk/errors.js';
import type { FlagSpecs } from '../../sdk/flags.js';
import type { KV } from '../../sdk/kv.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { PCollection } from '../../sdk/pcollection.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { formatWindow } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { KafkaIO } from '../../transforms/io/kafka/index.js';
import { TextFile } from '../../transforms/io/text-file.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { COUNT_WINDOW_MS, type CountEvent } from './windowed-count-input.js';

const FLAGS = {
  input: { type: 'string', value: 'kafka:<topic>|ndjson:<path>', help: 'the events (required)' },
  output: { type: 'string', value: 'kafka:<topic>|ndjson:<path>', help: 'the panes (required)' },
  brokers: { type: 'string', value: '<host:port>', help: 'Kafka brokers (for kafka: input or output)' },
} as const satisfies FlagSpecs;

/** One fired pane, as written. */
export interface CountPane {
  readonly key: string;
  readonly window: string;
  readonly timing: string;
  readonly index: number;
  readonly onTimeIndex: number;
  readonly count: number;
}

type Endpoint = { readonly kind: 'kafka'; readonly topic: string } | { readonly kind: 'ndjson'; readonly path: string };

function endpoint(flag: string, text: string | undefined): Endpoint {
  const m = /^(kafka|ndjson):(.+)$/.exec(text ?? '');
  if (!m) throw new PipelineOptionsError(`--${flag}=${text ?? ''}: use kafka:<topic> or ndjson:<path>`);
  return m[1] === 'kafka' ? { kind: 'kafka', topic: m[2]! } : { kind: 'ndjson', path: m[2]! };
}

async function main(argv: readonly string[]): Promise<void> {
  const p = Pipeline.create(argv, { flags: FLAGS, program: 'windowed-count-job' });
  const { args } = p.options;
  const input = endpoint('input', args.input);
  const output = endpoint('output', args.output);
  const brokers = args.brokers ?? process.env['KAFKA_BROKERS'];
  if ((input.kind === 'kafka' || output.kind === 'kafka') && !brokers) throw new PipelineOptionsError('kafka: input or output needs --brokers');

  const events: PCollection<CountEvent> =
    input.kind === 'kafka'
      ? p.apply(
          'Events',
          KafkaIO.read<CountEvent>({
            brokers: brokers!,
            topics: input.topic,
            startAt: 'earliest',
            bounded: true,
            timestamp: (e) => e.ts,
            // One partition, never idle for long in these runs: the watermark is the largest ts so far.
            watermark: { maxOutOfOrderness: 0, idleTimeout: 600_000 },
          }),
        )
      : p.apply('Events', TextFile.ndjson<CountEvent>(input.path, { timestamp: (e) => e.ts, watermark: { maxOutOfOrderness: 0 } }));

  const panes = events
    .apply(
      'Window',
      Window.into<CountEvent>(FixedWindows(COUNT_WINDOW_MS))
        .triggering(AfterWatermark().withEarlyFirings(AfterCount(2)).withLateFirings(AfterCount(1)))
        .withAllowedLateness(COUNT_WINDOW_MS)
        .accumulatingFiredPanes(),
    )
    .apply('Keyed', WithKeys((e: CountEvent) => e.k))
    .apply('Count', Count.perKey<string>())
    .apply(
      'Pane',
      ParDo<KV<string, number>, CountPane>({
        process(c, ctx) {
          ctx.output({ key: c.key, window: formatWindow(ctx.window), timing: ctx.pane.timing, index: ctx.pane.index, onTimeIndex: ctx.pane.nonSpeculativeIndex, count: c.value });
        },
      }),
    );
  if (output.kind === 'kafka') panes.apply('Out', KafkaIO.write<CountPane>({ brokers: brokers!, topic: output.topic, key: (c) => c.key }));
  else panes.apply('Out', TextFile.write<CountPane>(output.path));

  await p.run(); // warnings (a corrupt checkpoint skipped, ...) go to stderr from the checkpoint coordinator
}

try {
  await main(process.argv.slice(2));
} catch (e) {
  if (e instanceof PipelineOptionsError) {
    process.stderr.write(`${e.name}: ${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
}
