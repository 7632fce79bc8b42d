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

# The engine's sources; not the audio front end and chain (libsoxr's, not the loader's, code)
srcs=()
for source in "$native"/src/*.cpp "$native"/src/layers/*.cpp; do
  case "$source" in */audio_frontend.cpp|*/audio_chain.cpp) ;; *) srcs+=("$source") ;; esac
done
sanitize=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
yyjson=(-isystem "$native/third_party/yyjson" -DYYJSON_DISABLE_WRITER=1 -DYYJSON_DISABLE_INCR_READER=1)
instrument=("${sanitize[@]/fuzzer,/fuzzer-no-link,}")  # objects: instrumented; the link adds libFuzzer's main
cxxflags=(-std=c++17 -O1 -g "${instrument[@]}" -fopenmp-simd -fno-trapping-math -I"$native/include" "${yyjson[@]}")
# One object per source, JOBS at a time (default: every core); yyjson is C, compiled as C.
mkdir -p "$work/obj"
compile() {  # SOURCE -> $work/obj/<path with / as _>.o
  local object="$work/obj/$(echo "${1#"$native"/}" | tr / _).o"
  case "$1" in
    # -O0: clang's optimiser takes a minute over yyjson.c instrumented by UBSan, -O0 five
    # seconds, with every check and the coverage kept (the parser runs slower; the loader is the target)
    *.c) "${CC_FUZZ:-clang}" -O0 -g "${instrument[@]}" "${yyjson[@]}" -c "$1" -o "$object" ;;
    *) "$cxx" "${cxxflags[@]}" -c "$1" -o "$object" ;;
  esac
}
pids=()
for source in "$native/third_party/yyjson/yyjson.c" "$here/fuzz_loader.cpp" "${srcs[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "${JOBS:-$(nproc)}" ]; do wait -n; done
  compile "$source" & pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done  # set -e: a failed compile stops here
"$cxx" "${sanitize[@]}" "$work"/obj/*.o -o "$work/fuzz_loader"

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
