#!/usr/bin/env bash
# Email accept: POST /api/v1/email (validated, stored in the outbox, 202) against a bare Camel platform-http route
# answering 200 in the same hub, with the same load generator (wrk), connections and run (console provider, so
# delivery runs alongside, as in production). Prints throughput, p50 and p99 of each and their ratio, then the
# messages sent while accepting and how fast the backlog left at the end drains.
#
#   bench/email-accept.sh                         (DURATION=20 WARMUP=10 CONNECTIONS=32 THREADS=2 PORT=18080)
#
# Needs wrk (Debian, Ubuntu: apt-get install wrk; macOS: brew install wrk). Uses the packaged hub
# (target/integration-hub.jar; built when missing) on its embedded store, in a folder of its own.
. "$(dirname "$0")/hub.sh"
start_hub EMAIL_PROVIDER=console ${HUB_ENV:-}

EMAIL=http://127.0.0.1:$PORT/api/v1/email

echo "warming up ($WARMUP s each)..." >&2
run "$WARMUP" "$BARE" bench/bare-post.lua > /dev/null
run "$WARMUP" "$EMAIL" bench/email.lua "$KEY" > /dev/null

echo "measuring ($DURATION s each, $CONNECTIONS connections, $THREADS wrk threads)..." >&2
# the warm-up's emails are sent first: their delivery would take its share of the machine from the bare route
until [ "$(backlog email)" = 0 ]; do sleep 0.2; done
read -r bare_rps bare_p50 bare_p99 < <(run "$DURATION" "$BARE" bench/bare-post.lua)
until [ "$(backlog email)" = 0 ]; do sleep 0.2; done
before=$(sent_emails)
read -r mail_rps mail_p50 mail_p99 < <(run "$DURATION" "$EMAIL" bench/email.lua "$KEY")
accepted=$(cat "$work/requests")
left=$(( accepted - ($(sent_emails) - before) ))
t0=$(date +%s%N)
until [ $(( $(sent_emails) - before )) -ge "$accepted" ]; do sleep 0.1; done
drain_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
printf '\n%-44s %10s %9s %9s\n' "wrk, $CONNECTIONS connections, ${DURATION} s" "requests/s" "p50 ms" "p99 ms"
printf '%-44s %10s %9s %9s\n' "bare platform-http route (200)" "$bare_rps" "$bare_p50" "$bare_p99"
printf '%-44s %10s %9s %9s\n' "POST /api/v1/email (stored, 202)" "$mail_rps" "$mail_p50" "$mail_p99"
awk -v b="$bare_rps" -v m="$mail_rps" 'BEGIN { printf "email accept / bare route: %.2f of the throughput\n", m / b }'
awk -v n="$accepted" -v left="$left" -v ms="$drain_ms" -v d="$DURATION" 'BEGIN {
  printf "delivery: %.0f sent/s while accepting (%.2f of accept); %d left when the load stopped, drained at %.0f/s\n",
    (n - left) / d, (n - left) / n, left, (ms > 0 ? left * 1000 / ms : 0) }'
