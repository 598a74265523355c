#!/usr/bin/env bash
# The overhead the hub adds to a mock charge: POST /api/v1/payments/charges against the mock provider (validated,
# recorded before and after the provider's call, throttled and guarded, answered 201) against a bare Camel
# platform-http route answering 200 in the same hub, with the same load generator (wrk), connections and run; then
# direct:charge-payment in the JVM against a bare direct: route, one caller. Prints p50, p99 and throughput.
#
#   bench/payment-charge.sh                      (DURATION=20 WARMUP=10 CONNECTIONS=32 THREADS=2 PORT=18080)
#
# Needs wrk (Debian, Ubuntu: apt-get install wrk; macOS: brew install wrk). Uses the packaged hub
# (target/integration-hub.jar; built when missing) on its embedded store, in a folder of its own.
. "$(dirname "$0")/hub.sh"
start_hub PAYMENT_PROVIDER=mock ${HUB_ENV:-}

CHARGES=http://127.0.0.1:$PORT/api/v1/payments/charges

echo "warming up ($WARMUP s each)..." >&2
run "$WARMUP" "$BARE" bench/bare-post.lua > /dev/null
run "$WARMUP" "$CHARGES" bench/charge.lua "$KEY" > /dev/null

echo "measuring ($DURATION s each, $CONNECTIONS connections, $THREADS wrk threads)..." >&2
read -r bare_rps bare_p50 bare_p99 < <(run "$DURATION" "$BARE" bench/bare-post.lua)
read -r pay_rps pay_p50 pay_p99 < <(run "$DURATION" "$CHARGES" bench/charge.lua "$KEY")
sample=$(curl -s -X POST "$CHARGES" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d '{"amount": 1999, "currency": "usd", "paymentMethod": "pm_card_visa"}')

printf '\n%-44s %10s %9s %9s\n' "wrk, $CONNECTIONS connections, ${DURATION} s" "requests/s" "p50 ms" "p99 ms"
printf '%-44s %10s %9s %9s\n' "bare platform-http route (200)" "$bare_rps" "$bare_p50" "$bare_p99"
printf '%-44s %10s %9s %9s\n' "POST /api/v1/payments/charges (mock, 201)" "$pay_rps" "$pay_p50" "$pay_p99"
awk -v b="$bare_rps" -v p="$pay_rps" -v b50="$bare_p50" -v p50="$pay_p50" -v b99="$bare_p99" -v p99="$pay_p99" 'BEGIN {
  printf "charges / bare route: %.2f of the throughput; the hub adds %.2f ms at p50, %.2f ms at p99\n", p / b, p50 - b50, p99 - b99 }'
echo "(a sample charge: $sample)"
stop_hub

echo >&2
echo "in the JVM: direct:charge-payment against a bare direct: route..." >&2
(cd "$work" && java ${JAVA_OPTS:-} -cp "$JAR" "$OLDPWD/bench/DirectChargeBench.java" "${CALLS:-5000}" "${WARMUP_CALLS:-3000}" 2> "$work/jvm.log" \
  | grep -v "^[0-9][0-9]:[0-9][0-9]:" ) || { tail -30 "$work/jvm.log" >&2; exit 1; }
