#!/usr/bin/env bash
# Fuzzes every parser of outside input for a bounded time (what CI runs after the tests):
# builds the libFuzzer harnesses of tests/fuzz/ with clang, ASan and UBSan into build-fuzz/,
# then runs each one, two at a time, from its seed corpus (tests/fuzz/corpus/<parser>/) and
# its regressions (tests/fuzz/regressions/<parser>/). Any crash, hang (-timeout), memory
# blow-up (-rss_limit_mb), leak or sanitizer report fails the run; the input that caused it
# is left in build-fuzz/artifacts/<parser>/.
# Usage: scripts/fuzz.sh [PARSER...]   (default: all; see tests/fuzz/CMakeLists.txt)
# TV_LIBFUZZER_SECONDS: the total time of the fuzzing itself, split between the harnesses
# (default 90); TV_LIBFUZZER_JOBS: harnesses at a time (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
all=(profile records csv event time match_config taxonomy query path request)
parsers=("${all[@]}")
[ $# -gt 0 ] && parsers=("$@")
total=${TV_LIBFUZZER_SECONDS:-90}
jobs=${TV_LIBFUZZER_JOBS:-2}
each=$((total * jobs / ${#parsers[@]}))
[ "$each" -ge 5 ] || each=5

# -O1 with assert() kept (a Debug build's flags, but optimised enough to fuzz fast).
CC=clang cmake -S . -B build-fuzz -DTV_BUILD_FUZZ=ON -DTV_BUILD_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_C_FLAGS_DEBUG=-O1 -g" >/dev/null
targets=()
for p in "${parsers[@]}"; do targets+=(--target "fuzz_$p"); done
cmake --build build-fuzz -j"$jobs" "${targets[@]}" >/dev/null

logs=build-fuzz/fuzz-logs
mkdir -p "$logs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
run_one() {
    local p=$1 seeds=(tests/fuzz/corpus/"$1") dict=()
    mkdir -p build-fuzz/corpus/"$p" build-fuzz/artifacts/"$p"
    [ -d tests/fuzz/regressions/"$p" ] && seeds+=(tests/fuzz/regressions/"$p")
    case $p in csv | time | query | path) ;; *) dict=(-dict=tests/fuzz/json.dict) ;; esac
    # The first folder gathers what the fuzzer finds; the others are only read.
    if build-fuzz/tests/fuzz/fuzz_"$p" -max_total_time="$each" -timeout=5 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/"$p"/ "${dict[@]}" \
        build-fuzz/corpus/"$p" "${seeds[@]}" >"$logs/$p.log" 2>&1; then
        echo 0 >"$logs/$p.rc"
    else
        echo 1 >"$logs/$p.rc"
    fi
}

echo "fuzzing ${#parsers[@]} harnesses for ${each} s each, $jobs at a time"
rm -f "$logs"/*.rc
running=0
for p in "${parsers[@]}"; do
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    run_one "$p" &
    running=$((running + 1))
done
wait || true

passed=0
failed=0
for p in "${parsers[@]}"; do
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$p.log" | tail -1)
    if [ "$(cat "$logs/$p.rc" 2>/dev/null || echo 1)" = 0 ]; then
        passed=$((passed + 1))
        echo "fuzz_$p: ok (${runs:-?} inputs)"
    else
        failed=$((failed + 1))
        echo "fuzz_$p: FAILED; see $logs/$p.log" >&2
        grep -E "^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*fuzz check failed|.*Test unit written)" \
            "$logs/$p.log" | head -5 >&2 || true
    fi
done
[ "$failed" -eq 0 ] || echo "minimize an input with build-fuzz/tests/fuzz/fuzz_<parser>" \
    "-minimize_crash=1 -runs=10000 <input>; once fixed, it goes to" \
    "tests/fuzz/regressions/<parser>/ under a name that says what it checks" >&2
echo "fuzzing took $(($(date +%s) - started)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
