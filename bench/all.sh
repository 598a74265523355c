#!/usr/bin/env bash
# The benchmark suite: every figure the hub is judged by, in one run on one machine, each beside its baseline.
#
#   bench/all.sh          (about 17 minutes; DURATION=20 WARMUP=30 WEBHOOK_WARMUP=10 CONNECTIONS=32 THREADS=2
#                          PORT=18080 MESSAGES=500 HUB_MESSAGES=1000)
#
# Each HTTP figure is of a warm hub: the bare route and the email accept get WARMUP seconds of the same load first
# (the JIT compiles for about 25 s of load before it settles), the webhooks WEBHOOK_WARMUP (the hub is warm by then).
#
#  1. accept over HTTP (wrk, 32 connections): POST /api/v1/email and a Stripe-signed POST /webhooks/stripe against a
#     bare Camel platform-http route in the same hub (same Camel, server, edge and load generator), on the embedded
#     store and on PostgreSQL (a real server started here, synchronous_commit and fsync on): requests/s, p50, p99;
#  2. delivery against accept: while wrk accepts email (console provider), how many messages the hub sends per
#     second, the backlog left when wrk stops, and how fast that backlog drains;
#  3. start to ready (java -jar to the first 200 of /observe/health/ready) and the resident memory of a hub run with
#     -Xmx256m under the email load;
#  4. enqueue-to-sent p50 and p99 with the console providers at 1 and 8 clients, and one hub against two on one
#     PostgreSQL through a provider that answers in 50 ms (DispatchProbe);
#  5. the overhead of direct:send-email and direct:send-sms over a bare direct: route (JMH).
#
# Needs wrk (Debian, Ubuntu: apt-get install wrk; macOS: brew install wrk), a JDK 17 and Maven. Builds the hub first.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "building (mvn -DskipTests package)..." >&2
mvn -q -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
  -Dmdep.includeScope=test > /dev/null
CP=target/test-classes:target/classes:$(cat target/bench.classpath)
MESSAGES=${MESSAGES:-500}
HUB_MESSAGES=${HUB_MESSAGES:-1000}
SECRET=whsec_benchmark_not_a_secret
EVENTS_PER_SECOND=${EVENTS_PER_SECOND:-20000}
WARMUP=${WARMUP:-30}
WEBHOOK_WARMUP=${WEBHOOK_WARMUP:-10}
. bench/hub.sh

# PostgreSQL for sections 1 and 4, stopped when the suite ends (its standard input closes)
mkfifo "$work/pg.in"
java -cp "$CP" io.integrationhub.bench.BenchPostgres "$work/pg.urls" accept dispatch_one dispatch_two \
  < "$work/pg.in" > "$work/pg.log" 2>&1 &
exec 3> "$work/pg.in"
for _ in $(seq 1 240); do [ -f "$work/pg.urls" ] && break; sleep 0.5; done
[ -f "$work/pg.urls" ] || { echo "PostgreSQL did not start:" >&2; cat "$work/pg.log" >&2; exit 1; }
cat "$work/pg.log" >&2
mapfile -t PG < "$work/pg.urls"

events() { # seconds file
  java bench/SignStripeEvents.java $(( $1 * EVENTS_PER_SECOND )) "$SECRET" "$2" "$(basename "$2")$RANDOM"
}

declare -A RPS P50 P99
measure() { # name url script [args]: warm-up, then the measured run
  local name=$1 url=$2; shift 2
  run "$WARMUP" "$url" "$@" > /dev/null
  read -r "RPS[$name]" "P50[$name]" "P99[$name]" < <(run "$DURATION" "$url" "$@")
}

accept() { # store: bare route, email, webhooks, in one hub
  local store=$1
  echo "accept on the $store store ($WARMUP s warm-up, webhooks $WEBHOOK_WARMUP s; $DURATION s measured each)..." >&2
  measure "bare $store" "$BARE" bench/bare-post.lua
  until [ "$(backlog email)" = 0 ]; do sleep 0.2; done
  run "$WARMUP" "http://127.0.0.1:$PORT/api/v1/email" bench/email.lua "$KEY" > /dev/null
  until [ "$(backlog email)" = 0 ]; do sleep 0.2; done
  # messages sent are counted by the console provider's line for each (nothing polls the hub during the run)
  local before accepted left t0
  before=$(sent_emails)
  read -r "RPS[email $store]" "P50[email $store]" "P99[email $store]" \
    < <(run "$DURATION" "http://127.0.0.1:$PORT/api/v1/email" bench/email.lua "$KEY")
  # what was not sent when the load stopped, and how long it took to send
  accepted=$(cat "$work/requests")
  left=$(( accepted - ($(sent_emails) - before) ))
  t0=$(date +%s%N)
  until [ $(( $(sent_emails) - before )) -ge "$accepted" ]; do sleep 0.1; done
  DRAIN[$store]="$accepted $left $(( ($(date +%s%N) - t0) / 1000000 ))"
  events "$WEBHOOK_WARMUP" "$work/warmup.events"
  run "$WEBHOOK_WARMUP" "http://127.0.0.1:$PORT/webhooks/stripe" bench/stripe-events.lua "$work/warmup.events" "$THREADS" > /dev/null
  events "$DURATION" "$work/measured.events"
  read -r "RPS[webhook $store]" "P50[webhook $store]" "P99[webhook $store]" \
    < <(run "$DURATION" "http://127.0.0.1:$PORT/webhooks/stripe" bench/stripe-events.lua "$work/measured.events" "$THREADS")
}

declare -A DRAIN
HUB_ENV=(EMAIL_PROVIDER=console STRIPE_WEBHOOK_SECRET=$SECRET HUB_METRICS_QUEUE_REFRESH_MS=1000)

fresh_store
start_hub "${HUB_ENV[@]}"
READY_EMBEDDED=$READY_MS
accept embedded
stop_hub

start_hub "${HUB_ENV[@]}" DB_URL="${PG[0]}"
READY_POSTGRES=$READY_MS
accept PostgreSQL
stop_hub

echo "resident memory with -Xmx256m under the email load..." >&2
fresh_store
JAVA_OPTS="-Xmx256m ${JAVA_OPTS:-}" start_hub "${HUB_ENV[@]}"
rss_max=0
(run "$DURATION" "http://127.0.0.1:$PORT/api/v1/email" bench/email.lua "$KEY" > "$work/rss.wrk") &
load=$!
while kill -0 "$load" 2>/dev/null; do
  rss=$(ps -o rss= -p "$hub" | tr -d ' ')
  [ -n "$rss" ] && [ "$rss" -gt "$rss_max" ] && rss_max=$rss
  sleep 1
done
wait "$load"
read -r rss_rps _ < "$work/rss.wrk"
stop_hub

echo "enqueue-to-sent and two hubs on PostgreSQL (DispatchProbe)..." >&2
java -cp "$CP" io.integrationhub.bench.DispatchProbe "$MESSAGES" "$HUB_MESSAGES" "${PG[1]}" "${PG[2]}" \
  2> "$work/dispatch.err" | grep -v "^[0-9:. ]* \(INFO\|WARN\|DEBUG\) " > "$work/dispatch.out" \
  || { cat "$work/dispatch.err" >&2; exit 1; }

echo "direct:send-email and direct:send-sms over a bare direct: route (JMH)..." >&2
java -cp "$CP" io.integrationhub.bench.SendOverheadBenchmark > "$work/jmh.out" 2>&1 \
  || { tail -40 "$work/jmh.out" >&2; exit 1; }

echo
echo "== the hub's benchmark suite: $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, $(java -version 2>&1 | head -1)"
printf '\n%-48s %10s %8s %8s %9s\n' "HTTP, wrk $CONNECTIONS connections, $DURATION s" "requests/s" "p50 ms" "p99 ms" "vs bare"
for store in embedded PostgreSQL; do
  for row in bare email webhook; do
    name="$row $store"
    label=$(case $row in bare) echo "bare platform-http route";; email) echo "POST /api/v1/email";;
            webhook) echo "POST /webhooks/stripe (signed)";; esac)
    printf '%-48s %10s %8s %8s %9s\n' "$label, $store store" "${RPS[$name]}" "${P50[$name]}" "${P99[$name]}" \
      "$(awk -v a="${RPS[$name]}" -v b="${RPS[bare $store]}" 'BEGIN { printf "%.2f", a / b }')"
  done
done
echo
for store in embedded PostgreSQL; do
  read -r accepted left drain_ms <<< "${DRAIN[$store]}"
  awk -v n="$accepted" -v left="$left" -v ms="$drain_ms" -v d="$DURATION" -v s="$store" 'BEGIN {
    printf "delivery, %s store: %.0f accepted/s, %.0f sent/s while accepting (%.2f of accept); %d left when the load stopped, sent in %d ms%s\n",
      s, n / d, (n - left) / d, (n - left) / n, left, ms, (left > 0 && ms > 0) ? sprintf(" (%.0f/s)", left * 1000 / ms) : "" }'
done
echo
echo "start to ready (java -jar to /observe/health/ready): ${READY_EMBEDDED} ms on the embedded store, ${READY_POSTGRES} ms on PostgreSQL"
echo "resident memory with -Xmx256m, POST /api/v1/email at $CONNECTIONS connections ($rss_rps requests/s): peak $(( rss_max / 1024 )) MiB"
echo
cat "$work/dispatch.out"
sed -n '/^JMH, one caller/,$p' "$work/jmh.out"
