import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../pipelines/netflow/prng.js';
import { Failpoints, SimulatedCrash } from '../../sdk/testing/failpoints.js';

describe('failpoints', () => {
  it('an armed failpoint throws SimulatedCrash at its n-th hit, once, and others are unaffected', () => {
    const f = new Failpoints();
    f.hit('sink.commit');
    f.arm('sink.commit', { at: 3 });
    f.hit('sink.commit');
    f.hit('sink.preCommit');
    f.hit('sink.commit');
    expect(f.count('sink.commit')).toBe(2);
    const e = (() => {
      try {
        f.hit('sink.commit', 'step Out');
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(SimulatedCrash);
    expect(e).toMatchObject({ failpoint: 'sink.commit', hit: 3, message: "simulated crash at failpoint 'sink.commit' (hit 3, step Out)" });
    expect(() => f.hit('sink.commit')).not.toThrow(); // disarmed after firing
  });

  it('a seed names one crash moment: the same seed arms the same failpoint and hit', () => {
    const names = ['checkpoint.barrier', 'sink.preCommit', 'sink.commit'];
    const draws = (seed: number) => new Failpoints().armSeeded(names, 10, mulberry32(seed));
    expect(draws(7)).toEqual(draws(7));
    const all = Array.from({ length: 200 }, (_, s) => draws(s));
    expect(new Set(all.map((d) => d.name))).toEqual(new Set(names));
    expect(Math.min(...all.map((d) => d.at))).toBe(1);
    expect(Math.max(...all.map((d) => d.at))).toBe(10);
    const f = new Failpoints();
    const { name, at } = f.armSeeded(names, 10, mulberry32(3));
    for (let i = 1; i < at; i++) f.hit(name);
    expect(() => f.hit(name)).toThrow(SimulatedCrash);
  });

  it('specs are <name>:<n>[:throw|crash]; a malformed one is refused naming the form', () => {
    const f = new Failpoints();
    f.armFrom('sink.preCommit:2:throw');
    f.hit('sink.preCommit');
    expect(() => f.hit('sink.preCommit')).toThrow(SimulatedCrash);
    expect(() => f.armFrom('sink.preCommit')).toThrow(/not <name>:<n>\[:throw\|crash\|pause\]/);
    expect(() => f.armFrom('x:0')).toThrow(RangeError);
    expect(() => f.arm('x', { at: 1.5 })).toThrow(RangeError);
  });

  it("'pause' stops the process (SIGSTOP) after one line on stderr, and it goes on after SIGCONT", async () => {
    const module = fileURLToPath(new URL('../../sdk/testing/failpoints.ts', import.meta.url));
    const code = `const { failpoint } = await import(${JSON.stringify(module)}); failpoint('a'); failpoint('a'); process.stdout.write('after');`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      env: { ...process.env, WATERSHED_FAILPOINT: 'a:2:pause' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const paused = new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('[failpoint] paused at a (hit 2)')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    await paused;
    // Stopped, not gone: nothing was written after the failpoint, and the process still exists.
    await new Promise((r) => setTimeout(r, 300));
    expect(stdout).toBe('');
    expect(() => process.kill(child.pid!, 0)).not.toThrow();
    process.kill(child.pid!, 'SIGCONT');
    expect(await exited).toBe(0);
    expect(stdout).toBe('after');
    expect(stderr).toContain(`pid ${child.pid}`);
  }, 60_000);

  it('reset disarms everything', () => {
    const f = new Failpoints();
    f.arm('a');
    f.reset();
    expect(() => f.hit('a')).not.toThrow();
  });
});
