import { parseArgs } from 'node:util';
import { closest, distance } from 'fastest-levenshtein';
import { PipelineOptionsError, UnknownFlagError } from './errors.js';

/**
 * One command-line flag, declared once: parsing, validation and the help line all come from it.
 *
 * @example
 * const MY_FLAGS = {
 *   input: { type: 'string', value: '<path>', help: 'the file to read' },
 *   verbose: { type: 'boolean', help: 'print every record' },
 * } as const satisfies FlagSpecs;
 */
export interface FlagSpec {
  /** `string`: `--name=value` or `--name value`. `boolean`: `--name` alone, never with a value. */
  readonly type: 'boolean' | 'string';
  /** The help line. */
  readonly help?: string;
  /** How the value is shown in help (`--window=3s` has value `3s`). Default `<value>`. */
  readonly value?: string;
  /** Accepted but not listed in help (testing aids). */
  readonly hidden?: boolean;
}

/** A program's flags by name (without the leading `--`). */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** The parsed values of `F`: a string per string flag, `true` per boolean flag given; absent flags are undefined. */
export type FlagValues<F extends FlagSpecs> = { readonly [K in keyof F & string]?: F[K]['type'] extends 'boolean' ? boolean : string };

/** Parsed values of flags not known statically. */
export type AnyFlagValues = Readonly<Record<string, string | boolean | undefined>>;

export interface ParseFlagsOptions {
  /** The program or command, named in errors (`... for 'netflow'`). */
  readonly program?: string;
  /** Whether the program takes positional arguments (default: no, a stray word is an error). */
  readonly positionals?: boolean;
  /** Ends each error message. Default `--help lists the flags`. */
  readonly hint?: string;
}

export interface ParsedFlags<F extends FlagSpecs> {
  readonly values: FlagValues<F>;
  readonly positionals: readonly string[];
}

/**
 * The known flag (or name) nearest to `name` when it is near enough to be a typo of it; case is
 * ignored in the comparison (`NATIVE` is near `native`).
 * @example nearestFlag('runnr', ['runner', 'parallelism']) // 'runner'
 */
export function nearestFlag(name: string, known: readonly string[]): string | undefined {
  if (known.length === 0 || name === '') return undefined;
  const lower = known.map((k) => k.toLowerCase());
  const near = closest(name.toLowerCase(), lower);
  return distance(name.toLowerCase(), near) <= Math.max(2, Math.floor(name.length / 3)) ? known[lower.indexOf(near)] : undefined;
}

/**
 * Parses `argv` against the declared `flags` with `node:util` parseArgs, strictly: `--name=value` and
 * `--name value` for string flags, `--name` alone for boolean ones. Fails on an unknown flag, a short
 * flag (`-x`), a stray word (unless `positionals`), a missing or empty value, a value given to a
 * boolean flag, and a flag given twice. A bare `--` is skipped when the program takes no positionals
 * (`npm start -- -- --seed=2` works); otherwise it ends the flags, as usual.
 *
 * @throws UnknownFlagError listing every unknown flag, each with the closest known flag when one is near.
 * @throws PipelineOptionsError for the other mistakes, naming the flag or the word.
 * @example
 * parseFlags(['--runner', 'microbatch', '--progress'], PIPELINE_FLAGS).values // { runner: 'microbatch', progress: true }
 * parseFlags(['--runnr=microbatch'], PIPELINE_FLAGS, { program: 'my-job' })
 * // UnknownFlagError: unknown flag --runnr (did you mean --runner?) for 'my-job'; --help lists the flags
 */
export function parseFlags<const F extends FlagSpecs>(argv: readonly string[], flags: F, options: ParseFlagsOptions = {}): ParsedFlags<F> {
  const allowPositionals = options.positionals === true;
  const args = allowPositionals ? [...argv] : argv.filter((a) => a !== '--');
  const nodeOptions = Object.fromEntries(Object.entries(flags).map(([name, spec]) => [name, { type: spec.type }]));
  const known = Object.keys(flags);
  const where = options.program !== undefined ? ` for '${options.program}'` : '';
  const hint = options.hint ?? '--help lists the flags';
  const { tokens } = parseArgs({ args, options: nodeOptions, strict: false, allowPositionals: true, tokens: true });

  const unknown: string[] = [];
  const suggestions: (string | undefined)[] = [];
  const reported = new Set<number>(); // `-abc` gives a token per letter, all at one index
  for (const t of tokens) {
    if (t.kind !== 'option' || (t.rawName.startsWith('--') && Object.hasOwn(flags, t.name)) || reported.has(t.index)) continue;
    reported.add(t.index);
    const given = t.rawName.startsWith('--') ? t.rawName : args[t.index]!;
    const near = nearestFlag(given.replace(/^-+/, '').split('=')[0]!, known);
    unknown.push(given);
    suggestions.push(near === undefined ? undefined : `--${near}`);
  }
  if (unknown.length > 0) {
    const described = unknown.map((f, i) => (suggestions[i] ? `${f} (did you mean ${suggestions[i]}?)` : f));
    throw new UnknownFlagError(`unknown flag${unknown.length > 1 ? 's' : ''} ${described.join(', ')}${where}; ${hint}`, unknown, suggestions);
  }

  const seen = new Set<string>();
  let previous: (typeof tokens)[number] | undefined;
  for (const t of tokens) {
    if (t.kind === 'option') {
      const spec = flags[t.name]!;
      if (seen.has(t.name)) throw new PipelineOptionsError(`--${t.name} is given twice${where}; give it once`);
      seen.add(t.name);
      if (spec.type === 'boolean' && t.value !== undefined) {
        throw new PipelineOptionsError(`--${t.name} takes no value${where}: give --${t.name} alone, or leave it out`);
      }
      const dashed = t.value !== undefined && !t.inlineValue && t.value.startsWith('-');
      if (spec.type === 'string' && (t.value === undefined || t.value === '' || dashed)) {
        const example = `--${t.name}=${spec.value ?? '<value>'}`;
        const dash = dashed && !t.value!.startsWith('--') ? ` (a value starting with '-' goes after '=': --${t.name}=${t.value})` : '';
        throw new PipelineOptionsError(`--${t.name} needs a value${where}: ${example}${dash}`);
      }
    } else if (t.kind === 'positional' && !allowPositionals) {
      let why = '';
      const prev = previous?.kind === 'option' ? previous : undefined;
      if (prev && flags[prev.name]?.type === 'boolean') why = ` (--${prev.name} takes no value)`;
      else {
        const [head, ...rest] = t.value.split('=');
        const near = nearestFlag(head!, known);
        if (near !== undefined) why = ` (did you mean --${near}${rest.length > 0 ? `=${rest.join('=')}` : ''}?)`;
      }
      throw new PipelineOptionsError(`unexpected argument '${t.value}'${where}${why}: flags are --name=value or --name value; ${hint}`);
    }
    previous = t;
  }

  // Everything node's strict mode refuses was refused above with a clearer message; this is the parse.
  try {
    const parsed = parseArgs({ args, options: nodeOptions, strict: true, allowPositionals });
    return { values: { ...parsed.values } as FlagValues<F>, positionals: parsed.positionals };
  } catch (e) {
    throw new PipelineOptionsError(`${(e as Error).message}${where}`);
  }
}

/**
 * Parsed values back to a command line (`--name=value`, `--name` for `true`; undefined and `false`
 * are left out), e.g. to pass flags on to a child process.
 * @example formatFlags({ runner: 'microbatch', quiet: true, count: undefined }) // ['--runner=microbatch', '--quiet']
 */
export function formatFlags(values: AnyFlagValues): string[] {
  return Object.entries(values).flatMap(([name, v]) => (v === undefined || v === false ? [] : v === true ? [`--${name}`] : [`--${name}=${v}`]));
}

/**
 * The help lines of `flags` (hidden ones left out), one per flag, in declaration order.
 * @example flagHelp({ top: { type: 'string', value: 'N', help: 'most distant pairs per window' } })
 * // '  --top=N                        most distant pairs per window'
 */
export function flagHelp(flags: FlagSpecs): string {
  return Object.entries(flags)
    .filter(([, spec]) => !spec.hidden)
    .map(([name, spec]) => {
      const left = spec.type === 'boolean' ? `--${name}` : `--${name}=${spec.value ?? '<value>'}`;
      if (!spec.help) return `  ${left}`;
      return `  ${left.length >= 30 ? `${left}  ` : left.padEnd(31)}${spec.help}`;
    })
    .join('\n');
}
