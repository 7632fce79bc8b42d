#!/usr/bin/env bash
# Builds the loader fuzzer with clang (libFuzzer + ASan + UBSan) and runs it.
# Usage: fuzz/run.sh [RUNS] [CONFORMANCE_FOLDER]      (RUNS default 1000000)
# Needs clang and its runtime: apt-get install -y clang libclang-rt-14-dev (Debian 12).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
native="$(dirname "$here")"
runs="${1:-1000000}"
cases="${2:-${ML5_CONFORMANCE_DIR:-$native/../tests/data/rtneural-conformance}}"
work="${ML5_FUZZ_DIR:-$native/build/fuzz}"
cxx="${CXX_FUZZ:-clang++}"
mkdir -p "$work/corpus" "$work/artifacts"

# Seed corpus: the conformance model files up to 64 KiB (the multi-megabyte reference models
# only slow each run down; their layer kinds are all present in the small files).
find "$cases" -name '*.model.json' -size -65k -exec cp {} "$work/corpus/" \;

srcs=("$native"/src/*.cpp "$native"/src/layers/*.cpp)
sanitize=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
yyjson=(-isystem "$native/third_party/yyjson" -DYYJSON_DISABLE_WRITER=1 -DYYJSON_DISABLE_INCR_READER=1)
# yyjson is C: compiled on its own (as C), instrumented like the rest.
"${CC_FUZZ:-clang}" -O1 -g "${sanitize[@]/fuzzer,/fuzzer-no-link,}" "${yyjson[@]}" \
  -c "$native/third_party/yyjson/yyjson.c" -o "$work/yyjson.o"
"$cxx" -std=c++17 -O1 -g "${sanitize[@]}" -fopenmp-simd -fno-trapping-math -I"$native/include" "${yyjson[@]}" \
  "$here/fuzz_loader.cpp" "${srcs[@]}" "$work/yyjson.o" -o "$work/fuzz_loader"

cd "$work"
# -max_len covers every seed; -timeout flags anything slower than 10 s as a hang.
set +e  # keep going after a finding, to print the summary
./fuzz_loader -runs="$runs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 corpus 2>&1 | tee "$work/fuzz.log"
status=${PIPESTATUS[0]}
set -e
crashes=$(find "$work/artifacts" -type f | wc -l)
echo "fuzz summary: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$work/fuzz.log" || echo 'no completion line'), findings: $crashes"
exit "$status"
