#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/, clang with ASan + UBSan) in build-fuzz and runs each one
# for SECONDS (default 600) on a copy of its seed corpus, so the committed corpus never grows.
# Exits non-zero when any harness finds something (crash, contract broken, sanitizer report,
# leak, timeout, out of memory), after printing the reproducer's path and how to replay it.
#
#   scripts/fuzz.sh [SECONDS] [HARNESS...]     e.g. scripts/fuzz.sh 15 ; scripts/fuzz.sh 600 nlu
#
# Environment: FUZZ_JOBS (build parallelism, default nproc), FUZZ_PARALLEL (harnesses run at
# once, default nproc: each is one process on one core), FUZZ_BUILD_DIR (default build-fuzz).
# docs/fuzzing.md says what each harness covers and how to turn a finding into a test.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-600}
shift || true
if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  echo "usage: scripts/fuzz.sh [SECONDS] [HARNESS...]" >&2
  exit 2
fi
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
build=${FUZZ_BUILD_DIR:-build-fuzz}

# Debian's clang, its libFuzzer and sanitizer runtimes, and llvm-symbolizer for the stacks.
scripts/install-deps.sh clang libclang-rt-14-dev llvm

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # Paths relative to the checkout, so that another clone (CI's) hits the same cache entries.
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
fi

echo "== fuzz build ($build)"
# -O1 with line tables: what libFuzzer setups use; assertions (and libstdc++'s) stay on.
cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -D_GLIBCXX_ASSERTIONS" \
  -DMINSHENG_FUZZ=ON -DMINSHENG_TESTS=OFF -DMINSHENG_BENCH=OFF -DMINSHENG_WERROR=ON \
  "${launcher[@]}" >/dev/null
cmake --build "$build" -j"$jobs" --target fuzz

# harness  max_len  dictionary
targets=(
  "oa_endpoint        4096  oa"
  "oa_xml             4096  oa"
  "oa_crypto          2048  -"
  "hotline_transcript 8192  hotline"
  "hotline_auth       2048  hotline_auth"
  "query_string       1024  -"
  "calendar           2048  calendar"
  "nlu                1024  -"
  "call_appeals       2048  -"
  "config             10240 config"
  "mp_bodies          4096  bodies"
  "operator_bodies    4096  bodies"
  "open311            4096  open311"
)

selected=("$@")
failed=()
summary=()
symbolizer=$(command -v llvm-symbolizer || true)
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:allocator_may_return_null=1${symbolizer:+:external_symbolizer_path=$symbolizer}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${symbolizer:+:external_symbolizer_path=$symbolizer}"

parallel=${FUZZ_PARALLEL:-$(nproc 2>/dev/null || echo 2)}
echo "== fuzzing ${seconds}s per harness, $parallel at a time"

# One harness on a fresh copy of its seeds; its summary line goes to $work/result.
run_one() {
  local name=$1 max_len=$2 dict=$3
  local work="$build/fuzz-run/$name"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp fuzz/corpus/"$name"/* "$work/corpus/"
  local args=(-max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048
              -print_final_stats=1 -artifact_prefix="$work/artifacts/")
  if [[ $dict != - ]]; then args+=(-dict="fuzz/dict/$dict.dict"); fi
  local start rc=0
  start=$(date +%s)
  "$build/bin/fuzz_$name" "${args[@]}" "$work/corpus" >"$work/log" 2>&1 || rc=$?
  local took=$(($(date +%s) - start))
  local runs crash result
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  crash=$(find "$work/artifacts" -type f | head -1)
  if ((rc == 0)) && [[ -z $crash ]]; then result="clean"; else result="FAILED (exit $rc)"; fi
  printf '%-20s %12s runs %5ss  %s\n' "fuzz_$name" "${runs:-?}" "$took" "$result" >"$work/result"
}

names=()
for t in "${targets[@]}"; do
  read -r name max_len dict <<<"$t"
  if ((${#selected[@]})) && [[ " ${selected[*]} " != *" $name "* ]]; then continue; fi
  names+=("$name")
  while (($(jobs -rp | wc -l) >= parallel)); do wait -n || true; done
  run_one "$name" "$max_len" "$dict" &
done
wait

for name in "${names[@]}"; do
  work="$build/fuzz-run/$name"
  line=$(cat "$work/result" 2>/dev/null || echo "fuzz_$name: no result")
  summary+=("$line")
  echo "$line"
  if [[ $line != *" clean" ]]; then
    failed+=("$name")
    echo "---- fuzz_$name: last lines of $work/log" >&2
    tail -n 60 "$work/log" >&2
    crash=$(find "$work/artifacts" -type f | head -1)
    if [[ -n $crash ]]; then
      echo "---- reproducer: $crash" >&2
      echo "---- replay:     $build/bin/fuzz_$name $crash" >&2
    fi
  fi
done

echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "fuzzing found problems in: ${failed[*]} (reproducers under $build/fuzz-run/*/artifacts/)" >&2
  exit 1
fi
