/**
 * An adversarial sweep of the CLI's flag values: every flag that takes a value, given an empty value,
 * 0, a negative, NaN or a word, a fraction where a whole number is expected, huge numbers (1e308,
 * 2^53 + 1, Infinity), blanks around it, control characters, hex, twice, and misspelt. Each bad value
 * must be refused as a typed usage error (PipelineOptionsError: the CLI prints one line and exits 2)
 * naming the flag, before anything runs. The flag parsing is called directly (as the commands do,
 * see `commandRefusal`); a few cases spawn the real CLI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import '../../runners/index.js';
import { DashboardSession } from '../../bin/dashboard/dashboard-session.js';
import { runnerList, selectRunners } from '../../capability-matrix/generate.js';
import { exampleCount } from '../../bin/example-command.js';
import { netflowConfigFromArgs } from '../../bin/netflow-command.js';
import { NETFLOW_FLAGS } from '../../bin/netflow-flags.js';
import { COMMAND_FLAGS } from '../../bin/usage.js';
import { PipelineOptionsError, UnknownFlagError } from '../../sdk/errors.js';
import { parseFlags } from '../../sdk/flags.js';
import { parseDuration, type PipelineOptions } from '../../sdk/options.js';
import { Pipeline } from '../../sdk/pipeline.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'watershed-flag-sweep-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the CLI as a user does (`npm start -- ...` is `tsx bin/watershed.ts ...`), in `cwd`. */
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const cli = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', tsx, join(repo, 'bin/watershed.ts'), ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, KAFKA_BROKERS: '' } });

/**
 * What the netflow command does with `argv` before it runs anything (bin/netflow-command.ts): its
 * config (a plain Error there becomes a PipelineOptionsError) and the pipeline's options. Returns the
 * error, or undefined when the command line is accepted.
 */
function commandRefusal(argv: readonly string[]): Error | undefined {
  try {
    try {
      netflowConfigFromArgs(argv);
    } catch (e) {
      throw e instanceof PipelineOptionsError ? e : new PipelineOptionsError((e as Error).message);
    }
    Pipeline.create(argv, { flags: NETFLOW_FLAGS, program: 'netflow' });
    return undefined;
  } catch (e) {
    return e as Error;
  }
}

/** Expects `argv` refused as a usage error whose message holds every fragment. */
function expectRefused(argv: readonly string[], ...fragments: string[]): void {
  const e = commandRefusal(argv);
  expect.soft(e, `${JSON.stringify(argv)} was accepted`).toBeInstanceOf(PipelineOptionsError);
  for (const f of fragments) expect.soft(e?.message, JSON.stringify(argv)).toContain(f);
}

/** Values no flag that takes a number or a duration accepts. */
const NEVER_A_NUMBER = ['-1', 'abc', 'NaN', '1e308', 'Infinity', '-Infinity', ' ', '5\u0007', '0x10', '0b11', '--5', '5abc'];

/** Whole-number flags (pipeline and netflow): their name and the smallest value they take. */
const WHOLE_NUMBER_FLAGS: readonly [string, number][] = [
  ['maxBatchSize', 1],
  ['bundleSize', 1],
  ['bufferSize', 1],
  ['parallelism', 1],
  ['count', 0],
  ['sourceIps', 1],
  ['keepPairs', 0],
];

/** Duration flags of the netflow command, alone on its command line (with what they need). */
const DURATION_FLAGS: readonly [string, string[]][] = [
  ['batchInterval', []],
  ['idleTimeout', []],
  ['checkpointInterval', ['--checkpointDir=ck']],
  ['jitter', []],
  ['window', []],
  ['allowedLateness', []],
  ['maxOutOfOrderness', ['--input=ndjson:in.ndjson']],
  ['maxForwardJump', ['--input=ndjson:in.ndjson', '--maxOutOfOrderness=1s']],
  ['reconnectTimeout', ['--input=kafka:flows', '--brokers=127.0.0.1:9092']],
  ['brokerOutageTimeout', ['--input=kafka:flows', '--brokers=127.0.0.1:9092']],
];

describe('the CLI flag sweep: every bad value is a usage error naming the flag', () => {
  it('whole-number flags refuse words, signs, fractions, huge numbers, blanks and control characters', () => {
    for (const [flag, least] of WHOLE_NUMBER_FLAGS) {
      for (const v of [...NEVER_A_NUMBER, '1.5', String(least - 1)]) expectRefused([`--${flag}=${v}`], `--${flag}`);
    }
  });

  it('duration flags refuse words, signs, huge numbers and unknown units', () => {
    for (const [flag, context] of DURATION_FLAGS) {
      for (const v of [...NEVER_A_NUMBER, '9007199254740993', '1e3', '3x', '3 sec', 's']) expectRefused([...context, `--${flag}=${v}`], `--${flag}`);
    }
  });

  it('the durations that must be above 0 refuse 0', () => {
    for (const [flag, context] of [['batchInterval', []], ['checkpointInterval', ['--checkpointDir=ck']], ['window', []]] as const) {
      expectRefused([...context, `--${flag}=0`], `--${flag}=0`);
      expectRefused([...context, `--${flag}=0ms`], `--${flag}=0ms`);
    }
  });

  it('share and rate flags refuse what is out of range', () => {
    for (const flag of ['ipv6Share', 'malformedShare']) for (const v of [...NEVER_A_NUMBER, '1.5', '2']) expectRefused([`--${flag}=${v}`], `--${flag}`);
    // a rate or a skew of 1e308 is huge, not nonsense: all events at one instant, or all on one key
    const finite = NEVER_A_NUMBER.filter((v) => v !== '1e308');
    for (const v of [...finite, '0']) expectRefused([`--rate=${v}`], '--rate');
    for (const v of finite) expectRefused([`--keySkew=${v}`], '--keySkew');
  });

  it('flags with a fixed set of values refuse any other, blanks and case included', () => {
    for (const v of ['3', '0', ' 1', '1 ', 'one', '1.0']) expectRefused([`--scenario=${v}`], '--scenario');
    for (const v of ['exactly_once', ' at-least-once', 'EXACTLY-ONCE']) expectRefused(['--checkpointDir=ck', `--guarantee=${v}`], '--guarantee');
    for (const v of ['log:0', 'log:1.5', 'log:1e308', 'linear:0', 'linear:-1', 'linear:abc', 'lin', ' ']) expectRefused([`--histogram=${v}`], `--histogram=${v}: `);
    for (const v of ['bytes', 'duration,duration', 'duration,', ' ']) expectRefused([`--features=${v}`], `--features=${v}: `);
    for (const v of ['divide:', 'divide:bytes=2', 'log', ' ']) expectRefused([`--scaling=${v}`], '--scaling');
    for (const v of ['csv:x', 'kafka:', 'zeek:', ' ', 'generator ']) expectRefused([`--input=${v}`], '--input');
    for (const v of ['ndjson:', 'kafka:', 'file:x', ' ']) expectRefused([`--output=${v}`], '--output');
    for (const flag of ['deadLetters', 'lateOutput']) for (const v of ['ndjson:', 'kafka:', 'x', ' ']) expectRefused([`--${flag}=${v}`], `--${flag}`);
  });

  it('every flag of every command refuses an empty value, a repeat, and a misspelling (naming the closest flag)', () => {
    for (const [command, flags] of Object.entries(COMMAND_FLAGS)) {
      for (const [name, spec] of Object.entries(flags)) {
        const refused = (argv: string[], fragment: string) => {
          expect(() => parseFlags(argv, flags, { program: command }), `${command} ${argv.join(' ')}`).toThrow(PipelineOptionsError);
          expect(() => parseFlags(argv, flags, { program: command }), `${command} ${argv.join(' ')}`).toThrow(fragment);
        };
        const given = spec.type === 'string' ? `--${name}=1` : `--${name}`;
        refused([given, given], `--${name} is given twice`);
        if (spec.type === 'string') {
          refused([`--${name}=`], `--${name} needs a value`);
          refused([`--${name}`], `--${name} needs a value`);
        }
        // a letter dropped from the middle of the name: the message names the flag meant
        const typo = `--${name.slice(0, Math.floor(name.length / 2))}${name.slice(Math.floor(name.length / 2) + 1)}${spec.type === 'string' ? '=1' : ''}`;
        const e = (() => {
          try {
            parseFlags([typo], flags, { program: command });
          } catch (err) {
            return err;
          }
          return undefined;
        })();
        if (Object.hasOwn(flags, typo.slice(2).split('=')[0]!)) continue; // the typo is another flag
        expect(e, `${command} ${typo}`).toBeInstanceOf(UnknownFlagError);
        expect((e as UnknownFlagError).suggestions, `${command} ${typo}`).toEqual([`--${name}`]);
      }
    }
  });

  it('a bad value reaches the terminal escaped, on one line, with exit 2, and no output file is touched (the real CLI)', () => {
    const dir = mkdtempSync(join(tmp, 'cli-'));
    writeFileSync(join(dir, 'pairs.ndjson'), 'precious\n');
    const r = cli(dir, '--count=300', '--output=ndjson:pairs.ndjson', '--maxBatchSize=5\u001b[31m');
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain('\u001b');
    expect(r.stderr).toContain('--maxBatchSize');
    expect(r.stderr).toContain("'5\\x1b[31m'");
    expect(readdirSync(dir)).toEqual(['pairs.ndjson']);
    expect(readFileSync(join(dir, 'pairs.ndjson'), 'utf8')).toBe('precious\n');
  });
});

/** Runs `f` with KAFKA_BROKERS unset. */
function withoutBrokerEnv(f: () => void): void {
  const saved = process.env['KAFKA_BROKERS'];
  delete process.env['KAFKA_BROKERS'];
  try {
    f();
  } finally {
    if (saved !== undefined) process.env['KAFKA_BROKERS'] = saved;
  }
}

describe('Kafka flags are checked before anything connects', () => {
  it('a Kafka dead-letter or late output without brokers is a usage error naming it, not a stack trace from the run', () => {
    withoutBrokerEnv(() => {
      expectRefused(['--deadLetters=kafka:rejects'], '--deadLetters=kafka:rejects', '--brokers');
      expectRefused(['--lateOutput=kafka:late'], '--lateOutput=kafka:late', '--brokers');
    });
  });

  it('--brokerOutageTimeout is checked when no Kafka end is used, and refused there (it would be ignored)', () => {
    withoutBrokerEnv(() => {
      for (const v of ['abc', '-1', ' ', '1e308']) expectRefused([`--brokerOutageTimeout=${v}`], '--brokerOutageTimeout');
      expectRefused(['--brokerOutageTimeout=30s'], '--brokerOutageTimeout', 'Kafka');
      expectRefused(['--output=ndjson:p.ndjson', '--brokerOutageTimeout=30s'], '--brokerOutageTimeout', 'Kafka');
    });
    expect(commandRefusal(['--deadLetters=kafka:rejects', '--brokers=127.0.0.1:9092', '--brokerOutageTimeout=30s'])).toBeUndefined();
  });
});

describe('--runner', () => {
  it('a misspelt runner is refused when the command line is read, naming the closest runner', () => {
    for (const v of ['microbach', ' native', 'native\n', 'NATIVE']) expectRefused([`--runner=${v}`], 'unknown runner', 'did you mean');
  });

  it('example prints nothing on stdout before refusing a misspelt runner (the real CLI)', () => {
    const r = cli(tmp, 'example', '--runner=microbach', '--count=5');
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe("PipelineOptionsError: unknown runner 'microbach' (did you mean microbatch?). Registered runners: microbatch, native.");
  });
});

describe('durations', () => {
  it('refuse blanks, tabs, newlines and other control characters around or inside them', () => {
    for (const [flag, context] of DURATION_FLAGS) {
      for (const v of [' 5 ', '5 ', ' 3s', '3 s', '5\n', '\t5', '5\r', '3s\u000b']) expectRefused([...context, `--${flag}=${v}`], `--${flag}`, 'not a duration');
    }
    expect(() => parseDuration('3s\n', 'window')).toThrow("--window: '3s\n' is not a duration");
  });
});

describe('whole numbers are not cut or rounded', () => {
  it('--seed takes 0..2^32 - 1 only: a fraction, a sign or a bigger number gave the events of another seed', () => {
    for (const v of [...NEVER_A_NUMBER, '1.5', '4294967297', '4294967296', '9007199254740993', '1e3', '+1']) expectRefused([`--seed=${v}`], `--seed=${v}`, '4294967295');
    expect(netflowConfigFromArgs(['--seed=0']).input).toMatchObject({ options: { seed: 0 } });
    expect(netflowConfigFromArgs(['--seed=4294967295']).input).toMatchObject({ options: { seed: 4294967295 } });
  });

  it('--top past 2^53 - 1 is refused (1e308 was taken, 9007199254740993 read as ...992)', () => {
    for (const v of ['1e308', '9007199254740993', '1e16']) expectRefused([`--top=${v}`], `--top=${v}`);
    for (const [flag, least] of [['top', 0]] as const) for (const v of [...NEVER_A_NUMBER, '1.5', String(least - 1)]) expectRefused([`--${flag}=${v}`], `--${flag}`);
    expect(netflowConfigFromArgs(['--top=9007199254740991']).job.topN).toBe(9007199254740991);
  });
});

describe('--scaling', () => {
  it('refuses a divisor that is not a decimal number > 0, and a feature given twice, naming --scaling', () => {
    for (const v of ['abc', '', '0', '-1', '0x10', ' 5', '5 ', 'Infinity', 'NaN', '1e400', '2=3']) expectRefused([`--scaling=divide:in_bytes=${v}`], '--scaling=', 'in_bytes');
    expectRefused(['--scaling=divide:in_bytes'], '--scaling=', 'in_bytes');
    expectRefused(['--scaling=divide:in_bytes=1,in_bytes=2'], '--scaling=', 'in_bytes is given twice');
    expect(netflowConfigFromArgs(['--scaling=divide:in_bytes=1e3,out_bytes=0.5']).job.scaling).toEqual({ divisors: { in_bytes: 1000, out_bytes: 0.5 } });
  });
});

describe('example --count and --uiPort', () => {
  it('take decimal digits only: a blank was read as 0 and hex as a number', async () => {
    for (const v of [...NEVER_A_NUMBER, '1.5', '1e3', ' 5', '9007199254740993']) expect(() => exampleCount(v), v).toThrow(PipelineOptionsError);
    expect(() => exampleCount(' ')).toThrow("--count: expected a whole number up to 2^53 - 1, got ' '");
    expect(exampleCount('0')).toBe(0);
    expect(exampleCount(undefined)).toBe(2000);
    for (const v of [' ', '0x50', '1e3', ' 80', '80.0', '-1', '65536', 'abc']) {
      await expect(DashboardSession.open({ ui: true, uiPort: v }, () => {}), v).rejects.toThrow(`--uiPort=${v}: expected a port number`);
    }
  });
});

describe('--brokers', () => {
  it('a broker list the client cannot use is a usage error naming it, before anything connects', () => {
    withoutBrokerEnv(() => {
      for (const v of ['abc', ',', ' ', 'h:0', 'h:99999', 'h:', ':9092', 'h\u0007:1', 'h:9092,x', 'h:-1', 'h:1e3']) {
        expectRefused(['--input=kafka:flows', `--brokers=${v}`], '--brokers=', 'Kafka broker');
        expectRefused(['--output=ndjson:p.ndjson', `--brokers=${v}`], '--brokers=', 'Kafka broker');
      }
      // blanks around an entry are trimmed, as the client does: the broker named is the same
      expect(commandRefusal(['--input=kafka:flows', '--brokers=127.0.0.1:19092, [::1]:9092\n'])).toBeUndefined();
    });
  });

  it('KAFKA_BROKERS likewise, when a Kafka end uses it (the real CLI: exit 2, not a failed source)', () => {
    const r = spawnSync(process.execPath, ['--import', tsx, join(repo, 'bin/watershed.ts'), '--input=kafka:flows', '--quiet'], { cwd: tmp, encoding: 'utf8', timeout: 120_000, env: { ...process.env, KAFKA_BROKERS: 'localhost:99999' } });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trim()).toBe('PipelineOptionsError: KAFKA_BROKERS=localhost:99999: invalid Kafka broker address "localhost:99999": the port must be 1..65535');
  });
});

describe('Kafka topics', () => {
  it('a topic name Kafka would refuse is a usage error naming the flag, before anything connects', () => {
    const bad = [' flows', 'flows ', 'net flows', 'flows\n', 'flows\u0007', 'a/b', '.', '..', 'x'.repeat(250), 'flöws'];
    for (const flag of ['input', 'output', 'deadLetters', 'lateOutput']) {
      for (const topic of bad) expectRefused([`--${flag}=kafka:${topic}`, '--brokers=127.0.0.1:9092'], `--${flag}=kafka:`, 'Kafka topic name');
    }
    expect(commandRefusal(['--input=kafka:net.flows_1-a', `--output=kafka:${'x'.repeat(249)}`, '--brokers=127.0.0.1:9092'])).toBeUndefined();
  });
});

describe('capability-matrix --runner', () => {
  it('an empty name is refused (it selected every runner), an unknown one names the closest', () => {
    for (const v of [',', ' ', 'native,', ',native', 'native,,microbatch']) expect(() => runnerList(v), v).toThrow(`--runner=${v}: give runner names separated by commas`);
    expect(runnerList(' native , microbatch')).toEqual(['native', 'microbatch']);
    expect(() => selectRunners(['nativ'])).toThrow("unknown runner 'nativ' (did you mean native?). Registered runners: microbatch, native.");
  });

  it('a bad --runner exits 2 with one line, before any broker is started (the real script)', () => {
    const r = spawnSync(process.execPath, ['--import', tsx, join(repo, 'capability-matrix/cli.ts'), '--runner=nativ'], { cwd: tmp, encoding: 'utf8', timeout: 120_000, env: { ...process.env, KAFKA_BROKERS: '' } });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe("PipelineOptionsError: unknown runner 'nativ' (did you mean native?). Registered runners: microbatch, native.");
  });
});

describe('watermark flags where nothing uses them', () => {
  it('--maxOutOfOrderness and --maxForwardJump with the generator, and --maxForwardJump on a file without --maxOutOfOrderness, are refused (they were ignored)', () => {
    expectRefused(['--maxOutOfOrderness=1s'], '--maxOutOfOrderness', 'file and Kafka inputs only');
    expectRefused(['--maxForwardJump=1h'], '--maxForwardJump', 'file and Kafka inputs only');
    expectRefused(['--input=ndjson:in.ndjson', '--maxForwardJump=1h'], '--maxForwardJump needs --maxOutOfOrderness');
    expectRefused(['--maxOutOfOrderness=1x'], "--maxOutOfOrderness: '1x' is not a duration");
    expect(commandRefusal(['--input=ndjson:in.ndjson', '--maxOutOfOrderness=1s', '--maxForwardJump=off'])).toBeUndefined();
    expect(commandRefusal(['--input=kafka:flows', '--brokers=127.0.0.1:9092', '--maxForwardJump=1h'])).toBeUndefined();
  });
});

describe('--histogram', () => {
  it('refuses blanks, hex and anything after the number (they were trimmed, read or dropped)', () => {
    for (const v of [' log', 'log ', 'log: 5', 'log:5 ', 'log:0x10', 'log:5:9', 'linear:0x10', 'linear: 100', 'linear:100:1', 'linear:', 'log:']) expectRefused([`--histogram=${v}`], `--histogram=${v}: `);
    expect(netflowConfigFromArgs(['--histogram=linear:2.5e3']).job.histogram).toEqual({ kind: 'linear', width: 2500 });
  });
});

describe('--jobName', () => {
  it('refuses control characters and blanks around it (it goes into the job file and transactional ids)', () => {
    for (const v of ['job\n', 'job\u0007', ' job', 'job ', '\tjob', 'a\u001b[2Jb']) expectRefused(['--checkpointDir=ck', `--jobName=${v}`], '--jobName');
    expect(commandRefusal(['--checkpointDir=ck', '--jobName=netflow nightly.2'])).toBeUndefined();
  });
});

describe('zero intervals', () => {
  it('--batchInterval=0 and --checkpointInterval=0 are refused naming the flag with its dashes and the value given', () => {
    for (const v of ['0', '0ms', '0.0s', '0h']) {
      expectRefused([`--batchInterval=${v}`], `--batchInterval=${v}: expected a duration above 0 ms (or 'asap')`);
      expectRefused(['--checkpointDir=ck', `--checkpointInterval=${v}`], `--checkpointInterval=${v}: expected a duration above 0 ms`);
    }
  });
});

describe('every message names a flag as it is typed, with its dashes', () => {
  it('the netflow job flags and the generator flags (before: "window must be ...", "top-N must be ...", "histogram \'lin\': ...", "unknown feature ..." with no flag, "--rate=0: eventsPerSecond must be ...")', () => {
    expectRefused(['--window=0.5'], '--window=0.5: must be a positive whole number of ms, got 0.5');
    expectRefused(['--window=0s'], '--window=0s: must be a positive whole number of ms, got 0');
    expectRefused(['--top=-1'], '--top=-1: expected a whole number >= 0');
    expectRefused(['--top=2.5'], '--top=2.5: expected a whole number >= 0');
    expectRefused(['--histogram=lin'], "--histogram=lin: use log, log:<buckets per decade> or linear:<width>");
    expectRefused(['--histogram=log:0'], '--histogram=log:0: buckets per decade must be an integer 1..100');
    expectRefused(['--histogram=linear:0'], '--histogram=linear:0: linear needs a positive width');
    expectRefused(['--features=bytes'], '--features=bytes: unknown feature "bytes"; allowed: ');
    expectRefused(['--features=duration,'], '--features=duration,: empty feature name; allowed: ');
    expectRefused(['--features=duration,duration'], '--features=duration,duration: feature "duration" is listed twice');
    expectRefused(['--count=-5'], '--count=-5: must be a non-negative integer, got -5');
    expectRefused(['--rate=0'], '--rate=0: must be > 0, got 0');
    expectRefused(['--sourceIps=0'], '--sourceIps=0: must be in 1..16777214, got 0');
    expectRefused(['--ipv6Share=0.6', '--malformedShare=0.6'], '--ipv6Share + --malformedShare: must add up to at most 1');
    expectRefused(['--count=300', '--rate=1e-300'], '--count + --rate + --jitter: 300 events at 1e-300 per second (+ up to 500 ms of disorder) put the last event at');
    // no generator option that is not a flag (eventsPerSecond, maxJitterMs) is named, nor a flag without its dashes
    for (const argv of [['--rate=0'], ['--jitter=9007199254740991'], ['--count=300', '--rate=1e-300'], ['--ipv6Share=0.6', '--malformedShare=0.6']]) {
      expect(commandRefusal(argv)?.message, argv.join(' ')).not.toMatch(/eventsPerSecond|maxJitterMs|(?<!--)\b(count|rate|jitter|ipv6Share|malformedShare)\b/);
    }
  });

  it('the pipeline options checked when they are complete, from flags or an options object (before: "keepCheckpoints must be ...")', () => {
    expectRefused(['--checkpointDir=ck', '--keepCheckpoints=1'], '--keepCheckpoints must be a whole number >= 2 (one to resume from, one to fall back on if it is damaged), got 1');
    const refusal = (init: Partial<PipelineOptions>) => {
      try {
        Pipeline.create(init);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const cases: [Partial<PipelineOptions>, string][] = [
      [{ checkpointDir: '' }, '--checkpointDir must be a non-empty path, got ""'],
      [{ batchInterval: 0 }, "--batchInterval must be > 0 ms or 'asap', got 0"],
      [{ checkpointDir: 'ck', checkpointInterval: Number.POSITIVE_INFINITY }, '--checkpointInterval must be a finite duration > 0 ms, got Infinity'],
      [{ checkpointDir: 'ck', keepCheckpoints: 1 }, '--keepCheckpoints must be a whole number >= 2'],
      [{ guarantee: 'twice' as 'exactly-once' }, '--guarantee must be \'exactly-once\' or \'at-least-once\', got "twice"'],
    ];
    for (const [init, message] of cases) {
      const e = refusal(init);
      expect.soft(e, JSON.stringify(init)).toBeInstanceOf(PipelineOptionsError);
      expect.soft((e as Error | undefined)?.message, JSON.stringify(init)).toContain(message);
    }
  });
});
