/**
 * Each command's flags and help text (`--help`, `help [command]`). The flag lines come from the flags'
 * declarations, so the help lists exactly what a command accepts.
 */
import { flagHelp, type FlagSpecs } from '../sdk/flags.js';
import { PIPELINE_FLAGS } from '../sdk/options.js';
import { COMPARE_FLAGS, COMPARE_OWN_FLAGS } from './compare-command.js';
import { EXAMPLE_FLAGS } from './example-command.js';
import { WINDOWED_PAGE_VIEWS_FLAGS } from '../pipelines/examples/windowed-page-views.js';
import { GENERATE_FLAGS } from './generate-command.js';
import { NETFLOW_COMMAND_FLAGS } from './netflow-command.js';
import { DASHBOARD_FLAGS, GENERATOR_FLAGS, KAFKA_SECURITY_FLAGS, NETFLOW_IO_FLAGS, NETFLOW_JOB_FLAGS, NETFLOW_REPORTING_FLAGS } from './netflow-flags.js';

/** Every flag each command accepts (what the CLI parses against). */
export const COMMAND_FLAGS: Readonly<Record<string, FlagSpecs>> = {
  netflow: NETFLOW_COMMAND_FLAGS,
  compare: COMPARE_FLAGS,
  generate: { ...PIPELINE_FLAGS, ...GENERATE_FLAGS },
  example: { ...PIPELINE_FLAGS, ...EXAMPLE_FLAGS },
};

/** The commands the CLI has. */
export const COMMANDS = Object.keys(COMMAND_FLAGS);

/** A titled block of help lines: those of `flags` that `accepted` (default: all) holds. */
function section(title: string, flags: FlagSpecs, accepted: FlagSpecs = flags): string {
  return `${title}\n${flagHelp(Object.fromEntries(Object.entries(flags).filter(([name]) => Object.hasOwn(accepted, name))))}`;
}

const pipelineFlags = (accepted?: FlagSpecs) => section('Pipeline flags (every command that runs a pipeline):', PIPELINE_FLAGS, accepted);
const netflowFlags = (accepted?: FlagSpecs) =>
  [
    section('Inputs and outputs:', NETFLOW_IO_FLAGS, accepted),
    section('A secured Kafka cluster (TLS, SASL):', KAFKA_SECURITY_FLAGS, accepted),
    section('Generator (the embedded default input):', GENERATOR_FLAGS, accepted),
    section('The job:', NETFLOW_JOB_FLAGS, accepted),
    section('Reporting:', NETFLOW_REPORTING_FLAGS, accepted),
    section('Watching the run:', DASHBOARD_FLAGS, accepted),
  ].join('\n');

/**
 * How the help spells the commands: `npm start --` and `npm run compare --` in this repository, `watershed`
 * and `watershed compare` where the package is installed (its `watershed` bin, e.g. `npx watershed`).
 */
export interface CommandNames {
  /** The default command, followed by a command's name or flags: `npm start --` or `watershed`. */
  readonly start: string;
  /** The compare command: `npm run compare --` or `watershed compare`. */
  readonly compare: string;
}

/** The commands as this repository's npm scripts run them (`npm start -- example`). */
export const NPM_SCRIPT_NAMES: CommandNames = { start: 'npm start --', compare: 'npm run compare --' };
/** The commands as the installed package's bin runs them (`npx watershed example`). */
export const BIN_NAMES: CommandNames = { start: 'watershed', compare: 'watershed compare' };

const texts = ({ start, compare }: CommandNames): Record<string, string> => ({
  netflow: `${start} [netflow] [flags]

The Netflow job of the seed ("Big Data applied: Spark vs Flink"), in-process, on the chosen runner:
drop IPv6 -> parse -> key by source IPv4 -> tumbling windows -> every pair's Euclidean distance.
Flags take the form --<flag>=<value> or --<flag> <value>.

${netflowFlags()}

${pipelineFlags()}

Examples:
  ${start} --runner=microbatch --scenario=1
  ${start} --input=zeek:../shared/data/zeek-conn-portscan.log --window=5s --output=ndjson:out/pairs.ndjson
  ${start} --input=kafka:netflow --output=kafka:netflow-pairs --brokers=127.0.0.1:19092
  ${start} --scenario=2 --ui --report=out/scenario-2.html`,
  compare: `${compare} [flags]

Runs the Netflow job on both runners, each in its own process, over the same input, and writes
<outDir>/<name>/report.html (charts) and report.json: result equality per key and window, computation
time, throughput, latency p50/p95/p99, CPU time and peak memory per runner. With --output, each runner
writes its own: ndjson:out/p.ndjson becomes out/p.native.ndjson and out/p.microbatch.ndjson, kafka:pairs
becomes the topics pairs.native and pairs.microbatch. Exits 0 when the results are the same, 1 when
they differ, 2 on a usage error or a failed run (as diff does).

${section('The comparison:', COMPARE_OWN_FLAGS)}
${netflowFlags(COMPARE_FLAGS)}

${pipelineFlags(COMPARE_FLAGS)}

Example:
  ${compare} --scenario=1`,
  generate: `${start} generate --output=kafka:<topic>|ndjson:<path> [flags]

Writes the built-in generator's Netflow events (IPv6 and malformed ones included) to a Kafka topic, one
record per event, or to an NDJSON file: the input of the seed's setup.

${section('Output:', { output: GENERATE_FLAGS.output, brokers: GENERATE_FLAGS.brokers })}
${section('A secured Kafka cluster (TLS, SASL):', KAFKA_SECURITY_FLAGS)}
${section('Generator:', GENERATOR_FLAGS)}

${pipelineFlags()}

Example (the seed's experiment):
  ${start} generate --scenario=1 --output=kafka:netflow --brokers=127.0.0.1:19092
  ${compare} --input=kafka:netflow --output=kafka:netflow-pairs --brokers=127.0.0.1:19092`,
  example: `${start} example [flags]

Windowed page views: per-user counts with late data and the busiest users per window.

${section('Page views:', WINDOWED_PAGE_VIEWS_FLAGS)}
${section('Watching the run:', DASHBOARD_FLAGS)}

${pipelineFlags()}`,
});

/**
 * The help text of `command`; otherwise the overview followed by the default command's text. `names`
 * spells the commands as the user runs them (default: this repository's npm scripts).
 * @example usageOf('example', BIN_NAMES) // 'watershed example [flags]\n\nWindowed page views: ...'
 */
export function usageOf(command: string | undefined, names: CommandNames = NPM_SCRIPT_NAMES): string {
  const all = texts(names);
  const text = command !== undefined ? all[command] : undefined;
  if (text) return text;
  const { start, compare } = names;
  return `Watershed: portable stream pipelines in the Apache Beam model.

Commands:
${[
    [`${start} [netflow] [flags]`, 'the Netflow job (the default command)'],
    [`${start} example [flags]`, 'windowed page views'],
    [`${compare} [flags]`, 'the Netflow job on both runners, compared in a report'],
    [`${start} generate [flags]`, "the generator's Netflow events to a Kafka topic or a file"],
  ]
    .map(([usage, what]) => `  ${usage!.padEnd(33)}  ${what}`)
    .join('\n')}

\`${start} <command> --help\` lists a command's flags. The default command's:

${all['netflow']}`;
}
