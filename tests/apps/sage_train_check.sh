#!/usr/bin/env bash
# End-to-end checks of sage_train on small files: a run writes its outputs; a
# resumed run continues exactly where an uninterrupted one would be; --score
# and --recommend use the trained model; every kind of bad input ends with
# one clear error line and a non-zero exit.
#   sage_train_check.sh SAGE_TRAIN MPD_GENERATE
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/check_common.sh"
BIN="$1"
GENERATE="$2"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# A small Last.fm in the HetRec format: 40 users, 30 artists, friendships.
awk 'BEGIN { srand(3); printf "userID\tartistID\tweight\r\n"
             for (u = 2; u < 42; u++) for (k = 0; k < 12; k++) printf "%d\t%d\t%d\r\n", u, 1 + int(rand() * rand() * 30), 1 + int(rand() * 500) }' >ua_raw.dat
# (keep one row per pair: the HetRec file has no repeats)
awk -F'\t' 'NR == 1 || !seen[$1 FS $2]++' ua_raw.dat >user_artists.dat
awk 'BEGIN { srand(4); for (u = 2; u < 42; u++) { f = 2 + int(rand() * 40); if (f != u) printf "%d\t%d\r\n%d\t%d\r\n", u, f, f, u } }' >user_friends.dat
awk 'BEGIN { print "id\tname\turl\tpictureURL"; for (a = 1; a <= 30; a++) printf "%d\tBand %d\thttp://x\thttp://y\n", a, a }' >artists.dat
common=(--dataset lastfm --user-artists user_artists.dat --user-friends user_friends.dat
        --artists artists.dat --device cpu --no-progress --hidden 8 --batch-size 64)


# ---- a run, and a resumed run that matches it ------------------------------------------
"$BIN" "${common[@]}" --epochs 4 --out straight >straight.log 2>&1 || fail "straight run failed: $(cat straight.log)"
for f in metrics.csv curves.svg last.ckpt best.ckpt; do
  [ -s "straight/$f" ] || fail "straight run wrote no $f"
done
grep -q "training degree" straight.log || fail "no baseline beside the model's AUC"
grep -q "most popular" straight.log || fail "no most-popular ranking baseline"
"$BIN" "${common[@]}" --epochs 2 --out resumed >resumed.log 2>&1 || fail "first half failed"
"$BIN" "${common[@]}" --epochs 4 --out resumed --resume >>resumed.log 2>&1 || fail "resume failed: $(cat resumed.log)"
auc_lines() { grep -E '^epoch +[34]/' "$1" | sed -E 's/ +[0-9.]+ s / /; s/\([0-9.]+ s\)//'; }
if [ -z "$(auc_lines straight.log)" ] || [ "$(auc_lines straight.log)" != "$(auc_lines resumed.log)" ]; then
  fail "resumed epochs 3-4 differ from the uninterrupted run:"
  auc_lines straight.log
  auc_lines resumed.log
else
  echo "ok: resume continues exactly"
fi

# ---- the thread count changes no result (issue 8) -------------------------------------------
expect_same_results_with_threads "${common[@]}" --epochs 3

# ---- using the model ----------------------------------------------------------------------
out=$("$BIN" "${common[@]}" --out straight --score 2 5 2>&1) || fail "--score failed: $out"
grep -qE '^P\(user 2 -> artist Band 5\) = 0\.[0-9]+' <<<"$out" || fail "--score output: $out"
out=$("$BIN" "${common[@]}" --out straight --recommend 3 --top 5 2>&1) || fail "--recommend failed: $out"
[ "$(grep -cE '^ *[0-9]+\. Band [0-9]+' <<<"$out")" -eq 5 ] || fail "--recommend should list 5 artists: $out"

# ---- the homogeneous graph and MPD train too ------------------------------------------------
"$BIN" --dataset lastfm-homogeneous --user-artists user_artists.dat --artists artists.dat \
  --device cpu --no-progress --hidden 8 --epochs 2 --out homogeneous >homogeneous.log 2>&1 ||
  fail "homogeneous run failed: $(cat homogeneous.log)"
"$GENERATE" --out mpd --playlists 300 --per-file 100 --tracks 500 --artists 100 --albums 200 >/dev/null ||
  fail "mpd_generate failed"
"$BIN" --dataset mpd --mpd mpd --device cpu --no-progress --hidden 8 --epochs 2 --out mpd-run \
  >mpd.log 2>&1 || fail "MPD run failed: $(cat mpd.log)"

# ---- bad input ----------------------------------------------------------------------------
expect_error "missing file" "nope.dat" "${common[@]}" --user-artists nope.dat --out bad
expect_error "unknown relation" "likes" "${common[@]}" --target likes --out bad
printf 'id,x\n2,0.5\n3,0.1\n' >short_features.csv
expect_error "features with missing rows" "short_features.csv" "${common[@]}" \
  --features user=short_features.csv --out bad
expect_error "features of an unknown type" "song" "${common[@]}" --features song=short_features.csv --out bad
mkdir -p broken
head -c 2000 "$(ls mpd/*.json | head -n1)" >broken/mpd.slice.0-99.json
expect_error "truncated JSON slice" "mpd.slice.0-99.json" --dataset mpd --mpd broken --device cpu --out bad
mkdir -p empty_playlist
printf '{"info": {"slice": "0-0", "version": "v1"}, "playlists": [{"name": "x", "collaborative": "false", "pid": 0, "modified_at": 1, "num_tracks": 0, "num_albums": 0, "num_followers": 1, "tracks": []}]}' \
  >empty_playlist/mpd.slice.0-0.json
expect_error "playlist without tracks" "tracks" --dataset mpd --mpd empty_playlist --device cpu --out bad
expect_error "unknown user" "999" "${common[@]}" --out straight --score 999 5
expect_error "checkpoint of other data" "other data" "${common[@]}" --seed 9 --out straight --score 2 5
head -c 500 straight/best.ckpt >truncated.ckpt
expect_error "truncated checkpoint" "truncated" "${common[@]}" --out straight --checkpoint truncated.ckpt --score 2 5
expect_error "out of memory" "out of memory on cpu.*user embedding table" "${common[@]}" --hidden 2000000000 --out bad
expect_error "resume without a checkpoint" "no checkpoint" "${common[@]}" --out fresh --resume

if [ $failures -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all sage_train checks passed"
