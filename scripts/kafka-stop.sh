#!/usr/bin/env bash
# Stop the local Kafka broker started by scripts/kafka-start.sh.
#
# Usage: bash scripts/kafka-stop.sh            (or: npm run kafka:stop)
# Environment: KAFKA_STATE_DIR (default <repo>/.kafka), KAFKA_STOP_TIMEOUT (seconds, default 30).
#
# Only ever signals the pid recorded in $KAFKA_STATE_DIR/broker.pid (and only if that pid is
# still a kafka.Kafka JVM running this state dir's server.properties): SIGTERM (controlled shutdown), wait, then SIGKILL that pid.
# Removes the pid file. Exit 0 if nothing was running.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${KAFKA_STATE_DIR:-$ROOT/.kafka}"
TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
PIDFILE="$STATE/broker.pid"
PORTFILE="$STATE/broker.port"

say() { echo "kafka-stop: $*" >&2; }

if [[ ! -f "$PIDFILE" ]]; then
  say "no pid file ($PIDFILE); nothing to stop"
  exit 0
fi

PID="$(cat "$PIDFILE" 2>/dev/null || true)"
if ! [[ "$PID" =~ ^[0-9]+$ ]] || ! kill -0 "$PID" 2>/dev/null; then
  say "broker (pid ${PID:-?}) is not running; removing stale pid file"
  rm -f "$PIDFILE" "$PORTFILE"
  exit 0
fi

# The broker JVM runs `kafka.Kafka <state>/server.properties`: check both (the path may be relative
# to the JVM's working directory, and spelled differently from KAFKA_STATE_DIR here).
is_this_broker() {
  local pid="$1" props
  local -a args
  [[ -r "/proc/$pid/cmdline" ]] || return 0
  mapfile -d '' -t args <"/proc/$pid/cmdline" 2>/dev/null || return 1
  ((${#args[@]} >= 2)) && [[ "${args[${#args[@]} - 2]}" == kafka.Kafka ]] || return 1
  props="${args[${#args[@]} - 1]}"
  [[ "$props" == /* ]] || props="/proc/$pid/cwd/$props"
  [[ "$props" -ef "$STATE/server.properties" ]]
}

if ! is_this_broker "$PID"; then
  say "pid $PID is not the Kafka broker of $STATE (pid recycled?); not signalling it, removing stale pid file"
  rm -f "$PIDFILE" "$PORTFILE"
  exit 0
fi

say "stopping broker (pid $PID)"
started_at=$(date +%s)
kill -TERM "$PID" 2>/dev/null || true

deadline=$((started_at + TIMEOUT))
while kill -0 "$PID" 2>/dev/null; do
  if (($(date +%s) >= deadline)); then
    say "broker did not exit within ${TIMEOUT}s; sending SIGKILL to pid $PID"
    kill -KILL "$PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    break
  fi
  sleep 0.2
done

if kill -0 "$PID" 2>/dev/null; then
  say "pid $PID still alive after SIGKILL"
  exit 1
fi

rm -f "$PIDFILE" "$PORTFILE"
say "stopped after $(($(date +%s) - started_at))s"
