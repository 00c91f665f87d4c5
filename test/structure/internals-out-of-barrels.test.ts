/**
 * What only the runners, the CLI and the checkpoints use stays out of every entry point (issue #17):
 * they import it by relative path, so a user's `import { ... } from 'watershed/...'` never sees it.
 * Values are checked on the loaded entry points (each subpath of package.json `exports`, from the
 * sources here), types in the API reports (api/*.api.md, `npm run api:update`): types leave no trace at run time.
 * A name meant to be public again is taken off the list here, with the reason in the commit.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Functions and constants of the runtime: options plumbing, windowing plumbing, state keys, metrics, error formatting. */
const INTERNAL_VALUES = [
  'completeOptions', 'optionsFrom', 'optionsFromFlags', 'refuseUnwiredCheckpointOptions', 'DEFAULT_OPTIONS', 'MIN_KEEP_CHECKPOINTS',
  'continuationStrategy', 'defaultWindowingStrategy', 'sideInputWindowFor', 'slidingShape', 'isOnTimeOnly', 'NO_FIRING',
  'intervalsIntersect', 'intervalSpan', 'sourceBatchSize', 'encodeKey', 'decodeKey', 'emptyStepMetrics', 'isStateful',
  'resolveRunner', 'nearestFlag', 'formatFlags', 'shorten', 'EXAMPLE_CHARS',
  // the text-file IO's reader (lineSource is the public way to read lines)
  'LineReader',
  // the Kafka IO's: its exactly-once sink's slots, its client plumbing
  'TransactionSlots', 'canPrepareTransactions', 'parseKafkaBrokers', 'emptyKafkaReadStats', 'kafkaClientFor',
  // the exchange between instances of a parallel run (docs/design/scale-out.md step 2)
  'instanceOfGroup', 'groupsOfInstance', 'createChannel', 'createWatermarkValve',
];
/** Types only the above or the exactly-once sink's machinery use. */
const INTERNAL_TYPES = ['SlidingShape', 'TransactionSlotsOptions', 'LineReaderOptions', 'NumberedLine'];

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
const entryPoints = Object.keys(pkg.exports)
  .filter((subpath) => subpath !== './package.json')
  .map((subpath) => `${pkg.name}${subpath.slice(1)}`);

describe('internals out of the entry points', () => {
  it.each(entryPoints)('%s exports none of the runtime internals', async (specifier) => {
    const module = (await import(specifier)) as object;
    expect(INTERNAL_VALUES.filter((name) => name in module)).toEqual([]);
  });

  it('no API report declares one of them', () => {
    const reports = readdirSync(join(ROOT, 'api')).filter((f) => f.endsWith('.api.md'));
    expect(reports.length).toBeGreaterThanOrEqual(entryPoints.length);
    const declared = reports.flatMap((report) =>
      [...readFileSync(join(ROOT, 'api', report), 'utf8').matchAll(/^export (?:declare )?(?:abstract )?(?:class|interface|type|const|function|enum) (\w+)/gm)].map(
        (m) => `${report}: ${m[1]!}`,
      ),
    );
    const internal = new Set([...INTERNAL_VALUES, ...INTERNAL_TYPES]);
    expect(declared.filter((d) => internal.has(d.split(': ')[1]!))).toEqual([]);
  });
});
