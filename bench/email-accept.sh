#!/usr/bin/env bash
# Email accept: POST /api/v1/email (validated, stored in the outbox, 202) against a bare Camel platform-http route
# answering 200 in the same hub, with the same load generator (wrk), connections and run (console provider, so
# delivery runs alongside, as in production). Prints throughput, p50 and p99 of each and their ratio.
#
#   bench/email-accept.sh                         (DURATION=20 WARMUP=10 CONNECTIONS=32 THREADS=2 PORT=18080)
#
# Needs wrk (Debian, Ubuntu: apt-get install wrk; macOS: brew install wrk). Uses the packaged hub
# (target/integration-hub.jar; built when missing) on its embedded store, in a folder of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PORT=${PORT:-18080}
KEY=benchmark-admin-key-0123456789

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk (Debian, Ubuntu) or brew install wrk" >&2; exit 1; }
[ -f target/integration-hub.jar ] || mvn -q -DskipTests package
JAR=$PWD/target/integration-hub.jar

work=$(mktemp -d)
hub=
cleanup() {
  [ -n "$hub" ] && kill "$hub" 2>/dev/null && wait "$hub" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/routes" "$work/templates"
cp bench/bare-route.camel.yaml "$work/routes/"

(cd "$work" && exec env HUB_PORT=$PORT HUB_ROUTES_DIR="$work/routes" HUB_TEMPLATES_DIR="$work/templates" \
  HUB_ADMIN_KEY=$KEY EMAIL_PROVIDER=console ${HUB_ENV:-} java ${JAVA_OPTS:-} -jar "$JAR" > "$work/hub.log" 2>&1) &
hub=$!
for _ in $(seq 1 120); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/observe/health/ready" && break
  sleep 0.5
done
curl -sf -o /dev/null "http://127.0.0.1:$PORT/observe/health/ready" || { echo "the hub did not start:" >&2; tail -30 "$work/hub.log" >&2; exit 1; }

run() { # seconds url script [script args]
  local seconds=$1 url=$2 script=$3; shift 3
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --latency -s "$script" "$url" -- "$@" > "$work/wrk.out"
  if grep -q "Non-2xx" "$work/wrk.out"; then grep "Non-2xx" "$work/wrk.out" >&2; fi
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    END { printf "%.0f %.2f %.2f\n", rps, p50, p99 }' "$work/wrk.out"
}

BARE=http://127.0.0.1:$PORT/bench/bare
EMAIL=http://127.0.0.1:$PORT/api/v1/email

echo "warming up ($WARMUP s each)..." >&2
run "$WARMUP" "$BARE" bench/bare-post.lua > /dev/null
run "$WARMUP" "$EMAIL" bench/email.lua "$KEY" > /dev/null

echo "measuring ($DURATION s each, $CONNECTIONS connections, $THREADS wrk threads)..." >&2
read -r bare_rps bare_p50 bare_p99 < <(run "$DURATION" "$BARE" bench/bare-post.lua)
read -r mail_rps mail_p50 mail_p99 < <(run "$DURATION" "$EMAIL" bench/email.lua "$KEY")
printf '\n%-44s %10s %9s %9s\n' "wrk, $CONNECTIONS connections, ${DURATION} s" "requests/s" "p50 ms" "p99 ms"
printf '%-44s %10s %9s %9s\n' "bare platform-http route (200)" "$bare_rps" "$bare_p50" "$bare_p99"
printf '%-44s %10s %9s %9s\n' "POST /api/v1/email (stored, 202)" "$mail_rps" "$mail_p50" "$mail_p99"
awk -v b="$bare_rps" -v m="$mail_rps" 'BEGIN { printf "email accept / bare route: %.2f of the throughput\n", m / b }'
