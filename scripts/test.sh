#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the release build's suite, the same
# suite under AddressSanitizer + UndefinedBehaviorSanitizer, the formatting check, and a short
# run of every fuzzer (scripts/fuzz.sh; run it with a long budget by hand).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

# The console's browser test drives Debian's Chromium through ChromeDriver; ccache keeps the two
# builds below from compiling the same sources twice when nothing changed.
scripts/install-deps.sh chromium chromium-driver ccache
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # Paths relative to the checkout, so that another clone of the repo (CI's) hits the same
  # cache entries.
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
fi

# Each stage prints how long the one before it took, so a slow CI run shows where the time went.
stage() { echo "== [$((SECONDS / 60))m$((SECONDS % 60))s] $*"; }

stage "formatting"
files=$(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find . -name '*.[ch]pp' -not -path './build*')
clang-format --dry-run --Werror $files

stage "release build and tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMINSHENG_WERROR=ON "${launcher[@]}" >/dev/null
cmake --build build -j"$jobs"
# Tests run two at a time: the longest (the two halves of the gateway suite, PostgreSQL's)
# mostly wait on sockets, timers and the database, and each uses its own schema and ports.
ctest --test-dir build --output-on-failure -j"$jobs"

stage "fuzzing (libFuzzer, ASan + UBSan), 15 s per harness"
scripts/fuzz.sh 15

stage "sanitizer build (ASan + UBSan) and tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMINSHENG_SANITIZE=ON -DMINSHENG_BENCH=OFF \
  -DMINSHENG_WERROR=ON "${launcher[@]}" >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -LE slow -j"$jobs"
stage "done"
