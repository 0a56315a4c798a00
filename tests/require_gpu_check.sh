#!/usr/bin/env bash
# GNNREC_REQUIRE_GPU=1 turns a GPU test's skip into a failure (issue 7):
# runs one CUDA-parameterized test with the variable set. Without a usable
# GPU it must fail and name the reason; with one it must pass.
#   require_gpu_check.sh GNNREC_INFO TEST_BINARY
set -u
info="$1"
binary="$2"
filter='Backends/TensorDeviceTest.RoundTripThroughDevice/Cuda'

output=$(GNNREC_REQUIRE_GPU=1 "$binary" --gtest_filter="$filter" 2>&1)
rc=$?
if "$info" >/dev/null 2>&1; then
  [ $rc -eq 0 ] || { echo "a GPU is usable but the test failed:"; echo "$output"; exit 1; }
  echo "GPU present: the required GPU test ran and passed"
  exit 0
fi
if [ $rc -eq 0 ]; then
  echo "no GPU, GNNREC_REQUIRE_GPU=1, and yet the GPU test did not fail:"
  echo "$output"
  exit 1
fi
if ! grep -q "GNNREC_REQUIRE_GPU=1 but no usable GPU: " <<<"$output"; then
  echo "the GPU test failed without naming the reason:"
  echo "$output"
  exit 1
fi
# And without the variable the same test skips.
skip_output=$("$binary" --gtest_filter="$filter" 2>&1) || { echo "$skip_output"; exit 1; }
grep -q "SKIPPED" <<<"$skip_output" || { echo "expected a skip:"; echo "$skip_output"; exit 1; }
echo "no GPU: the GPU test skips by default and fails with GNNREC_REQUIRE_GPU=1, naming the reason"
