#!/usr/bin/env bash
# Resolve the local Kafka broker's runtime classpath from Maven Central into .kafka/lib.
#
# Idempotent: if .kafka/lib already holds a complete classpath for the pinned Kafka
# version (marker file .kafka/lib/.complete matching kafka/pom.xml), it does nothing.
# Requires: java, mvn. Usage: bash scripts/kafka-fetch.sh   (or: npm run kafka:fetch)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POM="$ROOT/kafka/pom.xml"
LIB="$ROOT/.kafka/lib"
MARKER="$LIB/.complete"

for tool in java mvn; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "kafka-fetch: '$tool' not found on PATH (need Java 17+ and Maven 3.6+)" >&2
    exit 1
  fi
done

# The marker records a hash of the pom, so editing the pom (e.g. bumping the Kafka
# version) triggers a fresh fetch.
POM_HASH="$(sha256sum "$POM" | cut -d' ' -f1)"
if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$POM_HASH" ]] && compgen -G "$LIB/kafka_2.13-*.jar" >/dev/null; then
  echo "kafka-fetch: classpath already present in .kafka/lib"
  exit 0
fi

echo "kafka-fetch: resolving Kafka broker classpath from Maven Central (first run takes a while)..."
start=$(date +%s)
TMP="$ROOT/.kafka/lib.tmp.$$"
rm -rf "$TMP"
mkdir -p "$ROOT/.kafka"
trap 'rm -rf "$TMP"' EXIT

mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
  -DincludeScope=runtime \
  -DoutputDirectory="$TMP"

if ! compgen -G "$TMP/kafka_2.13-*.jar" >/dev/null; then
  echo "kafka-fetch: resolution finished but kafka_2.13 jar is missing from the classpath" >&2
  exit 1
fi

echo "$POM_HASH" >"$TMP/.complete"
rm -rf "$LIB"
mv "$TMP" "$LIB"
trap - EXIT
echo "kafka-fetch: $(ls "$LIB"/*.jar | wc -l) jars in .kafka/lib ($(( $(date +%s) - start ))s)"
