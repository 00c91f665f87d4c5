/** The CLI's help texts, printed by `--help` (or `help [command]`). */

const PIPELINE = `Pipeline flags (every command that runs a pipeline):
  --runner=native|microbatch     the runner (default native)
  --batchInterval=1s|asap        micro-batch: processing time per batch, or start each batch when the last ends
  --maxBatchSize=N               micro-batch: most elements per batch (default 100000)
  --bundleSize=N                 native: elements per bundle (default 1000)
  --bufferSize=N                 native: source buffer capacity, the backpressure bound (default 10000)
  --idleTimeout=<duration>       a silent input stops holding the watermark back after this long
  --progress                     micro-batch progress reports on stderr`;

const NETFLOW = `Inputs and outputs:
  --input=generator|suricata:<path>|zeek:<path>|ndjson:<path>|kafka:<topic>   (default generator)
  --output=stdout-summary|ndjson:<path>|kafka:<topic>                        (default stdout-summary)
  --brokers=host:port,...        Kafka brokers (or KAFKA_BROKERS)
  --follow                       keep reading the Kafka input (default: read to its end offsets, then finish);
                                 Ctrl-C drains: reading stops, open windows fire and are written, the run ends
  --reconnectTimeout=<duration>  Kafka input: how long a lost broker is waited for before failing (default 60s)
  --maxOutOfOrderness=<duration> file inputs: fire windows while reading, allowing this much disorder
Generator (the embedded default input):
  --scenario=1|2                 the seed's scenarios: 1 = 10,000 events in one 3 s window (~2 M pairs),
                                 2 = 50,000 events over 17 windows
  --seed=N --count=N --rate=<events/s> --sourceIps=N --keySkew=X --jitter=<duration>
  --ipv6Share=X --malformedShare=X
The job:
  --window=3s                    tumbling event-time window
  --features=traffic|original|<name,...>   distance features (traffic = duration, bytes and packets both ways)
  --scaling=none|log1p|divide:<feature>=<divisor>,...
  --allowedLateness=<duration>   late events are still paired within this
  --top=5                        most distant pairs per window
  --histogram=log|log:<k>|linear:<width>|none
Reporting:
  --statsOut=<file.json>         the run summary as JSON
  --digests                      per key and window digests of the pairs (for comparisons)
  --keepPairs=N                  keep up to N pairs in the summary (to list differences)
  --quiet                        no summary on stdout`;

const TEXTS: Record<string, string> = {
  netflow: `npm start -- [netflow] [flags]

The Netflow job of the seed ("Big Data applied: Spark vs Flink"), in-process, on the chosen runner:
drop IPv6 -> parse -> key by source IPv4 -> tumbling windows -> every pair's Euclidean distance.

${NETFLOW}

${PIPELINE}

Examples:
  npm start -- --runner=microbatch --scenario=1
  npm start -- --input=zeek:../shared/data/zeek-conn-portscan.log --window=5s --output=ndjson:out/pairs.ndjson
  npm start -- --input=kafka:netflow --output=kafka:netflow-pairs --brokers=127.0.0.1:19092`,
  compare: `npm run compare -- [netflow flags] [--name=<report name>] [--outDir=out/compare]

Runs the Netflow job on both runners, each in its own process, over the same input, and writes
<outDir>/<name>/report.html (charts) and report.json: result equality per key and window, computation
time, throughput, latency p50/p95/p99, CPU time and peak memory per runner. With --output, each runner
writes its own: ndjson:out/p.ndjson becomes out/p.native.ndjson and out/p.microbatch.ndjson, kafka:pairs
becomes the topics pairs.native and pairs.microbatch.

${NETFLOW}

Example:
  npm run compare -- --scenario=1`,
  generate: `npm start -- generate --output=kafka:<topic>|ndjson:<path> [--brokers=host:port,...] [generator flags]

Writes the built-in generator's Netflow events (IPv6 and malformed ones included) to a Kafka topic, one
record per event, or to an NDJSON file: the input of the seed's setup.

  --output=kafka:<topic>|ndjson:<path>
  --brokers=host:port,...        Kafka brokers (or KAFKA_BROKERS)
  --scenario=1|2  --seed=N --count=N --rate=<events/s> --sourceIps=N --keySkew=X --jitter=<duration>
  --ipv6Share=X --malformedShare=X

${PIPELINE}

Example (the seed's experiment):
  npm start -- generate --scenario=1 --output=kafka:netflow --brokers=127.0.0.1:19092
  npm run compare -- --input=kafka:netflow --output=kafka:netflow-pairs --brokers=127.0.0.1:19092`,
  example: `npm start -- example [--count=2000] [pipeline flags]

Windowed page views: per-user counts with late data and the busiest users per window.

${PIPELINE}`,
};

/** The commands the CLI has. */
export const COMMANDS = Object.keys(TEXTS);

/** The help text of `command`; otherwise the overview followed by the default command's text. */
export function usageOf(command: string | undefined): string {
  const text = command !== undefined ? TEXTS[command] : undefined;
  if (text) return text;
  return `Watershed: portable stream pipelines in the Apache Beam model.

Commands:
  npm start -- [netflow] [flags]     the Netflow job (the default command)
  npm start -- example [flags]       windowed page views
  npm run compare -- [flags]         the Netflow job on both runners, compared in a report
  npm start -- generate [flags]      the generator's Netflow events to a Kafka topic or a file

\`npm start -- <command> --help\` lists a command's flags. The default command's:

${TEXTS['netflow']}`;
}
