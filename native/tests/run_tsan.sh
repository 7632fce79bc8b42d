#!/usr/bin/env bash
# ThreadSanitizer run of the async stress test: one thread submitting, one polling, one
# reloading models, over REQUESTS requests (default one million), then the processor tests and
# the audio path (the front end at every rate and block size, the chain with its worker thread).
# Usage: tests/run_tsan.sh [REQUESTS] [BUILD_DIR]     (from native/ or anywhere)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requests="${1:-1000000}"
build="${2:-$here/build-tsan}"
jobs="${JOBS:-2}"

# The AVX2 clones are picked by an ifunc resolver that runs before ThreadSanitizer starts:
# build without them (the arithmetic is the same code).
cmake -S "$here" -B "$build" -DML5_TSAN=ON -DML5_MULTIVERSION=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DML5_BUILD_TOOLS=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target ml5rt_async_stress ml5rt_processor_test ml5rt_audio_rt_test >/dev/null

export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
log="$build/tsan.log"
: >"$log"
status=0
run() {
  local out="$build/last-run.log"
  echo "== $* (ThreadSanitizer)"
  "$@" >"$out" 2>&1 || status=$?
  tail -n 3 "$out"
  { echo "== $*"; cat "$out"; } >>"$log"
}
start=$(date +%s)
run "$build/tests/ml5rt_async_stress" "$requests" 64
run "$build/tests/ml5rt_processor_test"
run "$build/tests/ml5rt_audio_rt_test"
echo "run_tsan: $(( $(date +%s) - start )) s in all"
if grep -q "WARNING: ThreadSanitizer" "$log"; then
  echo "run_tsan: data races reported (see $log)"
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "run_tsan: a test failed (exit $status, see $log)"
  exit 1
fi
echo "run_tsan: no data races"
