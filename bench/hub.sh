# Shared by the wrk benchmarks (sourced, not run): settings, the packaged hub started on its embedded store in a
# folder of its own with the bare baseline route, and one wrk run's figures. The hub and its folder go at exit.
#   start_hub NAME=value ...      environment of the hub besides its port, folders and admin key; READY_MS is then
#                                  the time from launching java to the first 200 of /observe/health/ready
#   stop_hub                       stops it; its embedded store stays in $work/data (fresh_store removes it)
#   run SECONDS URL SCRIPT [ARGS]  prints "requests/s p50-ms p99-ms"; the responses counted are in $work/requests
#   backlog CHANNEL                messages of the channel not yet sent, from the hub's metrics
#   sent_emails                    emails the console provider has sent so far (its log lines: nothing polls the hub)
#   JAR=path                       the hub jar to run (default target/integration-hub.jar): to compare two builds
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PORT=${PORT:-18080}
KEY=benchmark-admin-key-0123456789
BARE=http://127.0.0.1:$PORT/bench/bare

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk (Debian, Ubuntu) or brew install wrk" >&2; exit 1; }
[ -f target/integration-hub.jar ] || mvn -q -DskipTests package
READY_MS=
JAR=${JAR:-$PWD/target/integration-hub.jar}

work=$(mktemp -d)
hub=
cleanup() {
  [ -n "$hub" ] && kill "$hub" 2>/dev/null && wait "$hub" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/routes" "$work/templates"
cp bench/bare-route.camel.yaml "$work/routes/"

start_hub() {
  local t0
  t0=$(date +%s%N)
  (cd "$work" && exec env HUB_PORT=$PORT HUB_ROUTES_DIR="$work/routes" HUB_TEMPLATES_DIR="$work/templates" \
    HUB_ADMIN_KEY=$KEY "$@" java ${JAVA_OPTS:-} -jar "$JAR" > "$work/hub.log" 2>&1) &
  hub=$!
  for _ in $(seq 1 1200); do
    if curl -sf -o /dev/null "http://127.0.0.1:$PORT/observe/health/ready"; then
      READY_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
      return 0
    fi
    sleep 0.05
  done
  echo "the hub did not start:" >&2; tail -30 "$work/hub.log" >&2; exit 1
}

stop_hub() {
  kill "$hub" && wait "$hub" 2>/dev/null || true
  hub=
}

fresh_store() {
  rm -rf "$work/data"
}

backlog() {
  curl -s "http://127.0.0.1:$PORT/observe/metrics" | awk -v ch="channel=\"$1\"" '
    /^hub_outbox_messages\{/ && index($0, ch) && !/status="dead"/ { n += $NF }
    END { printf "%d\n", n }'
}

sent_emails() {
  grep -c -F "email (console provider, not sent)" "$work/hub.log" || true
}

run() {
  local seconds=$1 url=$2 script=$3; shift 3
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --latency -s "$script" "$url" -- "$@" > "$work/wrk.out"
  if grep -q "^repeated events" "$work/wrk.out"; then grep "^repeated events" "$work/wrk.out" >&2; fi
  if grep -q "Non-2xx" "$work/wrk.out"; then grep "Non-2xx" "$work/wrk.out" >&2; fi
  awk '/requests in/ { print $1 }' "$work/wrk.out" > "$work/requests"
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    END { printf "%.0f %.2f %.2f\n", rps, p50, p99 }' "$work/wrk.out"
}
