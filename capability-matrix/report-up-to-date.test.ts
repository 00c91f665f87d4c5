import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kafkaBrokers, kafkaDescribe } from '../test/kafka/kafka-test-env.js';
import { generate, REPORT_FILES, selectRunners } from './generate.js';
import { buildReport, renderJson } from './report.js';
import { runSuite } from './harness.js';
import { CAPABILITIES } from './suite.js';

/**
 * The committed matrix is never edited by hand: this regenerates it in memory (every registered
 * runner, the whole suite) and fails when a committed report file differs.
 *
 * The Kafka row needs the broker of the vitest global setup (test/kafka/global-setup.ts), passed to
 * the suite as KAFKA_BROKERS. Without one (e.g. WATERSHED_KAFKA=0) the full comparison is skipped
 * (a failure with CI=true), and every other row is still compared through report.json.
 */

const here = dirname(fileURLToPath(import.meta.url));
const FIX = 'run `npm run capability-matrix` and commit capability-matrix/report.md, report.json and report.html';

/** The first line where two texts differ, for the failure message. */
function firstDifference(committed: string, generated: string): string {
  const a = committed.split('\n');
  const b = generated.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}:\n  committed: ${a[i] ?? '(end of file)'}\n  generated: ${b[i] ?? '(end of file)'}`;
  }
  return '(no difference)';
}

const needsKafka = (id: string) => CAPABILITIES.some((c) => c.id === id && c.requires?.includes('kafka'));

describe('the committed capability matrix, without the rows that need Kafka', () => {
  it('matches report.json on every other row', async () => {
    const path = join(here, 'report.json');
    if (!existsSync(path)) expect.fail(`capability-matrix/report.json is missing: ${FIX}`);
    type Json = { groups: { rows: { id: string }[] }[] };
    const drop = (r: Json): Json => ({ ...r, groups: r.groups.map((g) => ({ ...g, rows: g.rows.filter((row) => !needsKafka(row.id)) })) });
    const suite = await runSuite(
      CAPABILITIES.filter((c) => !c.requires?.includes('kafka')),
      selectRunners(),
    );
    const generated = JSON.parse(renderJson(buildReport(suite))) as Json;
    const committed = JSON.parse(readFileSync(path, 'utf8')) as Json;
    expect(drop(committed), FIX).toEqual(generated);
  }, 120_000);
});

kafkaDescribe('the committed capability matrix', () => {
  it('is what the suite produces now', async () => {
    process.env['KAFKA_BROKERS'] = kafkaBrokers()!;
    const { files } = await generate();
    const generatedTwice = (await generate()).files;
    // the output must be deterministic, or it could never be committed
    expect(generatedTwice).toEqual(files);
    for (const name of REPORT_FILES) {
      const path = join(here, name);
      if (!existsSync(path)) expect.fail(`capability-matrix/${name} is missing: ${FIX}`);
      const committed = readFileSync(path, 'utf8');
      if (committed !== files[name]) expect.fail(`capability-matrix/${name} is out of date (${firstDifference(committed, files[name])}): ${FIX}`);
    }
  }, 120_000);
});
