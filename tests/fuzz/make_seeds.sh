#!/usr/bin/env bash
# Writes the seed corpora tests/fuzz/corpus/<target>/ from small excerpts of
# real files (data/: MovieLens and Last.fm) and from files the library
# itself writes (a dataset cache file, checkpoints, a synthetic MPD slice).
# The seeds are committed; this script records where they came from and
# remakes them when a format changes:
#   tests/fuzz/make_seeds.sh BUILD_DIR     # BUILD_DIR holds apps/lightgcn_train etc.
# No Spotify MPD content is used (research only, no redistribution): the MPD
# seeds are a synthetic slice from mpd_generate and hand-written JSON.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="$(cd "${1:?usage: make_seeds.sh BUILD_DIR}" && pwd)"
CORPUS="$ROOT/tests/fuzz/corpus"
ML="$ROOT/data/ml-latest-small"
LASTFM="$ROOT/data/hetrec2011-lastfm-2k"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
nul() { printf '\0'; }

for target in movielens lastfm lightgcn_txt edge_list mpd graph_cache checkpoint node_features cli; do
  rm -rf "${CORPUS:?}/$target"
  mkdir -p "$CORPUS/$target"
done

# ---- movielens: ratings.csv [NUL movies.csv] -------------------------------------------------
head -21 "$ML/ratings.csv" >"$WORK/ratings.csv"
movie_ids="$(tail -n +2 "$WORK/ratings.csv" | cut -d, -f2 | sort -u | tr '\n' '|')"
{
  head -1 "$ML/movies.csv"
  awk -F, -v ids="|$movie_ids" 'NR > 1 && index(ids, "|" $1 "|") { print }' "$ML/movies.csv"
  grep -m 3 '^[0-9]*,"' "$ML/movies.csv"  # RFC-4180 quoted titles
} >"$WORK/movies.csv"
{ cat "$WORK/ratings.csv"; nul; cat "$WORK/movies.csv"; } >"$CORPUS/movielens/ratings_and_movies"
cp "$WORK/ratings.csv" "$CORPUS/movielens/ratings_only"
# The last line of the bundled ratings.csv has no final newline; CRLF line ends.
{ head -1 "$ML/ratings.csv"; tail -3 "$ML/ratings.csv"; } >"$CORPUS/movielens/no_final_newline"
sed 's/$/\r/' "$WORK/ratings.csv" >"$CORPUS/movielens/crlf"

# ---- lastfm: user_artists.dat [NUL artists.dat [NUL user_friends.dat]] ---------------------------
head -16 "$LASTFM/user_artists.dat" >"$WORK/ua"
awk '/^3\t/ && n++ < 10' "$LASTFM/user_artists.dat" >>"$WORK/ua"
artist_ids="$(tail -n +2 "$WORK/ua" | cut -f2 | sort -u | tr '\n' '|')"
{
  head -1 "$LASTFM/artists.dat"
  awk -F'\t' -v ids="|$artist_ids" 'NR > 1 && index(ids, "|" $1 "|") { print }' "$LASTFM/artists.dat"
} >"$WORK/artists"
{ grep -m 4 '^2	' "$LASTFM/user_friends.dat"; grep -m 2 '^3	' "$LASTFM/user_friends.dat"; printf '2\t3'; } \
  >"$WORK/friends"
{ cat "$WORK/ua"; nul; cat "$WORK/artists"; nul; cat "$WORK/friends"; } >"$CORPUS/lastfm/all_three"
cp "$WORK/ua" "$CORPUS/lastfm/user_artists_only"
{ cat "$WORK/ua"; nul; nul; printf 'userID\tfriendID\n'; cat "$WORK/friends"; } \
  >"$CORPUS/lastfm/empty_artists_friends_header"

# ---- lightgcn_txt: train.txt NUL test.txt ---------------------------------------------------------
# The paper's layout, made up here (Gowalla itself stays out of the
# repository): users in order, one with no items, ids up to 199.
{
  printf '0 3 5 8 13 21 34 55\n1 2 4 6 8 10\n2 150 151 152 199\n3\n'
  printf '4 7 77\n5 100 101 102 103 120 140 160 180\n'
  nul
  printf ' 0\n1\n2\n3\n4\n5 190 191 9 42 99 11 12\n'
} >"$CORPUS/lightgcn_txt/paper_layout"
{ printf '0 1 2 3\n1 0 2\n2 4\n'; nul; printf '0 4\n1 3 1\n'; } >"$CORPUS/lightgcn_txt/tiny"
printf '0\t1  2\r\n\n1 0\n' >"$CORPUS/lightgcn_txt/train_only_blanks"

# ---- edge_list: delimiter byte, columns byte, file ------------------------------------------------
# Byte 1: user column | item column << 2 | header << 4.
{ printf '\x01\x14'; printf 'user,item,weight\n'; printf 'u1,i1,1\nu1,"i,2",1\n# comment\nu2,i1,3\n'; } \
  >"$CORPUS/edge_list/csv_header_quoted"
{ printf '\x00\x04'; printf '1 10\n1\t11\n  2 10 extra\n%% comment\n3 12\n'; } >"$CORPUS/edge_list/blanks"
{ printf '\x02\x01'; sed -n '2,9p' "$LASTFM/user_artists.dat" | awk -F'\t' '{ print $2 "\t" $1 }'; } \
  >"$CORPUS/edge_list/tab_item_first"
{ printf '\x03\x18'; printf 'a;b;c\nx;u1;i1\nx;u2;i2\n'; } >"$CORPUS/edge_list/semicolon_columns_1_2"

# ---- mpd: one slice ---------------------------------------------------------------------------------
"$BUILD/apps/mpd_generate" --out "$WORK/mpd" --playlists 2 --tracks 5 --artists 3 --albums 4 \
  --min-tracks 2 --max-tracks 3 >/dev/null
cp "$WORK"/mpd/mpd.slice.0-1.json "$CORPUS/mpd/synthetic_two_playlists"
cat >"$CORPUS/mpd/hand_written" <<'EOF'
{"info": {"slice": "0-1"}, "playlists": [
 {"name": "Caf\u00e9 \"mix\"", "collaborative": "false", "pid": 0, "num_followers": 3,
  "tracks": [{"pos": 0, "artist_name": "A", "track_uri": "spotify:track:t1", "artist_uri": "spotify:artist:a1",
              "track_name": "T1", "album_uri": "spotify:album:b1", "album_name": "B1"},
             {"pos": 1, "artist_name": "A", "track_uri": "spotify:track:t1", "artist_uri": "spotify:artist:a1",
              "track_name": "T1", "album_uri": "spotify:album:b1", "album_name": "B1"}]},
 {"pid": 7, "num_followers": 1,
  "tracks": [{"track_uri": "spotify:track:t2", "artist_uri": "spotify:artist:a2", "album_uri": "spotify:album:b1",
              "track_name": "T2", "artist_name": "B", "album_name": "B1"}]}
]}
EOF

# ---- graph_cache and checkpoint: files the library writes ----------------------------------------
awk 'BEGIN { srand(3); print "user,item"; for (u = 0; u < 6; u++) for (k = 0; k < 4; k++) print "u" u ",i" int(rand() * 5) }' \
  >"$WORK/edges.csv"
(cd "$WORK" && "$BUILD/apps/lightgcn_train" --dataset edgelist --edges edges.csv --delimiter , \
  --header --cache-dir cache --device cpu --no-progress --dim 2 --layers 1 --epochs 1 \
  --batch-size 8 --topk 2 --eval-every 1 --out run >/dev/null)
cache_file="$(ls "$WORK"/cache/dataset-*.bin)"
# Byte 0 even: the payload (after the 36-byte header) behind a header the target makes right.
{ printf '\x00'; tail -c +37 "$cache_file"; } >"$CORPUS/graph_cache/payload_lightgcn_edgelist"
{ printf '\x01'; cat "$cache_file"; } >"$CORPUS/graph_cache/whole_file_other_key"
# Byte 0 even: the file without its 8-byte checksum, which the target appends.
{ printf '\x00'; head -c -8 "$WORK/run/best.ckpt"; } >"$CORPUS/checkpoint/lightgcn_best_body"
{ printf '\x01'; cat "$WORK/run/last.ckpt"; } >"$CORPUS/checkpoint/lightgcn_last_whole"
(cd "$WORK" && "$BUILD/apps/sage_train" --dataset lastfm --user-artists ua --user-friends friends \
  --artists "" --device cpu --no-progress --hidden 2 --layers 1 --epochs 1 --batch-size 8 \
  --topk 2 --out sage >/dev/null)
{ printf '\x00'; head -c -8 "$WORK/sage/best.ckpt"; } >"$CORPUS/checkpoint/sage_best_body"

# ---- node_features: type byte, CSV --------------------------------------------------------------
{ printf '\x00'; printf 'id,f1,f2\na,1,2\nb,3.5,-1e-3\n"c,d",0,0\n\n7,1e3,2\n'; } >"$CORPUS/node_features/raw_ids"
{ printf '\x01'; printf 'id,x\r\n2,0.5\r\n0,1\r\n1,-2\r\n'; } >"$CORPUS/node_features/index_ids"

# ---- cli: one argv word per line -------------------------------------------------------------------
printf 'lightgcn_train\n--dataset\nedgelist\n--edges\nx.csv\n--delimiter\n,\n--topk\n10,20,50\n--header' \
  >"$CORPUS/cli/lightgcn_edgelist"
printf 'lightgcn_train\n--dataset=gowalla\n--layers\n0\n--lr\n1e-3\n--resume\n--seed\n7\n--epochs\n5\n--epochs\n6' \
  >"$CORPUS/cli/lightgcn_dataset_flags"
printf 'lightgcn_train\n--recommend\n1\n--top\n10\n--checkpoint\nbest.ckpt' >"$CORPUS/cli/lightgcn_recommend"
printf 'lightgcn_train\n--help' >"$CORPUS/cli/lightgcn_help"
printf 'sage_train\n--dataset\nmpd\n--mpd\ndir\n--mpd-top\n100\n--features\nplaylist=f.csv\n--features\ntrack=g.csv' \
  >"$CORPUS/cli/sage_mpd_features"
printf 'sage_train\n--score\n2\n51\n--decoder\nmlp\n--dropout\n0.5\n--normalize' >"$CORPUS/cli/sage_score"
printf 'sage_train\n--nope\n--layers\n99' >"$CORPUS/cli/sage_errors"

du -sh "$CORPUS"
