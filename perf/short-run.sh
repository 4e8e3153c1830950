#!/usr/bin/env bash
# The short, filtered benchmark job that CI runs and that the stored baseline comes from: the W3 dense layer, one
# W2 layer shape, the W4 update at 16 Mi floats (past the caches, like the triad that normalizes it: at 1 Mi the
# update runs from L3 and its ratio to the DRAM-bound triad swung by 50% between runs), W1/W2/W5 on the model, and (added by the suite itself) the three probes that
# normalize them. The job runs ROUNDS times (default 3, about two minutes each on a 2-core machine) and the rounds
# are merged into one file, $1: a shared machine's speed drifts from minute to minute and from one benchmark
# process to the next, which one round's iterations cannot show; the comparer widens each row's threshold to the
# spread of its rounds.
#
#   perf/short-run.sh candidate.json            # a run to compare
#   perf/short-run.sh perf/baselines/short.json # refresh the stored baseline (on a quiet machine; commit it)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: perf/short-run.sh <output.json>}
results=BenchmarkDotNet.Artifacts/results
mkdir -p "$results"
rounds=${ROUNDS:-3}
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "ROUNDS must be a positive whole number, not '$rounds'" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Fifteen 150 ms iterations a benchmark: enough for the comparer's significance test (which needs 4 or more a side),
# short enough for CI. Benchmark IDs are exact names, so the same rows are compared run after run.
dotnet build -c Release perf/Backprop.Simd.Benchmarks -nologo -v q
dotnet build -c Release perf/Backprop.Simd.Compare -nologo -v q
for round in $(seq "$rounds"); do
  echo "== round $round of $rounds"
  touch "$work/marker"
  dotnet run -c Release --no-build --project perf/Backprop.Simd.Benchmarks -- \
    --filter \
      'Backprop.Simd.Benchmarks.Kernels.DenseKernelsBenchmarks.*(Shape: 1024->1024 b256)' \
      'Backprop.Simd.Benchmarks.Kernels.DenseKernelsBenchmarks.DenseForward(Shape: 784->256 b64)' \
      'Backprop.Simd.Benchmarks.Kernels.UpdateKernelsBenchmarks.SgdUpdate(Elements: 16777216)' \
      'Backprop.Simd.Benchmarks.Model.NetworkBenchmarks.InferencePredictMnist' \
      'Backprop.Simd.Benchmarks.Model.NetworkBenchmarks.InferencePredictTiny' \
      'Backprop.Simd.Benchmarks.Model.NetworkBenchmarks.TrainStepBatch64' \
      'Backprop.Simd.Benchmarks.Model.NetworkBenchmarks.TrainStepBatch1' \
    --launchCount 1 --warmupCount 3 --iterationCount 15 --iterationTime 150
  produced=$(find "$results" -name '*-normalized.json' -newer "$work/marker" | head -1)
  [ -n "$produced" ] || { echo "round $round wrote no normalized results" >&2; exit 1; }
  cp "$produced" "$work/round$round.json"
done

mkdir -p "$(dirname "$out")"
dotnet run -c Release --no-build --project perf/Backprop.Simd.Compare -- merge "$out" "$work"/round*.json
