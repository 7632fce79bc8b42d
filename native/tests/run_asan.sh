#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer over the whole ctest suite (conformance in fp32
# and fp16 on every instruction-set path, unit, no_alloc, processor, the async stress test with
# fewer requests, the example host), halting on the first error; then the planted faults of
# sanitizer_canary.cpp, which the build must catch.
# Usage: tests/run_asan.sh [BUILD_DIR]     (from native/ or anywhere)
# Environment: JOBS (default 2), ML5_ASAN_STRESS_REQUESTS (default 20000),
#              ML5_CONFORMANCE_DIR (default: the CMake default).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$here/build-asan}"
jobs="${JOBS:-2}"
requests="${ML5_ASAN_STRESS_REQUESTS:-20000}"
conformance=()
if [ -n "${ML5_CONFORMANCE_DIR:-}" ]; then conformance=(-DML5_CONFORMANCE_DIR="$ML5_CONFORMANCE_DIR"); fi

# -O1 -g1: the sanitizers' own advice (fast enough, readable stack traces), and half the
# compile time of -O3. Debug keeps the asserts. The multiversioned kernels stay in: every
# instruction-set path runs (the ctest suite repeats the conformance with ML5_SIMD).
start=$(date +%s)
cmake -S "$here" -B "$build" -DML5_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_FLAGS_DEBUG="-O1 -g1" -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
  -DML5_BUILD_TOOLS=OFF -DML5_STRESS_REQUESTS="$requests" "${conformance[@]}" >/dev/null
cmake --build "$build" -j"$jobs" >/dev/null
built=$(date +%s)
echo "run_asan: build $(( built - start )) s"

export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1 ${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1 ${UBSAN_OPTIONS:-}"
status=0
ctest --test-dir "$build" --output-on-failure -j"$jobs" || status=$?
ran=$(date +%s)
echo "run_asan: ctest $(( ran - built )) s"

# The planted faults: each must stop the program with the sanitizer's report.
canary="$build/tests/ml5rt_sanitizer_canary"
expect_caught() {
  local report="$1"; shift
  local out
  if out=$("$canary" "$@" 2>&1); then
    echo "run_asan: NOT caught: $* ran to the end"; status=1
  elif ! grep -q "$report" <<<"$out"; then
    echo "run_asan: NOT caught: $* failed without a '$report' report:"; echo "$out" | tail -n 5; status=1
  else
    echo "run_asan: caught: $report ($*)"
  fi
}
expect_caught "heap-buffer-overflow" heap-overflow 8
expect_caught "signed integer overflow" signed-overflow 2147483647 1

if [ "$status" -ne 0 ]; then
  echo "run_asan: FAILED"
  exit 1
fi
echo "run_asan: no sanitizer errors"
