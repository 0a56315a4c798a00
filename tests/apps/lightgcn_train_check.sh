#!/usr/bin/env bash
# End-to-end checks of lightgcn_train on small files: a run writes its
# outputs; a resumed run continues exactly where an uninterrupted one would
# be; --recommend prints names; and every kind of bad input ends with one
# clear error line and a non-zero exit.
#   lightgcn_train_check.sh LIGHTGCN_TRAIN SOURCE_DIR
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/check_common.sh"
BIN="$1"
SRC="$2"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# A small random bipartite edge list (60 users, 40 items, ~600 edges).
awk 'BEGIN { srand(7); print "user,item,weight"; for (u = 0; u < 60; u++) for (k = 0; k < 10; k++) print "u" u ",i" int(rand() * 40) ",1" }' >edges.csv
common=(--dataset edgelist --edges edges.csv --delimiter , --header --no-cache --device cpu
        --no-progress --dim 8 --batch-size 64 --eval-every 2 --topk 5,10)


# ---- a run, and a resumed run that matches it ------------------------------------------
"$BIN" "${common[@]}" --epochs 4 --out straight >straight.log 2>&1 || fail "straight run failed: $(cat straight.log)"
for f in metrics.csv curves.svg last.ckpt best.ckpt; do
  [ -s "straight/$f" ] || fail "straight run wrote no $f"
done
[ "$(wc -l <straight/metrics.csv)" -eq 5 ] || fail "metrics.csv should have a header and 4 rows"
grep -q "most popular" straight.log || fail "no most-popular baseline in the output"
"$BIN" "${common[@]}" --epochs 2 --out resumed >resumed.log 2>&1 || fail "first half failed"
"$BIN" "${common[@]}" --epochs 4 --out resumed --resume >>resumed.log 2>&1 || fail "resume failed: $(cat resumed.log)"
loss_lines() { grep -E '^epoch +[34]/' "$1" | sed -E 's/ +[0-9.]+ s.*//'; }
if [ -z "$(loss_lines straight.log)" ] || [ "$(loss_lines straight.log)" != "$(loss_lines resumed.log)" ]; then
  fail "resumed epochs 3-4 differ from the uninterrupted run:"
  loss_lines straight.log
  loss_lines resumed.log
else
  echo "ok: resume continues exactly ($(loss_lines resumed.log | tr '\n' ' '))"
fi
cmp -s <(without_timings straight/metrics.csv) <(without_timings resumed/metrics.csv) ||
  fail "metrics.csv of the resumed run differs (besides timings)"

# ---- the thread count changes no result (issue 8) -------------------------------------------
expect_same_results_with_threads "${common[@]}" --epochs 4

# ---- recommend ----------------------------------------------------------------------------
out=$("$BIN" "${common[@]}" --out straight --recommend u3 --top 5 2>&1) || fail "recommend failed: $out"
[ "$(grep -cE '^ *[0-9]+\. i[0-9]+' <<<"$out")" -eq 5 ] || fail "recommend should list 5 items: $out"

# ---- bad input ----------------------------------------------------------------------------
expect_error "missing file" "nope.csv" "${common[@]}" --edges nope.csv --out bad
printf 'user,item\nu1,i1\nu2\n' >short.csv
expect_error "malformed line" "short.csv:3" "${common[@]}" --edges short.csv --out bad
printf 'user,item\n' >empty.csv
expect_error "empty dataset" "empty.csv" "${common[@]}" --edges empty.csv --out bad
printf '0 1 2\n1 0\n' >train.txt
printf '0 2\n5 1\n' >test.txt
expect_error "test user not in train" "test.txt:2" --dataset gowalla --train-file train.txt \
  --test-file test.txt --no-cache --device cpu --out bad
expect_error "--top above the item count" "--top" "${common[@]}" --out straight --recommend u3 --top 100
expect_error "unknown user" "u999" "${common[@]}" --out straight --recommend u999
expect_error "resume without a checkpoint" "no checkpoint" "${common[@]}" --out fresh --resume
expect_error "checkpoint of other data" "other data" "${common[@]}" --seed 5 --out straight --recommend u3
head -c 1000 straight/last.ckpt >truncated.ckpt
expect_error "truncated checkpoint" "truncated" "${common[@]}" --out straight --recommend u3 \
  --checkpoint truncated.ckpt
expect_error "no GPU" "cuda" "${common[@]}" --device cuda:7 --out bad
expect_error "bad flag value" "dataset" --dataset nosuch
expect_error "negative thread count" "threads" "${common[@]}" --threads -1 --out bad
expect_error "out of memory" "out of memory on cpu.*embedding table" "${common[@]}" --dim 100000000 --out bad
# A diverging run stops at the first non-finite loss and keeps the last good checkpoint.
cp -r straight diverging
expect_error "non-finite loss" "loss became .* in epoch 5, step" "${common[@]}" --out diverging \
  --resume --epochs 6 --lr 1e30
"$BIN" "${common[@]}" --out diverging --recommend u3 --top 3 --checkpoint diverging/last.ckpt 2>&1 |
  grep -q "epoch 4" || fail "the last good checkpoint (epoch 4) did not survive the diverging run"

if [ $failures -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all lightgcn_train checks passed"
