#!/usr/bin/env bash
# Webhook ingest: Stripe-signed events verified, deduplicated, stored and acknowledged (200) per second by
# POST /webhooks/stripe, against a bare Camel platform-http route answering 200 in the same hub, with the same load
# generator (wrk), connections and run. Prints throughput, p50 and p99 of each and their ratios.
#
#   bench/webhook-ingest.sh                      (DURATION=30 WARMUP=10 CONNECTIONS=32 THREADS=2 PORT=18080)
#
# Needs wrk (Debian, Ubuntu: apt-get install wrk; macOS: brew install wrk). Uses the packaged hub
# (target/integration-hub.jar; built when missing) on its embedded store, in a folder of its own.
DURATION=${DURATION:-30}
# events written per measured second, more than the hub is expected to take (a repeat would be a cheaper duplicate)
EVENTS_PER_SECOND=${EVENTS_PER_SECOND:-12000}
SECRET=whsec_benchmark_not_a_secret
. "$(dirname "$0")/hub.sh"
start_hub STRIPE_WEBHOOK_SECRET=$SECRET

events() { # seconds file
  java bench/SignStripeEvents.java $(( $1 * EVENTS_PER_SECOND )) "$SECRET" "$2" "$(basename "$2")$RANDOM"
}

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
