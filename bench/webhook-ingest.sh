#!/usr/bin/env bash
# Webhook ingest: Stripe-signed events verified, deduplicated, stored and acknowledged (200) per second by
# POST /webhooks/stripe, against a bare Camel platform-http route answering 200 in the same hub, with the same load
# generator (wrk), connections and run. Prints throughput, p50 and p99 of each and their ratios.
#
#   bench/webhook-ingest.sh                      (DURATION=30 WARMUP=10 CONNECTIONS=32 THREADS=2 PORT=18080)
#
# Needs wrk (Debian, Ubuntu: apt-get install wrk; macOS: brew install wrk). Uses the packaged hub
# (target/integration-hub.jar; built when missing) on its embedded store, in a folder of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PORT=${PORT:-18080}
# events written per measured second, more than the hub is expected to take (a repeat would be a cheaper duplicate)
EVENTS_PER_SECOND=${EVENTS_PER_SECOND:-12000}
SECRET=whsec_benchmark_not_a_secret

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
  STRIPE_WEBHOOK_SECRET=$SECRET HUB_ADMIN_KEY=benchmark-admin-key-0123456789 \
  java ${JAVA_OPTS:-} -jar "$JAR" > "$work/hub.log" 2>&1) &
hub=$!
for _ in $(seq 1 120); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/observe/health/ready" && break
  sleep 0.5
done
curl -sf -o /dev/null "http://127.0.0.1:$PORT/observe/health/ready" || { echo "the hub did not start:" >&2; tail -30 "$work/hub.log" >&2; exit 1; }

# wrk's throughput, p50 and p99 (in ms) of one run
run() { # seconds url script [script args]
  local seconds=$1 url=$2 script=$3; shift 3
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --latency -s "$script" "$url" -- "$@" > "$work/wrk.out"
  grep -q "^repeated events" "$work/wrk.out" && grep "^repeated events" "$work/wrk.out" >&2
  if grep -q "Non-2xx" "$work/wrk.out"; then grep "Non-2xx" "$work/wrk.out" >&2; fi
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    END { printf "%.0f %.2f %.2f\n", rps, p50, p99 }' "$work/wrk.out"
}

events() { # seconds file
  java bench/SignStripeEvents.java $(( $1 * EVENTS_PER_SECOND )) "$SECRET" "$2" "$(basename "$2")$RANDOM"
}

BARE=http://127.0.0.1:$PORT/bench/bare
WEBHOOK=http://127.0.0.1:$PORT/webhooks/stripe

echo "warming up ($WARMUP s each)..." >&2
run "$WARMUP" "$BARE" bench/bare-post.lua > /dev/null
events "$WARMUP" "$work/warmup.events"
run "$WARMUP" "$WEBHOOK" bench/stripe-events.lua "$work/warmup.events" "$THREADS" > /dev/null

echo "measuring ($DURATION s each, $CONNECTIONS connections, $THREADS wrk threads)..." >&2
read -r bare_rps bare_p50 bare_p99 < <(run "$DURATION" "$BARE" bench/bare-post.lua)
events "$DURATION" "$work/measured.events"
read -r hook_rps hook_p50 hook_p99 < <(run "$DURATION" "$WEBHOOK" bench/stripe-events.lua "$work/measured.events" "$THREADS")

stored=$(curl -s "http://127.0.0.1:$PORT/api/v1/webhooks/events?limit=1" -H "Authorization: Bearer benchmark-admin-key-0123456789" -o /dev/null -w '%{http_code}')
printf '\n%-44s %10s %9s %9s\n' "wrk, $CONNECTIONS connections, ${DURATION} s" "requests/s" "p50 ms" "p99 ms"
printf '%-44s %10s %9s %9s\n' "bare platform-http route (200)" "$bare_rps" "$bare_p50" "$bare_p99"
printf '%-44s %10s %9s %9s\n' "POST /webhooks/stripe (verified, stored)" "$hook_rps" "$hook_p50" "$hook_p99"
awk -v b="$bare_rps" -v h="$hook_rps" 'BEGIN { printf "webhook ingest / bare route: %.2f of the throughput\n", h / b }'
echo "(embedded store; events API answered $stored; the hub's log: none of it is printed unless it failed)"
