import { SourcePositionError } from '../../../sdk/errors.js';
import { numericPosition } from '../../../sdk/io/numeric-position.js';
import type { Source, SourceBatch } from '../../../sdk/io/source.js';
import type { PCollection } from '../../../sdk/pcollection.js';
import type { Pipeline } from '../../../sdk/pipeline.js';
import type { PTransform } from '../../../sdk/ptransform.js';
import { TIMESTAMP_MIN, type Instant } from '../../../sdk/time.js';
import { Read } from '../../../transforms/read.js';
import { DEFAULT_GENERATOR_OPTIONS, generateNetflow, generatorOptionsProblem, type GeneratedKind, type NetflowGeneratorOptions } from '../generator.js';

/** What the generator source produced, by kind (filled in while it is read). */
export class GeneratorStats {
  events = 0;
  readonly kinds: Partial<Record<GeneratedKind, number>> = {};
}

/**
 * The deterministic Netflow generator ({@link generateNetflow}) as a bounded Source of raw Netflow
 * JSON lines, generated lazily as the runner polls (nothing is materialised up front). Each line
 * carries its event time as timestamp; the watermark is the largest event time so far minus the
 * generator's `maxJitterMs`, the exact out-of-orderness bound, so windows fire while the input is
 * read and no event is ever late. Its reader's position is `{ produced, maxTs }`; resumed from one,
 * it makes the events before it again and skips them (O(n), no I/O), and goes on with the next.
 * @throws RangeError for invalid generator options, when opened.
 */
export function netflowGeneratorSource(options: Partial<NetflowGeneratorOptions> = {}, stats?: GeneratorStats): Source<string> {
  const o: NetflowGeneratorOptions = { ...DEFAULT_GENERATOR_OPTIONS, ...options };
  return {
    name: 'NetflowGenerator',
    bounded: true,
    async open(ctx) {
      const problem = generatorOptionsProblem(o);
      // Checked here, not at the first event: a count below 0 would otherwise make no event and no error.
      if (problem !== undefined) throw new RangeError(`generator option ${problem.message}`);
      const events = generateNetflow(o);
      const from = ctx.resumeFrom === undefined ? undefined : numericPosition('NetflowGenerator', ctx.resumeFrom, { produced: 'count', maxTs: 'instant' });
      let maxTs = from?.maxTs ?? TIMESTAMP_MIN;
      let produced = 0;
      let ended = o.count === 0;
      // Resuming: the generator is deterministic, so the events before the position are made again and skipped.
      while (from !== undefined && produced < from.produced && !ended) {
        if (events.next().done) ended = true;
        else produced++;
      }
      if (from !== undefined && produced < from.produced) {
        throw new SourcePositionError('NetflowGenerator', 'malformed', `the position is after event ${from.produced}, but these generator options make only ${produced}`);
      }
      if (produced >= o.count) ended = true;
      let limit = Number.POSITIVE_INFINITY;
      return {
        async poll(max): Promise<SourceBatch<string>> {
          const elements: { value: string; timestamp: Instant }[] = [];
          while (!ended && elements.length < max && produced < limit) {
            const next = events.next();
            if (next.done) {
              ended = true;
              break;
            }
            const e = next.value;
            produced++;
            if (e.eventTimeMs > maxTs) maxTs = e.eventTimeMs;
            elements.push({ value: e.raw, timestamp: e.eventTimeMs });
            if (stats) {
              stats.events++;
              stats.kinds[e.kind] = (stats.kinds[e.kind] ?? 0) + 1;
            }
          }
          // The last batch says done, so the runner moves the watermark to +inf without another poll.
          if (produced >= o.count) ended = true;
          const watermark = maxTs === TIMESTAMP_MIN ? TIMESTAMP_MIN : maxTs - o.maxJitterMs;
          return { elements, watermark, done: ended };
        },
        position: () => ({ produced, maxTs }),
        progress: () => ({ done: produced, total: o.count }),
        stopAt(p) {
          limit = p === undefined ? Number.POSITIVE_INFINITY : numericPosition('NetflowGenerator', p, { produced: 'count', maxTs: 'instant' }).produced;
        },
        async close() {},
      };
    },
  };
}

/**
 * Reads the generator into a PCollection of raw Netflow JSON lines (the job's input).
 * @example p.apply('Generator', NetflowGenerator.read(scenarioOptions(1))).apply('Netflow', NetflowJob.of())
 */
export const NetflowGenerator = {
  read(options: Partial<NetflowGeneratorOptions> = {}, stats?: GeneratorStats): PTransform<Pipeline, PCollection<string>> {
    return Read(netflowGeneratorSource(options, stats));
  },
};
