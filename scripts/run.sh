#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, starts the embedded
# PostgreSQL in $TAVOLO_HOME (default ./var), imports the fixtures and runs the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh build -DCMAKE_BUILD_TYPE=Release -DTV_BUILD_TESTS=OFF
export TAVOLO_HOME=${TAVOLO_HOME:-$PWD/var}
build/tavolo db start >/dev/null
build/tavolo import fixtures/companies.jsonl fixtures/investors.jsonl
build/tavolo eligibility
