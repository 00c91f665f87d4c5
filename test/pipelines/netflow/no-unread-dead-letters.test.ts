import { describe, expect, it } from 'vitest';
import { buildExample } from '../../../bin/example-command.js';
import { buildNetflowApp, type NetflowAppConfig, type NetflowInput } from '../../../pipelines/netflow/netflow-app.js';
import type { RecordSink } from '../../../pipelines/netflow/io/record-sink.js';
import { Pipeline } from '../../../sdk/pipeline.js';

/** Steps with a dead-letter output that no step reads: their dead letters would be counted and lost. */
function unreadDeadLetters(p: Pipeline): string[] {
  const g = p.graph();
  const read = new Set<unknown>();
  for (const n of g.primitives) for (const pc of [...n.inputs, ...n.sideInputs.map((v) => v.pcollection)]) read.add(pc);
  return g.primitives.filter((n) => n.outputs['deadLetter'] !== undefined && !read.has(n.outputs['deadLetter'])).map((n) => n.fullName);
}

/**
 * With --deadLetters, every dead letter of the Netflow app reaches it: the read's, the job's and the
 * output steps' (a Kafka sink's record-too-large, a file sink's unencodable); only the dead-letter sink's own stay unread. Before,
 * WritePairsToKafka, WriteLate and the generator's read were not read. The example prints its read's.
 */
describe('no step of the Netflow app or the example sends dead letters nowhere', () => {
  const inputs: NetflowInput[] = [{ kind: 'generator', options: { count: 10 } }, { kind: 'ndjson', path: 'in.ndjson' }, { kind: 'kafka', topic: 'in' }];
  const sinks: RecordSink[] = [{ kind: 'ndjson', path: 'x.ndjson' }, { kind: 'kafka', topic: 'x' }];
  for (const input of inputs) {
    for (const sink of sinks) {
      it(`input ${input.kind}, outputs to ${sink.kind}`, () => {
        const p = Pipeline.create({});
        const config: NetflowAppConfig = {
          input,
          output: sink.kind === 'kafka' ? { kind: 'kafka', topic: 'pairs' } : { kind: 'ndjson', path: 'pairs.ndjson' },
          job: {},
          kafka: { brokers: '127.0.0.1:1' },
          deadLetters: sink.kind === 'kafka' ? { kind: 'kafka', topic: 'dead' } : { kind: 'ndjson', path: 'dead.ndjson' },
          lateOutput: sink.kind === 'kafka' ? { kind: 'kafka', topic: 'late' } : { kind: 'ndjson', path: 'late.ndjson' },
        };
        buildNetflowApp(p, config);
        // The dead-letter sink's own (a Kafka record over the limit, a file line that cannot be encoded) are counted in the summary.
        expect(unreadDeadLetters(p)).toEqual(['WriteDeadLetters']);
      });
    }
  }

  it('the example command', () => {
    const p = Pipeline.create({});
    buildExample(p, 10);
    expect(unreadDeadLetters(p)).toEqual([]);
  });
});
