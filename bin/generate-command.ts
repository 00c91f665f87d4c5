/**
 * `npm start -- generate --output=kafka:<topic>|ndjson:<path> [generator flags]`: writes the built-in
 * generator's Netflow events to a Kafka topic or an NDJSON file (the input side of the seed's setup),
 * with the same generator flags as the netflow command (`--scenario=1`, `--seed`, `--count`, ...).
 */
import { match } from 'ts-pattern';
import { PipelineOptionsError } from '../sdk/errors.js';
import { Pipeline } from '../sdk/pipeline.js';
import { generatorOptionsOf } from '../pipelines/netflow/netflow-app.js';
import { buildGenerateApp, type GenerateOutput } from '../pipelines/netflow/netflow-generate.js';
import type { FlagSpecs } from '../sdk/flags.js';
import { netflowConfigFromArgs } from './netflow-command.js';
import { GENERATOR_FLAGS, KAFKA_SECURITY_FLAGS, NETFLOW_IO_FLAGS } from './netflow-flags.js';
import { writesToStdout } from '../transforms/io/file-sink-target.js';
import { checkWritablePath } from './writable-path.js';

/** Flags of `generate` besides the pipeline's. */
export const GENERATE_FLAGS = {
  output: { type: 'string', value: 'kafka:<topic>|ndjson:<path>', help: 'where the events go (required)' },
  brokers: NETFLOW_IO_FLAGS.brokers,
  ...KAFKA_SECURITY_FLAGS,
  ...GENERATOR_FLAGS,
} as const satisfies FlagSpecs;

/** The generator settings and the output of a `generate` command line. @throws PipelineOptionsError for a missing or unusable output. */
export function generateConfigFromArgs(flags: readonly string[]): { generator: ReturnType<typeof generatorOptionsOf>; output: GenerateOutput } {
  let config;
  try {
    config = netflowConfigFromArgs(flags);
  } catch (e) {
    throw e instanceof PipelineOptionsError ? e : new PipelineOptionsError((e as Error).message);
  }
  if (config.input.kind !== 'generator') throw new PipelineOptionsError('generate writes the built-in generator; --input does not apply');
  const kafka = config.kafka;
  const output = match(config.output)
    .returnType<GenerateOutput>()
    .with({ kind: 'ndjson' }, (out) => ({ kind: 'ndjson', path: out.path }))
    .with({ kind: 'kafka' }, (out) => {
      if (!kafka?.brokers) throw new PipelineOptionsError('--output=kafka:<topic> needs --brokers=host:port (or KAFKA_BROKERS; npm run kafka:start prints it)');
      return { kind: 'kafka', topic: out.topic, brokers: kafka.brokers, ...(kafka.security ? { security: kafka.security } : {}) };
    })
    .with({ kind: 'stdout-summary' }, () => {
      throw new PipelineOptionsError('generate needs --output=kafka:<topic> or --output=ndjson:<path>');
    })
    .exhaustive();
  return { generator: generatorOptionsOf(config.input), output };
}

/** Runs `generate`; prints how many events went where. */
export async function generateCommand(flags: readonly string[]): Promise<void> {
  const { generator, output } = generateConfigFromArgs(flags);
  // A file that cannot be written (a directory, a file in the way of its folder) is refused before the run.
  if (output.kind === 'ndjson' && !writesToStdout(output.path)) checkWritablePath(output.path, '', `--output=ndjson:${output.path}`);
  const p = Pipeline.create(flags, { flags: GENERATE_FLAGS, program: 'generate' });
  const stats = buildGenerateApp(p, generator, output);
  const result = await p.run();
  const where = output.kind === 'kafka' ? `Kafka topic ${output.topic} (${output.brokers})` : output.path;
  const kinds = Object.entries(stats.kinds)
    .map(([k, n]) => `${k} ${n.toLocaleString('en-US')}`)
    .join(', ');
  // Events written to stdout keep it to themselves: the report goes to stderr then.
  (output.kind === 'ndjson' && writesToStdout(output.path) ? console.error : console.log)(`wrote ${stats.events.toLocaleString('en-US')} Netflow events (${kinds}) to ${where} in ${result.finishedAt - result.startedAt} ms`);
}
