/**
 * A run that sent records to a dead-letter or late-data output nobody reads says so (result.warnings
 * and one `[watershed]` line on stderr each, unless --quiet), naming the step and the count: before,
 * such a run ended DONE with the records only in its metrics (a Zeek file resumed without its header
 * dead-lettered every line in silence). Read outputs, and outputs nothing went to, give no warning.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { Capture } from '../../sdk/testing/capture.js';
import { Create } from '../../transforms/create.js';
import { Count } from '../../transforms/combiners/count.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import { RUNNERS, runWith } from '../support/runners.js';

afterEach(() => vi.restoreAllMocks());

/** One on-time element, two late ones (the window [0, 1000) has closed), counted per key. */
function lateCounts(p: Pipeline, readLate: boolean) {
  const stream = TestStream.create<string>().addElements(['a', 10]).advanceWatermarkTo(5000).addElements(['a', 20], ['b', 30]).advanceWatermarkToInfinity();
  const counts = p.apply(stream).apply('Second', Window.into(FixedWindows(1000))).apply(WithKeys((s: string) => s)).apply('Count', Count.perKey<string>());
  counts.apply('Out', Capture.records());
  if (readLate) counts.lateData().apply('Late', Capture.records());
}

/** Three numbers, one of which the ParDo throws on. */
function failingParse(p: Pipeline, readDead: boolean) {
  const parsed = p.apply(Create(['1', 'x', '3'])).apply('Parse', ParDo({
    process(s: string) {
      const n = Number(s);
      if (Number.isNaN(n)) throw new Error(`not a number: ${s}`);
      return n;
    },
  }).withDeadLetters());
  parsed.apply('Out', Capture.records());
  if (readDead) parsed.deadLetters().apply('Dead', Capture.records());
}

describe.each(RUNNERS)('unread side outputs on $label', ({ options }) => {
  it('under exactly-once, a ParDo whose output nothing reads is named as a sink without two-phase commit, saying why', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const checkpointDir = join(mkdtempSync(join(tmpdir(), 'ws-unread-')), 'ck');
    const { result } = await runWith({ ...options, checkpointDir }, (p) => {
      const numbers = p.apply(Create([1, 2, 3]));
      numbers.apply('Out', Capture.records());
      numbers.apply('Format', MapElements((n: number) => `#${n}`)); // forgotten: nothing writes it
    });
    expect(result.warnings).toEqual([
      "exactly-once covers sinks with two-phase commit only: 'Out', 'Format' have none, so their effects are at-least-once after a resume (a ParDo whose output nothing reads counts as a sink: if it only computes, write its output to a sink or remove it)",
    ]);
  });

  it('late records nobody reads: a warning naming the aggregation and the count, also on stderr', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { result } = await runWith(options, (p) => lateCounts(p, false));
    const expected = "step 'Count' dropped 2 records as late, and nothing reads them: apply .lateData() to its output to keep them (or allow more lateness, or a larger watermark bound)";
    expect(result.warnings).toEqual([expected]);
    expect(stderr.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('[watershed]'))).toEqual([`[watershed] ${expected}\n`]);
  });

  it('late records that are read, and a --quiet run: no line on stderr; read ones no warning', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const read = await runWith(options, (p) => lateCounts(p, true));
    expect(read.result.warnings ?? []).toEqual([]);
    const quiet = await runWith({ ...options, quiet: true }, (p) => lateCounts(p, false));
    expect(quiet.result.warnings).toHaveLength(1);
    expect(stderr.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('[watershed]'))).toEqual([]);
  });

  it('dead letters nobody reads: a warning naming the step and the count; read ones none', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const unread = await runWith(options, (p) => failingParse(p, false));
    expect(unread.result.warnings).toEqual(["step 'Parse' sent 1 record to its dead letters, and nothing reads them: apply .deadLetters() to its output to keep them"]);
    const read = await runWith(options, (p) => failingParse(p, true));
    expect(read.result.warnings ?? []).toEqual([]);
  });
});
