#!/usr/bin/env bash
# The README's second command, and what CI runs: builds with warnings as errors, starts a
# throwaway PostgreSQL, runs every test label, then the unit tests again under
# AddressSanitizer and UndefinedBehaviorSanitizer. A skipped test counts as a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/deps.sh

scripts/build.sh build-test -DTV_WERROR=ON

scratch=$(mktemp -d)
chmod 755 "$scratch"
cleanup() {
    TAVOLO_HOME=$scratch "$root/build-test/tavolo" db stop >/dev/null 2>&1 || true
    rm -rf "$scratch"
}
trap cleanup EXIT
echo "starting a throwaway PostgreSQL in $scratch"
TV_TEST_PG_DSN=$(TAVOLO_HOME=$scratch build-test/tavolo db start --no-fsync)
export TV_TEST_PG_DSN TV_TEST_REQUIRE_PG=1

ctest --test-dir build-test --output-on-failure -j2
scripts/fuzz.sh

scripts/build.sh build-asan -DTV_WERROR=ON -DTV_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure -j2 -L "unit|api"
