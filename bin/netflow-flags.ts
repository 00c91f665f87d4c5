/**
 * The Netflow commands' flags, declared once: parsing, validation and `--help` come from here.
 * Adding a flag is one line in its section (then read it in netflowConfigFromArgs).
 */
import type { FlagSpecs } from '../sdk/flags.js';

/** Where the events come from and where the pairs go. */
export const NETFLOW_IO_FLAGS = {
  input: { type: 'string', value: 'generator|suricata:<path>|zeek:<path>|ndjson:<path>|kafka:<topic>', help: '(default generator)' },
  output: { type: 'string', value: 'stdout-summary|ndjson:<path>|kafka:<topic>', help: '(default stdout-summary)' },
  brokers: { type: 'string', value: 'host:port,...', help: 'Kafka brokers (or KAFKA_BROKERS)' },
  follow: { type: 'boolean', help: 'keep reading the Kafka input (default: read to its end offsets, then finish); Ctrl-C drains: reading stops, open windows fire and are written, the run ends (with a checkpoint directory, Ctrl-C stops at a final checkpoint instead, unless told to drain)' },
  brokerOutageTimeout: { type: 'string', value: '<duration>', help: 'Kafka: how long a broker that is down or restarting is waited for (reads reconnect, writes and transactions retry) before the run fails (default 60s); a checkpointed run then resumes when run again' },
  reconnectTimeout: { type: 'string', value: '<duration>', help: 'Kafka input only: overrides brokerOutageTimeout for the read' },
  maxOutOfOrderness: { type: 'string', value: '<duration>', help: 'file inputs: fire windows while reading, allowing this much disorder' },
  maxForwardJump: { type: 'string', value: '<duration>|off', help: "file inputs with --maxOutOfOrderness, and Kafka: an event time more than this ahead of all earlier ones (a clock set to 2099) moves the watermark only once a second record confirms it; the record is still paired (default 1h)" },
  deadLetters: { type: 'string', value: 'ndjson:<path>|kafka:<topic>', help: 'every rejected record (unreadable, invalid, IPv6, failing), one JSON object each: reason, message, step, origin (file and line, or topic, partition and offset), raw (shortened past 4,000 characters)' },
  lateOutput: { type: 'string', value: 'ndjson:<path>|kafka:<topic>', help: 'every record dropped as late: reason, window, origin, record' },
} as const satisfies FlagSpecs;

/** A secured Kafka cluster: TLS and SASL (read by ./kafka-security-flags.ts). */
export const KAFKA_SECURITY_FLAGS = {
  kafkaCa: { type: 'string', value: '<ca.pem>', help: 'Kafka over TLS, trusting this CA (PEM file; scripts/kafka-start.sh writes <state dir>/ca.pem)' },
  kafkaTls: { type: 'boolean', help: "Kafka over TLS with the system's trusted CAs (implied by --kafkaCa / --kafkaCert)" },
  kafkaCert: { type: 'string', value: '<cert.pem>', help: 'client certificate for mutual TLS (PEM file, with --kafkaKey)' },
  kafkaKey: { type: 'string', value: '<key.pem>', help: 'private key of --kafkaCert (PEM file)' },
  saslMechanism: { type: 'string', value: 'plain|scram-sha-256|scram-sha-512', help: 'Kafka SASL authentication (with --saslUsername and a password)' },
  saslUsername: { type: 'string', value: '<name>', help: 'SASL user' },
  saslPassword: { type: 'string', value: '<password>', help: 'SASL password; better: the environment variable KAFKA_SASL_PASSWORD (kept out of ps and shell history)' },
} as const satisfies FlagSpecs;

/** The built-in generator (the default input, and `generate`'s). */
export const GENERATOR_FLAGS = {
  scenario: { type: 'string', value: '1|2', help: "the seed's: 1 = 10,000 events in one 3 s window, 2 = 50,000 over 17 windows" },
  seed: { type: 'string', value: 'N', help: 'random seed, 0..4294967295 (default 1)' },
  count: { type: 'string', value: 'N', help: 'events (default 10000)' },
  rate: { type: 'string', value: '<events/s>', help: 'event-time rate (default 1000)' },
  sourceIps: { type: 'string', value: 'N', help: 'distinct source IPv4 addresses, the keys (default 200)' },
  keySkew: { type: 'string', value: 'X', help: 'Zipf exponent of source-IP popularity, 0 = uniform (default 1)' },
  jitter: { type: 'string', value: '<duration>', help: 'most event-time disorder (default 500ms)' },
  ipv6Share: { type: 'string', value: 'X', help: 'share of IPv6 events (default 0.02)' },
  malformedShare: { type: 'string', value: 'X', help: 'share of malformed events (default 0.01)' },
} as const satisfies FlagSpecs;

/** The job itself. */
export const NETFLOW_JOB_FLAGS = {
  window: { type: 'string', value: '3s', help: 'tumbling event-time window' },
  features: { type: 'string', value: 'traffic|original|<name,...>', help: 'distance features (traffic = duration, bytes and packets both ways)' },
  scaling: { type: 'string', value: 'none|log1p|divide:<feature>=<divisor>,...', help: 'feature scaling (default none)' },
  allowedLateness: { type: 'string', value: '<duration>', help: 'late events are still paired within this' },
  top: { type: 'string', value: '5', help: 'most distant pairs per window' },
  histogram: { type: 'string', value: 'log|log:<k>|linear:<width>|none', help: 'distance histogram of the run' },
} as const satisfies FlagSpecs;

/** What the run reports. */
export const NETFLOW_REPORTING_FLAGS = {
  statsOut: { type: 'string', value: '<file.json>', help: 'the run summary as JSON (checked writable before the run)' },
  digests: { type: 'boolean', help: 'per key and window digests of the pairs (for comparisons)' },
  keepPairs: { type: 'string', value: 'N', help: 'keep up to N pairs in the summary (to list differences)' },
  'inject-difference': { type: 'boolean', hidden: true, help: "testing compare's report: perturb this run's pairs" },
} as const satisfies FlagSpecs;

/** Watching the run: the live page and the report (read by ./dashboard/dashboard-session.ts). */
export const DASHBOARD_FLAGS = {
  ui: { type: 'boolean', help: 'a live web page of the run (graph, rates, watermarks, backpressure, batches, checkpoints) on 127.0.0.1 only; its address is printed on stderr' },
  uiPort: { type: 'string', value: 'N', help: 'the --ui page\'s port (default: a free one)' },
  report: { type: 'string', value: '<file.html>', help: 'when the run ends, the same page as a static HTML file (compare: both runners side by side)' },
  reportData: { type: 'string', value: '<file.json>', hidden: true, help: "compare's runs: the report's data as JSON" },
} as const satisfies FlagSpecs;

/** Every flag of the netflow command besides the pipeline's. */
export const NETFLOW_FLAGS = { ...NETFLOW_IO_FLAGS, ...KAFKA_SECURITY_FLAGS, ...GENERATOR_FLAGS, ...NETFLOW_JOB_FLAGS, ...NETFLOW_REPORTING_FLAGS, ...DASHBOARD_FLAGS } as const satisfies FlagSpecs;
