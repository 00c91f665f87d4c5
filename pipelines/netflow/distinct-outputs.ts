import { OutputsCollideError, PipelineOptionsError } from '../../sdk/errors.js';
import { sameFile } from '../../transforms/io/same-file.js';
import type { NetflowInput } from './netflow-app.js';
import type { OutputFile } from './output-not-input.js';

/** Two outputs of one run name the same file (moved to the sdk, where `Pipeline.run()` refuses it too). */
export { OutputsCollideError };

/**
 * A Kafka output that is the input topic: the run would write its results (pairs, dead letters, late
 * records) among the events it reads (and a followed read would read them back). Nothing was run or written.
 */
export class OutputIsInputTopicError extends PipelineOptionsError {
  constructor(
    readonly topic: string,
    what: string,
  ) {
    super(`${what} is the input topic ${topic}: the run would write its results among its own input events. Choose another topic.`);
  }
}

/** A topic a run writes, and how to name it in a message (e.g. `--deadLetters=kafka:dead`). */
export interface OutputTopic {
  readonly topic: string;
  readonly what: string;
}

/**
 * Refuses, before anything is opened, outputs that name the same file as another output of the run
 * (however spelt, through a symbolic or hard link, `/dev/stdout` twice; see {@link sameFile}).
 * @throws OutputsCollideError naming the first two such outputs.
 * @example refuseSharedOutputs([{ path: 'a.ndjson', what: '--output=ndjson:a.ndjson' }, { path: './a.ndjson', what: '--deadLetters=ndjson:./a.ndjson' }]) // throws
 */
export function refuseSharedOutputs(outputs: readonly OutputFile[]): void {
  for (let i = 0; i < outputs.length; i++) {
    for (let j = i + 1; j < outputs.length; j++) {
      if (sameFile(outputs[i]!.path, outputs[j]!.path)) throw new OutputsCollideError(outputs[i]!.what, outputs[j]!.what);
    }
  }
}

/**
 * Refuses a Kafka output topic that is the input topic (both on the run's brokers).
 * @throws OutputIsInputTopicError naming the first such output.
 * @example refuseOutputOntoInputTopic({ kind: 'kafka', topic: 'flows' }, [{ topic: 'flows', what: '--output=kafka:flows' }]) // throws
 */
export function refuseOutputOntoInputTopic(input: NetflowInput, outputs: readonly OutputTopic[]): void {
  if (input.kind !== 'kafka') return;
  for (const o of outputs) if (o.topic === input.topic) throw new OutputIsInputTopicError(input.topic, o.what);
}

/** The topic an output writes, if it writes one (`flag` names it in messages: output, deadLetters, lateOutput). */
export function outputTopicsOf(output: { readonly kind: string; readonly topic?: string } | undefined, flag = 'output'): OutputTopic[] {
  return output?.kind === 'kafka' && output.topic !== undefined ? [{ topic: output.topic, what: `--${flag}=kafka:${output.topic}` }] : [];
}
