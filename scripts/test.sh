#!/usr/bin/env bash
# Sets up, builds, fetches the test models and runs the whole test suite:
#   1. every test on the release build (real-model golden tests included);
#   2. every test but the slow real-model ones again under AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

# The real models the golden tests compare against (cached in ~/.cache/hardwire).
for m in smollm2-135m gemma3-270m qwen2.5-coder-0.5b; do
  build/hardwire models | grep -q "^[* ] $m .*cached" || build/hardwire pull "$m"
done
export HW_REQUIRE_MODELS=1

echo "== release build: all tests"
ctest --test-dir build --output-on-failure -j1

echo "== AddressSanitizer + UBSan build: all tests but the real-model ones"
HW_BUILD_DIR=build-asan scripts/setup.sh -DHW_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure -j1 -E 'RealModel'
