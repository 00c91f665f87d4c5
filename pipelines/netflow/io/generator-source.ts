import type { Source, SourceBatch } from '../../../sdk/io/source.js';
import type { PCollection } from '../../../sdk/pcollection.js';
import type { Pipeline } from '../../../sdk/pipeline.js';
import type { PTransform } from '../../../sdk/ptransform.js';
import { TIMESTAMP_MIN, type Instant } from '../../../sdk/time.js';
import { Read } from '../../../transforms/read.js';
import { DEFAULT_GENERATOR_OPTIONS, generateNetflow, type GeneratedKind, type NetflowGeneratorOptions } from '../generator.js';

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
 * read and no event is ever late.
 * @throws RangeError for invalid generator options, when opened.
 */
export function netflowGeneratorSource(options: Partial<NetflowGeneratorOptions> = {}, stats?: GeneratorStats): Source<string> {
  const o: NetflowGeneratorOptions = { ...DEFAULT_GENERATOR_OPTIONS, ...options };
  return {
    name: 'NetflowGenerator',
    bounded: true,
    async open() {
      const events = generateNetflow(o);
      let maxTs = TIMESTAMP_MIN;
      let produced = 0;
      let ended = o.count === 0;
      return {
        async poll(max): Promise<SourceBatch<string>> {
          const elements: { value: string; timestamp: Instant }[] = [];
          while (!ended && elements.length < max) {
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
    return Read.from(netflowGeneratorSource(options, stats));
  },
};
