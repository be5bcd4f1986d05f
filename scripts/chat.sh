#!/usr/bin/env bash
# Quick start: set up, build, fetch the default model (first run only) and chat with it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec build/hardwire chat "$@"
