#!/usr/bin/env bash
# A JDK Flight Recorder profile of the hub while wrk posts emails (32 connections): WARMUP seconds (default 10; 30
# for a settled JIT), then DURATION seconds recorded. Writes target/accept-<name>.jfr; open it in JDK Mission Control,
# or for instance
#   jfr print --events jdk.ThreadPark --stack-depth 64 target/accept-<name>.jfr     (where threads wait)
#   jfr print --events jdk.ExecutionSample --stack-depth 64 target/accept-<name>.jfr (where the CPU goes)
#
#   bench/profile-accept.sh NAME          (HUB_ENV="NAME=value ..." adds to the hub's environment; JFC=file.jfc
#                                          records with other settings than the JDK's "profile")
#
# Events are recorded from the hub's start: enabling them in a running hub made the JIT compile much of it again, and
# the figures while recorded fell to a quarter. A second recording with the same settings starts after the warm-up
# (the events stay as they were; JFR begins a new chunk) and is the one written, so the file holds the measured run
# only (a dump of the first with begin= would hold its whole chunk, warm-up included). The recording itself still
# costs some throughput: the figures it prints are not the benchmark's (bench/all.sh).
name=${1:-profile}
. "$(dirname "$0")/hub.sh"
# shellcheck disable=SC2086
JAVA_OPTS="${JAVA_OPTS:-} -XX:StartFlightRecording=name=accept,settings=${JFC:-profile}" start_hub EMAIL_PROVIDER=console ${HUB_ENV:-}
EMAIL=http://127.0.0.1:$PORT/api/v1/email
run "$WARMUP" "$EMAIL" bench/email.lua "$KEY" > /dev/null
jcmd "$hub" JFR.start name=measured settings="${JFC:-profile}" > /dev/null
read -r rps p50 p99 < <(run "$DURATION" "$EMAIL" bench/email.lua "$KEY")
jcmd "$hub" JFR.stop name=measured filename="$PWD/target/accept-$name.jfr" > /dev/null
echo "POST /api/v1/email while recorded: $rps requests/s, p50 $p50 ms, p99 $p99 ms"
echo "recording: target/accept-$name.jfr"
