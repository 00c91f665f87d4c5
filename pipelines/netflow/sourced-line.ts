/**
 * Where a raw Netflow line came from: a file and its 1-based line number, or a Kafka record's
 * topic, partition and offset (int64 as decimal text).
 */
export type LineOrigin =
  | { readonly file: string; readonly line: number }
  | { readonly topic: string; readonly partition: number; readonly offset: string };

/**
 * A raw Netflow JSON line and where it came from: what the app's file and Kafka readers emit, so
 * that a record the job rejects or drops as late can be traced back to its input. The origin is
 * one small object made by the reader; the job keeps it on the parsed flow, the text it drops.
 * @example const l: SourcedLine = { text: '{"eventid":1,...}', origin: { file: 'flows.ndjson', line: 7 } };
 */
export interface SourcedLine {
  readonly text: string;
  readonly origin: LineOrigin;
}

/** What the Netflow job reads: a raw line, with its origin when the reader knows it. */
export type NetflowLine = string | SourcedLine;

/** The text of a line. */
export function lineText(line: NetflowLine): string {
  return typeof line === 'string' ? line : line.text;
}

/** The origin of a line, or undefined for a bare string (e.g. from the generator). */
export function lineOrigin(line: NetflowLine): LineOrigin | undefined {
  return typeof line === 'string' ? undefined : line.origin;
}

/** True for a {@link SourcedLine}-shaped value (e.g. the element of a dead letter). */
export function isSourcedLine(v: unknown): v is SourcedLine {
  return typeof v === 'object' && v !== null && typeof (v as SourcedLine).text === 'string' && typeof (v as SourcedLine).origin === 'object' && (v as SourcedLine).origin !== null;
}
