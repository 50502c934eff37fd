#!/usr/bin/env bash
# Runs every benchmark of both modules (the SDK root and bench/) PASSES
# times, interleaving the two so that a slow spell on a shared machine is
# spread over every variant, then summarises the runs with benchstat. Raw
# results go to bench/bin/ (root.txt, peer.txt, summary.txt).
#
#   bench/run.sh                        # 6 passes of everything
#   PASSES=10 BENCH=Call bench/run.sh   # only the benchmarks matching Call
#   QUIET_WAIT=300 bench/run.sh         # before each pass, wait up to 300 s
#                                       # for the CPUs to be mostly idle
set -euo pipefail
cd "$(dirname "$0")/.."
passes=${PASSES:-6}
pattern=${BENCH:-.}
quiet_wait=${QUIET_WAIT:-0}
out=bench/bin
mkdir -p "$out"
: >"$out/root.txt"
: >"$out/peer.txt"

# idle_percent prints the share of CPU time spent idle over the next second.
idle_percent() {
  local a b
  read -r -a a </proc/stat
  sleep 1
  read -r -a b </proc/stat
  local idle=$((b[4] - a[4])) total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  echo $((total > 0 ? 100 * idle / total : 100))
}

wait_for_quiet() {
  local deadline=$((SECONDS + quiet_wait))
  while ((SECONDS < deadline)); do
    (($(idle_percent) >= 85)) && return
  done
  echo "machine still busy after ${quiet_wait}s; running anyway" >&2
}

for i in $(seq "$passes"); do
  echo "pass $i/$passes" >&2
  ((quiet_wait > 0)) && wait_for_quiet
  go test -run '^$' -bench "$pattern" -benchmem -count=1 . >>"$out/root.txt"
  ((quiet_wait > 0)) && wait_for_quiet
  (cd bench && go test -run '^$' -bench "$pattern" -benchmem -count=1 .) >>"$out/peer.txt"
done

benchstat() {
  (cd bench && go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da "$@")
}
{
  echo "## go version: $(go version)"
  echo "## nproc: $(nproc)"
  echo "## cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo
  echo "## 1. per call: SDK vs hand-written net/http (time and allocations per call)"
  benchstat -filter '.name:Call' -col /impl bin/root.txt
  echo
  echo "## 1. per call, interleaved call by call: time ratio sdk/nethttp"
  benchstat -filter '.name:CallPaired -.unit:(ns/op OR B/op OR allocs/op)' bin/root.txt
  echo
  echo "## 2. Box group memberships: SDK vs net/http vs oapi-codegen"
  benchstat -filter '.name:BoxGroupMemberships' -col /impl bin/peer.txt
  echo
  echo "## 2. the same, interleaved call by call: time ratios"
  benchstat -filter '.name:BoxGroupMembershipsPaired -.unit:(ns/op OR B/op OR allocs/op)' bin/peer.txt
  echo
  echo "## 3. pagination at scale: 100,000 vs 10,000 items"
  benchstat -filter '.name:PaginationAll' -col /items bin/root.txt
  echo
  echo "## 4. prefetch vs sequential (200 pages, 5 ms server, 5 ms caller)"
  benchstat -filter '.name:Prefetch -.unit:(ns/op OR B/op OR allocs/op)' bin/root.txt
  echo
  echo "## 5. 64 goroutines, 20,000 GETs: SDK vs net/http"
  benchstat -filter '.name:ConcurrentGets -.unit:(ns/op OR B/op OR allocs/op)' bin/root.txt
} | tee "$out/summary.txt"
