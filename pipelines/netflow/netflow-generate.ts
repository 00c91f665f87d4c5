import type { Pipeline } from '../../sdk/pipeline.js';
import { KafkaIO, type KafkaSecurityOptions } from '../../transforms/io/kafka/index.js';
import { TextFile } from '../../transforms/io/text-file.js';
import type { NetflowGeneratorOptions } from './generator.js';
import { GeneratorStats, NetflowGenerator } from './io/generator-source.js';

/** Where `generate` writes the generator's Netflow JSON lines. */
export type GenerateOutput =
  | { readonly kind: 'ndjson'; readonly path: string }
  | { readonly kind: 'kafka'; readonly topic: string; readonly brokers: string; readonly security?: KafkaSecurityOptions };

/**
 * The input side of the seed's setup as a pipeline: the built-in generator's Netflow events (the same
 * lines, IPv6 and malformed ones included, that the job reads from it) written to an NDJSON file, one
 * per line, or to a Kafka topic, one record per event with the line as value (no key, so records
 * spread over the partitions). Run the pipeline, then read the counts from the returned stats.
 * @example
 * const stats = buildGenerateApp(p, scenarioOptions(1), { kind: 'kafka', topic: 'netflow', brokers: '127.0.0.1:19092' });
 * await p.run(); console.log(stats.events);
 */
export function buildGenerateApp(p: Pipeline, generator: NetflowGeneratorOptions, output: GenerateOutput): GeneratorStats {
  const stats = new GeneratorStats();
  const lines = p.apply('Generator', NetflowGenerator.read(generator, stats));
  if (output.kind === 'ndjson') lines.apply('WriteEvents', TextFile.write<string>(output.path, (line) => line));
  else lines.apply('WriteEventsToKafka', KafkaIO.write<string>({ brokers: output.brokers, ...output.security, topic: output.topic, serializer: (line) => line }));
  return stats;
}
