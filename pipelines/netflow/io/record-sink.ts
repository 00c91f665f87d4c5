import type { PCollection } from '../../../sdk/pcollection.js';
import type { PTransform } from '../../../sdk/ptransform.js';
import { KafkaIO, type KafkaSecurityOptions } from '../../../transforms/io/kafka/index.js';
import { TextFile, type FileOutputSet } from '../../../transforms/io/text-file.js';

/** Where a side output of the app (dead letters, late records) goes: an NDJSON file or a Kafka topic. */
export type RecordSink = { readonly kind: 'ndjson'; readonly path: string } | { readonly kind: 'kafka'; readonly topic: string };

/**
 * Parses `ndjson:<path>` (`ndjson:-`: stdout) or `kafka:<topic>` given to `--<flag>`.
 * @throws Error naming the flag otherwise.
 * @example parseRecordSink('deadLetters', 'ndjson:out/dead.ndjson') // { kind: 'ndjson', path: 'out/dead.ndjson' }
 */
export function parseRecordSink(flag: string, text: string): RecordSink {
  if (text.startsWith('ndjson:') && text.length > 7) return { kind: 'ndjson', path: text.slice(7) === '-' ? '/dev/stdout' : text.slice(7) };
  if (text.startsWith('kafka:') && text.length > 6) return { kind: 'kafka', topic: text.slice(6) };
  throw new Error(`--${flag}=${text}: use ndjson:<path> or kafka:<topic>`);
}

/** `ndjson <path>` or `kafka topic <topic>`, for summaries. */
export function describeRecordSink(s: RecordSink): string {
  return s.kind === 'ndjson' ? `ndjson ${s.path}` : `kafka topic ${s.topic}`;
}

/**
 * Writes each element as one JSON record: a line of the file (TextFile.write; a regular file joins
 * `publishWith` when given) or a record of the topic (KafkaIO.write, JSON value, no key). `brokers`
 * is asked for only for a Kafka sink.
 */
export function writeRecords<T>(
  sink: RecordSink,
  connection: () => { readonly brokers: string; readonly brokerOutageTimeoutMs?: number } & KafkaSecurityOptions,
  publishWith?: FileOutputSet,
): PTransform<PCollection<T>, PCollection<never>> {
  return sink.kind === 'ndjson' ? TextFile.write<T>(sink.path, undefined, undefined, { publishWith }) : KafkaIO.write<T>({ ...connection(), topic: sink.topic });
}
