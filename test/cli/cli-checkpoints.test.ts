import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listParts, readPartLines } from '../support/read-parts.js';
import { cliChild, pairMultiset } from '../support/cli-child.js';
import type { NetflowRunSummary } from '../../pipelines/netflow/netflow-app.js';


const cli = cliChild;
const pairs = pairMultiset;

describe('the Netflow CLI with --checkpointDir', () => {
  it('killed with SIGKILL twice mid-run (native, then micro-batch) and rerun, writes the same pairs as an uninterrupted run', () => {
    const d = mkdtempSync(join(tmpdir(), 'ws-cli-ck-'));
    const input = join(d, 'in.ndjson');
    expect(cli(['generate', '--scenario=2', '--count=4000', `--output=ndjson:${input}`]).status).toBe(0);
    // 1 s windows fired while reading: parts are published mid-run
    const job = ['--window=1s', '--maxOutOfOrderness=1s', '--bundleSize=100', '--quiet'];

    const plain = join(d, 'plain.ndjson');
    const clean = cli([`--input=ndjson:${input}`, `--output=ndjson:${plain}`, ...job]);
    expect(clean.status, clean.stderr).toBe(0);
    const expected = pairs(readFileSync(plain, 'utf8').replace(/\n$/, '').split('\n'));
    expect(expected.length).toBeGreaterThan(1000);

    const out = join(d, 'out.ndjson');
    const ck = [`--input=ndjson:${input}`, `--output=ndjson:${out}`, `--checkpointDir=${join(d, 'ck')}`, '--checkpointInterval=5ms', ...job];
    // killed when a checkpoint is durable and the second non-empty part is about to be published
    const first = cli(['--runner=native', ...ck], 'sink.commit:2:crash');
    expect(first.signal, first.stderr).toBe('SIGKILL');
    const published = listParts(out).length;
    expect(published, 'parts published before the first kill').toBeGreaterThan(0);
    // resumed on micro-batch, killed at its second checkpoint barrier
    const second = cli(['--runner=microbatch', '--batchInterval=asap', '--maxBatchSize=500', ...ck], 'checkpoint.barrier:2:crash');
    expect(second.signal, second.stderr).toBe('SIGKILL');
    const last = cli(['--runner=native', ...ck]);
    expect(last.status, last.stderr).toBe(0);
    expect(listParts(out).length).toBeGreaterThan(published);
    expect(pairs(readPartLines(out))).toEqual(expected);
  }, 180_000);

  it('killed with SIGKILL after a checkpoint and rerun: the summary and --statsOut report totals since the first start, equal to an uninterrupted run', () => {
    const d = mkdtempSync(join(tmpdir(), 'ws-cli-totals-'));
    const input = join(d, 'in.ndjson');
    expect(cli(['generate', '--scenario=2', '--count=3000', '--ipv6Share=0.05', '--malformedShare=0.03', `--output=ndjson:${input}`]).status).toBe(0);
    const job = [`--input=ndjson:${input}`, '--window=1s', '--maxOutOfOrderness=1s', '--bundleSize=100'];
    const plainStats = join(d, 'plain.json');
    const clean = cli([...job, `--output=ndjson:${join(d, 'plain.ndjson')}`, `--deadLetters=ndjson:${join(d, 'plain-dead.ndjson')}`, `--statsOut=${plainStats}`]);
    expect(clean.status, clean.stderr).toBe(0);
    const expected = JSON.parse(readFileSync(plainStats, 'utf8')) as NetflowRunSummary;
    expect(expected.eventsIn).toBe(3000);
    expect(Object.keys(expected.rejected).length, 'the input has rejects').toBeGreaterThan(0);

    const stats = join(d, 'resumed.json');
    const ck = [...job, `--output=ndjson:${join(d, 'out.ndjson')}`, `--deadLetters=ndjson:${join(d, 'dead.ndjson')}`, `--checkpointDir=${join(d, 'ck')}`, '--checkpointInterval=5ms', `--statsOut=${stats}`];
    const killed = cli(['--runner=native', ...ck], 'sink.commit:10:crash');
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const rerun = cli(['--runner=microbatch', '--batchInterval=asap', ...ck]);
    expect(rerun.status, rerun.stderr).toBe(0);
    const got = JSON.parse(readFileSync(stats, 'utf8')) as NetflowRunSummary;
    expect(got.resumedFrom).toMatch(/^checkpoints\/ck-\d{12}$/);
    const counts = (s: NetflowRunSummary) => ({
      eventsIn: s.eventsIn,
      recordsParsed: s.recordsParsed,
      recordsPaired: s.recordsPaired,
      rejected: s.rejected,
      lateDropped: s.lateDropped,
      groups: s.groups,
      deadLetters: s.deadLetterOutput?.records,
      metrics: s.metrics,
    });
    expect(counts(got)).toEqual(counts(expected));
    // this run did only part of the work: its own pairs (gathered in the process) are fewer than the total
    expect(got.pairs.pairs).toBeLessThan(got.metrics['PairStats']!.elementsIn);
    expect(rerun.stdout).toMatch(/resumed +from checkpoints\/ck-\d{12}: counts are totals since the job's first start/);
    expect(rerun.stdout).toMatch(/events in +3,000\n/);
    expect(rerun.stdout).toContain(`pairs out             ${expected.pairs.pairs.toLocaleString('en-US')}\n`);
  }, 180_000);

  it('micro-batch killed with SIGKILL once a batch is logged, rerun with other batch sizes: the logged batches re-run with their logged sizes, and the pairs equal an uninterrupted run', () => {
    const d = mkdtempSync(join(tmpdir(), 'ws-cli-mb-'));
    const input = join(d, 'in.ndjson');
    expect(cli(['generate', '--scenario=2', '--count=3000', `--output=ndjson:${input}`]).status).toBe(0);
    const job = ['--window=1s', '--maxOutOfOrderness=1s', '--bundleSize=100', '--runner=microbatch', '--batchInterval=asap'];
    const plain = join(d, 'plain.ndjson');
    const clean = cli([`--input=ndjson:${input}`, `--output=ndjson:${plain}`, '--quiet', ...job]);
    expect(clean.status, clean.stderr).toBe(0);
    const expected = pairs(readFileSync(plain, 'utf8').replace(/\n$/, '').split('\n'));

    const out = join(d, 'out.ndjson');
    const dir = join(d, 'ck');
    const ck = [`--input=ndjson:${input}`, `--output=ndjson:${out}`, `--checkpointDir=${dir}`, '--checkpointInterval=30ms', ...job];
    // killed once the offset entry of batch 8 is durable, before that batch runs
    const first = cli([...ck, '--maxBatchSize=300', '--quiet'], 'offsets.written:9:crash');
    expect(first.signal, first.stderr).toBe('SIGKILL');
    const logged = readdirSync(join(dir, 'offsets'))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(dir, 'offsets', f), 'utf8')) as { batchId: number; rows: number });
    expect(logged.at(-1)!.batchId).toBe(8);

    const rerun = cli([...ck, '--maxBatchSize=1000', '--progress']);
    expect(rerun.status, rerun.stderr).toBe(0);
    const replayed = [...rerun.stderr.matchAll(/\[microbatch\] batch (\d+): (\d+) rows .*\(replayed from the offset log\)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(replayed.length, rerun.stderr).toBeGreaterThan(0);
    // every logged batch after the checkpoint resumed from, with its logged row count, batch 8 last
    expect(replayed).toEqual(logged.filter((e) => e.batchId >= replayed[0]![0]!).map((e) => [e.batchId, e.rows]));
    expect(replayed.at(-1)![0]).toBe(8);
    expect(pairs(readPartLines(out))).toEqual(expected);
  }, 180_000);
});
