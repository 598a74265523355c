#!/usr/bin/env bash
# ad hoc: profile POST /api/v1/email under wrk with JFR; $1 = output name

. "$(dirname "$0")/hub.sh"
start_hub EMAIL_PROVIDER=console ${HUB_ENV:-}
EMAIL=http://127.0.0.1:$PORT/api/v1/email
run 10 "$EMAIL" bench/email.lua "$KEY" > /dev/null
jcmd $(pgrep -f "integration-hub.jar" | head -1) JFR.start name=p settings=profile > /dev/null
read -r rps p50 p99 < <(run 20 "$EMAIL" bench/email.lua "$KEY")
jcmd $(pgrep -f "integration-hub.jar" | head -1) JFR.dump name=p filename=/tmp/prof/$1.jfr > /dev/null
echo "email $rps $p50 $p99"
grep -c "" "$work/hub.log"
