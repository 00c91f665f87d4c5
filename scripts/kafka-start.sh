#!/usr/bin/env bash
# Start a local single-node Apache Kafka broker (KRaft mode: broker + controller in one JVM).
#
# Usage: bash scripts/kafka-start.sh [--fresh]   (or: npm run kafka:start [-- --fresh])
#
#   --fresh                wipe the state dir's log dir (every topic and record) and format a new
#                          cluster; same as KAFKA_FRESH=1. Without it, data is never deleted.
#
# Environment (all optional):
#   KAFKA_PORT             client (PLAINTEXT) port, default 19092
#   KAFKA_CONTROLLER_PORT  KRaft controller port, default 19093
#   KAFKA_STATE_DIR        where server.properties, data/, cluster.id, broker.pid and broker.log
#                          live, default <repo>/.kafka  (the classpath is always <repo>/.kafka/lib)
#   KAFKA_FRESH            1 = as --fresh
#   KAFKA_START_TIMEOUT    seconds to wait for the broker to answer, default 60
#   KAFKA_HEAP_OPTS        JVM heap flags, default "-Xms256m -Xmx512m"
#   KAFKA_RETENTION_MS     the broker's log.retention.ms, default -1 (records are never deleted by
#                          age). Kafka ages records by their timestamp, which Watershed sets to the
#                          event time: records replayed from an old capture would be deleted at the
#                          next retention check (every KAFKA_RETENTION_CHECK_MS, default 300000).
#   KAFKA_RETENTION_CHECK_MS  the broker's log.retention.check.interval.ms, default 300000
#   KAFKA_SASL_SSL_PORT    also open a SASL_SSL listener on this port (off when unset): TLS with a
#                          broker certificate for 127.0.0.1/localhost signed by a CA made here (kept in
#                          <state>/tls/; clients trust <state>/ca.pem), and SASL with the mechanisms
#                          PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 for one user:
#   KAFKA_SASL_USER        default "watershed"
#   KAFKA_SASL_PASSWORD    default "watershed-secret"
#                          SCRAM credentials are stored when the log dir is formatted (a log dir
#                          formatted before gets them on a start with KAFKA_SASL_SSL_PORT); PLAIN
#                          users live in the listener's JAAS config.
#
# Data survives restarts: if the state dir already holds a formatted log dir (data/meta.properties),
# the broker restarts on it with the same cluster id (kept in cluster.id) and the same settings
# (server.properties is regenerated from this script and the ports), so topics and records written
# before a stop or a crash (kill -9) are still there. Only an empty or missing data/ is formatted,
# with a new cluster id; a data/ that holds files but no meta.properties is refused (never wiped)
# unless --fresh is given.
#
# On success the LAST line on stdout is `KAFKA_BROKERS=127.0.0.1:<port>` (with KAFKA_SASL_SSL_PORT it
# is preceded by `KAFKA_SASL_SSL_BROKERS=127.0.0.1:<port>` and `KAFKA_CA=<state>/ca.pem`); progress goes to
# stderr. If the broker recorded in the pid file is still running on the requested port and
# answers, it is reused (exit 0, same output line); a pid file left by a broker that died
# (crash, kill -9) is removed and the broker restarted. The previous broker.log is kept as
# broker.log.1. On failure: exit non-zero, print the tail of the broker log, and kill the JVM
# this script started.
# Stop with scripts/kafka-stop.sh (same KAFKA_STATE_DIR).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIB="$ROOT/.kafka/lib"
PORT="${KAFKA_PORT:-19092}"
CPORT="${KAFKA_CONTROLLER_PORT:-19093}"
STATE="${KAFKA_STATE_DIR:-$ROOT/.kafka}"
TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
HEAP="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
HOST=127.0.0.1
FRESH="${KAFKA_FRESH:-0}"
SPORT="${KAFKA_SASL_SSL_PORT:-}"
SASL_USER="${KAFKA_SASL_USER:-watershed}"
SASL_PASSWORD="${KAFKA_SASL_PASSWORD:-watershed-secret}"

for arg in "$@"; do
  case "$arg" in
    --fresh) FRESH=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "kafka-start: unknown argument '$arg' (known: --fresh, --help)" >&2
      exit 2
      ;;
  esac
done
case "$FRESH" in
  1 | true) FRESH=1 ;;
  0 | false | '') FRESH=0 ;;
  *)
    echo "kafka-start: KAFKA_FRESH must be 1 or 0, got '$FRESH'" >&2
    exit 2
    ;;
esac

PROPS="$STATE/server.properties"
DATA="$STATE/data"
PIDFILE="$STATE/broker.pid"
PORTFILE="$STATE/broker.port"
LOG="$STATE/broker.log"
CLUSTER_ID_FILE="$STATE/cluster.id"
META="$DATA/meta.properties"
LOG4J="$ROOT/kafka/log4j.properties"

say() { echo "kafka-start: $*" >&2; }

die() {
  say "$*"
  if [[ -f "$LOG" ]]; then
    echo "----- last 40 lines of $LOG -----" >&2
    tail -n 40 "$LOG" >&2 || true
    echo "---------------------------------" >&2
  fi
  exit 1
}

if [[ "$PORT" == "$CPORT" ]]; then
  die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ (both $PORT)"
fi
if [[ -n "$SPORT" ]]; then
  [[ "$SPORT" =~ ^[0-9]+$ ]] || die "KAFKA_SASL_SSL_PORT must be a port number, got '$SPORT'"
  [[ "$SPORT" != "$PORT" && "$SPORT" != "$CPORT" ]] || die "KAFKA_SASL_SSL_PORT ($SPORT) must differ from KAFKA_PORT and KAFKA_CONTROLLER_PORT"
  [[ "$SASL_USER" =~ ^[A-Za-z0-9_.-]+$ ]] || die "KAFKA_SASL_USER may hold only letters, digits, '_', '.' and '-'"
  [[ "$SASL_PASSWORD" =~ ^[A-Za-z0-9_.@%+-]+$ ]] || die "KAFKA_SASL_PASSWORD may hold only letters, digits and _.@%+-"
fi

# Is <pid> alive and the Kafka broker JVM of this state dir, i.e. running kafka.Kafka on this
# state dir's server.properties (guards against a pid recycled after a crash, possibly by the
# broker of another state dir)? Where /proc is missing, any live pid counts.
is_broker_pid() {
  local pid="$1" props
  local -a args
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 0
  mapfile -d '' -t args <"/proc/$pid/cmdline" 2>/dev/null || return 1
  ((${#args[@]} >= 2)) && [[ "${args[${#args[@]} - 2]}" == kafka.Kafka ]] || return 1
  props="${args[${#args[@]} - 1]}"
  [[ "$props" == /* ]] || props="/proc/$pid/cwd/$props"
  [[ "$props" -ef "$PROPS" ]]
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# Broker answers a real Kafka request (metadata via kafkajs) — used when node and the
# repo's node_modules are available; otherwise the TCP check + log line must do.
broker_answers() {
  port_open "$PORT" || return 1
  if command -v node >/dev/null 2>&1 && [[ -d "$ROOT/node_modules/kafkajs" ]]; then
    (cd "$ROOT" && timeout 15 node -e '
      const { Kafka, logLevel } = require("kafkajs");
      const kafka = new Kafka({ clientId: "watershed-kafka-start", brokers: [process.argv[1]],
        logLevel: logLevel.NOTHING, connectionTimeout: 2000, requestTimeout: 5000,
        retry: { retries: 0 } });
      const admin = kafka.admin();
      admin.connect()
        .then(() => admin.describeCluster())
        .then((c) => admin.disconnect().then(() => process.exit(c.brokers.length > 0 ? 0 : 1)))
        .catch(() => process.exit(1));
    ' "$HOST:$PORT") >/dev/null 2>&1
  fi
}

# ---- reuse a running broker --------------------------------------------------------------
if [[ -f "$PIDFILE" ]]; then
  OLD_PID="$(cat "$PIDFILE" 2>/dev/null || true)"
  if is_broker_pid "$OLD_PID"; then
    OLD_PORT="$(cat "$PORTFILE" 2>/dev/null || echo '?')"
    if [[ "$OLD_PORT" != "$PORT" ]]; then
      die "a broker (pid $OLD_PID) from $STATE is already running on port $OLD_PORT, not $PORT; stop it first (bash scripts/kafka-stop.sh) or use another KAFKA_STATE_DIR"
    fi
    if [[ "$FRESH" == 1 ]]; then
      die "a broker (pid $OLD_PID) is running on $STATE; --fresh would wipe its data under it: stop it first (bash scripts/kafka-stop.sh)"
    fi
    if broker_answers; then
      say "reusing running broker (pid $OLD_PID)"
      if [[ -n "$SPORT" ]] && port_open "$SPORT"; then printf 'KAFKA_SASL_SSL_BROKERS=%s:%s\nKAFKA_CA=%s\n' "$HOST" "$SPORT" "$STATE/ca.pem"; fi
      echo "KAFKA_BROKERS=$HOST:$PORT"
      exit 0
    fi
    die "broker pid $OLD_PID is running but does not answer on $HOST:$PORT; stop it with bash scripts/kafka-stop.sh"
  fi
  say "removing stale pid file (broker pid ${OLD_PID:-?} is not running)"
  rm -f "$PIDFILE" "$PORTFILE"
fi

# ---- preconditions -----------------------------------------------------------------------
command -v java >/dev/null 2>&1 || die "java not found on PATH (need Java 17+)"
bash "$ROOT/scripts/kafka-fetch.sh" >&2

for p in "$PORT" "$CPORT" $SPORT; do
  if port_open "$p"; then
    die "port $HOST:$p is already in use by another process (set KAFKA_PORT / KAFKA_CONTROLLER_PORT)"
  fi
done

# ---- log dir: restart on existing data, or format ----------------------------------------
mkdir -p "$STATE"
if [[ "$FRESH" == 1 && -e "$DATA" ]]; then
  say "--fresh: deleting $DATA (every topic and record of this state dir)"
  rm -rf "$DATA"
  rm -f "$CLUSTER_ID_FILE"
fi
RESTART=0
if [[ -f "$META" ]]; then
  RESTART=1
elif [[ -d "$DATA" ]] && [[ -n "$(ls -A "$DATA" 2>/dev/null)" ]]; then
  die "$DATA holds files but no meta.properties (not a formatted Kafka log dir); not touching it. Move it away, or start with --fresh to delete it"
fi
mkdir -p "$DATA"
# Keep the previous run's log (e.g. why a crashed broker died); the readiness check reads the new one.
[[ -s "$LOG" ]] && mv -f "$LOG" "$LOG.1"
: >"$LOG"

# ---- SASL_SSL listener (KAFKA_SASL_SSL_PORT) -----------------------------------------------
TLS="$STATE/tls"
KEYSTORE_PASSWORD=watershed-keystore
make_certificates() {
  command -v openssl >/dev/null 2>&1 || die "openssl not found on PATH (needed for KAFKA_SASL_SSL_PORT)"
  rm -rf "$TLS"
  mkdir -p "$TLS"
  say "making a CA and a broker certificate for $HOST/localhost in $TLS"
  {
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Watershed test CA" \
      -keyout "$TLS/ca.key" -out "$TLS/ca.pem" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$TLS/broker.key" -out "$TLS/broker.csr"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$TLS/broker.ext"
    openssl x509 -req -in "$TLS/broker.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" -CAcreateserial \
      -days 3650 -extfile "$TLS/broker.ext" -out "$TLS/broker.pem"
    openssl pkcs12 -export -name broker -in "$TLS/broker.pem" -inkey "$TLS/broker.key" -certfile "$TLS/ca.pem" \
      -out "$TLS/broker.p12" -passout "pass:$KEYSTORE_PASSWORD"
  } >>"$LOG" 2>&1 || die "making the TLS certificates failed"
  # Check the keystore with the JDK's own tool, as the broker will read it.
  keytool -list -storetype PKCS12 -keystore "$TLS/broker.p12" -storepass "$KEYSTORE_PASSWORD" >>"$LOG" 2>&1 ||
    die "the broker keystore $TLS/broker.p12 cannot be read by keytool"
}
SCRAM_ARGS=(--add-scram "SCRAM-SHA-256=[name=$SASL_USER,password=$SASL_PASSWORD]" --add-scram "SCRAM-SHA-512=[name=$SASL_USER,password=$SASL_PASSWORD]")
LISTENERS="PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CPORT"
ADVERTISED="PLAINTEXT://$HOST:$PORT"
PROTOCOLS="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
SASL_PROPS=""
if [[ -n "$SPORT" ]]; then
  if [[ "$FRESH" == 1 || ! -s "$TLS/broker.p12" || ! -s "$TLS/ca.pem" ]]; then make_certificates; fi
  cp -f "$TLS/ca.pem" "$STATE/ca.pem"
  LISTENERS="$LISTENERS,SASL_SSL://$HOST:$SPORT"
  ADVERTISED="$ADVERTISED,SASL_SSL://$HOST:$SPORT"
  PROTOCOLS="$PROTOCOLS,SASL_SSL:SASL_SSL"
  SASL_PROPS="sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_ssl.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$SASL_USER=\"$SASL_PASSWORD\";
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.ssl.keystore.type=PKCS12
listener.name.sasl_ssl.ssl.keystore.location=$TLS/broker.p12
listener.name.sasl_ssl.ssl.keystore.password=$KEYSTORE_PASSWORD
listener.name.sasl_ssl.ssl.key.password=$KEYSTORE_PASSWORD
listener.name.sasl_ssl.ssl.client.auth=none"
fi

cat >"$PROPS" <<EOF
# Generated by scripts/kafka-start.sh — do not edit; regenerated on every start (data/ is kept).
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CPORT
listeners=$LISTENERS
advertised.listeners=$ADVERTISED
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=$PROTOCOLS
log.dirs=$DATA
num.partitions=3
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
num.network.threads=2
num.io.threads=4
log.retention.ms=${KAFKA_RETENTION_MS:--1}
log.retention.check.interval.ms=${KAFKA_RETENTION_CHECK_MS:-300000}
$SASL_PROPS
EOF

CP="$LIB/*"
JAVA_COMMON=(-Djava.awt.headless=true "-Dlog4j.configuration=file:$LOG4J")

if [[ "$RESTART" == 1 ]]; then
  # The cluster id the data was formatted with (meta.properties is authoritative; cluster.id is
  # written at format time so the state dir says which cluster it holds).
  CLUSTER_ID="$(sed -n 's/^cluster\.id=//p' "$META" | head -n 1)"
  [[ -n "$CLUSTER_ID" ]] || die "$META has no cluster.id; start with --fresh to reformat (deletes the data)"
  if [[ -s "$CLUSTER_ID_FILE" && "$(cat "$CLUSTER_ID_FILE")" != "$CLUSTER_ID" ]]; then
    die "$CLUSTER_ID_FILE ($(cat "$CLUSTER_ID_FILE")) does not match the cluster id of $DATA ($CLUSTER_ID); not starting"
  fi
  echo "$CLUSTER_ID" >"$CLUSTER_ID_FILE"
  say "restarting on the existing data in $DATA (cluster id $CLUSTER_ID; --fresh would delete it)"
else
  CLUSTER_ID="$(java -cp "$CP" "${JAVA_COMMON[@]}" kafka.tools.StorageTool random-uuid 2>>"$LOG" | tail -n 1)"
  [[ -n "$CLUSTER_ID" ]] || die "could not generate a cluster id"
  if ! java -cp "$CP" "${JAVA_COMMON[@]}" kafka.tools.StorageTool format \
    -t "$CLUSTER_ID" -c "$PROPS" "${SCRAM_ARGS[@]}" >>"$LOG" 2>&1; then
    die "formatting the KRaft log dir failed"
  fi
  echo "$CLUSTER_ID" >"$CLUSTER_ID_FILE"
  say "formatted a new log dir in $DATA (cluster id $CLUSTER_ID)"
fi

# ---- launch ------------------------------------------------------------------------------
say "starting broker on $HOST:$PORT (controller $HOST:$CPORT, state $STATE)"
started_at=$(date +%s)

# The inner bash records its own pid and then execs java, so the pid file holds the JVM's
# pid. setsid detaches the broker from this script's process group / terminal.
SETSID=()
command -v setsid >/dev/null 2>&1 && SETSID=(setsid)
# shellcheck disable=SC2086
"${SETSID[@]}" bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PIDFILE" \
  java $HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
  "${JAVA_COMMON[@]}" -cp "$CP" kafka.Kafka "$PROPS" \
  </dev/null >>"$LOG" 2>&1 &

for _ in $(seq 1 50); do [[ -s "$PIDFILE" ]] && break; sleep 0.1; done
PID="$(cat "$PIDFILE" 2>/dev/null || true)"
[[ -n "$PID" ]] || die "broker did not record its pid"
echo "$PORT" >"$PORTFILE"

fail_and_kill() {
  if kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$PID" 2>/dev/null || true
  fi
  rm -f "$PIDFILE" "$PORTFILE"
  die "$@"
}

deadline=$((started_at + TIMEOUT))
while :; do
  if ! kill -0 "$PID" 2>/dev/null; then
    rm -f "$PIDFILE" "$PORTFILE"
    die "broker process $PID exited during startup"
  fi
  if grep -q 'Kafka Server started' "$LOG" && broker_answers; then
    break
  fi
  if (($(date +%s) >= deadline)); then
    fail_and_kill "broker did not become ready within ${TIMEOUT}s"
  fi
  sleep 0.5
done

say "broker ready (pid $PID) after $(($(date +%s) - started_at))s; log: $LOG"
if [[ -n "$SPORT" && "$RESTART" == 1 ]]; then
  # A log dir formatted before (maybe without SCRAM users, or with another password): set the user's
  # SCRAM credentials, one mechanism per call (Kafka 3.9 refuses two for one user in one request).
  for mechanism in SCRAM-SHA-256 SCRAM-SHA-512; do
    java -cp "$CP" "${JAVA_COMMON[@]}" kafka.admin.ConfigCommand --bootstrap-server "$HOST:$PORT" --alter \
      --add-config "$mechanism=[password=$SASL_PASSWORD]" \
      --entity-type users --entity-name "$SASL_USER" >>"$LOG" 2>&1 || fail_and_kill "could not set the $mechanism credentials of $SASL_USER"
  done
fi
if [[ -n "$SPORT" ]]; then
  say "SASL_SSL listener on $HOST:$SPORT (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512; user $SASL_USER; CA $STATE/ca.pem)"
  printf 'KAFKA_SASL_SSL_BROKERS=%s:%s\nKAFKA_CA=%s\n' "$HOST" "$SPORT" "$STATE/ca.pem"
fi
echo "KAFKA_BROKERS=$HOST:$PORT"
