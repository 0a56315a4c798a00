// RecDataset: a user-item interaction graph split into train, validation and
// test edges, with dense ids per node type and display names for items.
//
// Every loader returns one, so lightgcn_train (and later sage_train) treats
// all datasets alike:
//
//   load_movielens   ratings.csv (+ movies.csv for titles); rating >= min_rating is a positive
//   load_lastfm      HetRec 2011 user_artists.dat (+ artists.dat for names); every row a positive
//   load_lightgcn_txt  the LightGCN paper's train.txt / test.txt ("user item item ...")
//   load_edge_list   a generic CSV or whitespace file, columns chosen by the caller
//
// Raw ids map to dense ids 0..n-1 per node type (io/id_map.h), in order of
// first appearance in the file. Repeated (user, item) pairs are kept once.
// Where a dataset has no given split, the positive edges are shuffled with
// the seed and cut validation / test / train (io/split.h); validation and
// test edges are never in the message-passing graph, which is built from
// `train` alone.
//
// Errors (gnnrec::Error) name the file, the line and what was expected:
//   data/ratings.csv:17: expected 4 comma-separated fields, got 3
// An empty dataset, a test user that never appears in train.txt, or a
// missing file each give one clear message.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "io/id_map.h"

namespace gnnrec::io {

struct EdgeList {
  std::vector<std::int32_t> user;  // dense user id of each edge
  std::vector<std::int32_t> item;  // dense item id of each edge
  std::int64_t size() const { return static_cast<std::int64_t>(user.size()); }
};

struct RecDataset {
  std::string name;         // "movielens", "lastfm", "gowalla", "edgelist"
  std::string description;  // one line: files read and options, for logs
  IdMap users;
  IdMap items;
  // Display name of each dense item (a movie title, an artist name); empty
  // when the dataset has none, or "" for an item without a name.
  std::vector<std::string> item_names;
  EdgeList train, validation, test;
  // A hash of the node counts and every split edge (FNV-1a 64, in order):
  // two datasets with equal fingerprints have the same ids and the same
  // split. Checkpoints store it to refuse a model trained on other data.
  std::uint64_t fingerprint = 0;

  std::int32_t n_users() const { return users.size(); }
  std::int32_t n_items() const { return items.size(); }
  // The item's name where known, else its raw id.
  std::string item_label(std::int32_t item) const;
};

struct SplitOptions {
  double validation_fraction = 0.1;
  double test_fraction = 0.1;
  std::uint64_t seed = 42;
};

// `movies_csv` may be "" (no titles). Users and movies are those of the
// positive edges: a movie rated only below min_rating is not a node.
RecDataset load_movielens(const std::string& ratings_csv, const std::string& movies_csv,
                          float min_rating, const SplitOptions& split);

// `artists_dat` may be "" (no names).
RecDataset load_lastfm(const std::string& user_artists_dat, const std::string& artists_dat,
                       const SplitOptions& split);

// Test edges come from test_txt, train edges from train_txt; a share
// `validation_fraction` of the train edges (seeded) becomes validation (0:
// no validation set, as in the paper). split.test_fraction is ignored.
// The ids are already dense, so users 0..(largest user id in train_txt) and
// items 0..(largest item id in either file) are added in numeric order and
// dense id == raw id; an id that never appears is a node without edges. A
// test user who has no line in train_txt is an Error, and so is an id beyond
// 1024 + twice the number of ids of its kind in the files (ids so sparse
// are not this format, and would make millions of nodes without edges).
RecDataset load_lightgcn_txt(const std::string& train_txt, const std::string& test_txt,
                             const SplitOptions& split, const std::string& name = "gowalla");

struct EdgeListFormat {
  char delimiter = 0;   // 0: any run of spaces or tabs; else this character (',' for CSV)
  int user_column = 0;  // 0-based column holding the user id
  int item_column = 1;  // 0-based column holding the item id
  bool header = false;  // skip the first line
  // Lines starting with '#' or '%' are comments; blank lines are skipped.
};
RecDataset load_edge_list(const std::string& path, const EdgeListFormat& format,
                          const SplitOptions& split);

// FNV-1a 64 over the counts and the edges of the three splits (see above).
std::uint64_t dataset_fingerprint(const RecDataset& data);

// ---- Binary cache -------------------------------------------------------------
// A parsed RecDataset saved in one binary file, so the second load of a
// dataset skips parsing. The cache key is a hash of `key_text` (the loader,
// its options) and of each input file's path, size and modification time;
// a changed input or option makes a new key. The file has a magic, a format
// version and a checksum; a damaged or foreign file is ignored (parsed anew,
// and rewritten), never trusted. Written to a temporary file, flushed and
// renamed, so a killed run never leaves half a cache file.
//
//   RecDataset data = load_cached(cache_dir, "movielens min_rating=3.5 ...",
//                                 {ratings, movies}, [&] { return load_movielens(...); });
//
// cache_dir "" disables the cache. The directory is created when missing;
// when it cannot be written the loader still works and logs one warning.
RecDataset load_cached(const std::string& cache_dir, const std::string& key_text,
                       const std::vector<std::string>& input_files,
                       const std::function<RecDataset()>& load, bool* was_cached = nullptr);

// $XDG_CACHE_HOME/gnnrec, else $HOME/.cache/gnnrec, else "" (no cache).
std::string default_cache_dir();

// ---- Shared by the loaders ----------------------------------------------------

// `edges` with each repeated (user, item) pair kept once, at its first
// occurrence, order otherwise unchanged. Ids must be < n_users / n_items.
EdgeList unique_edges(const EdgeList& edges, std::int32_t n_users, std::int32_t n_items);

// Fills data->train, validation and test from `positives` (dense ids of
// data->users and data->items): repeated pairs are kept once, then the edges
// are shuffled with split.seed and cut (io/random_edge_split); each split
// keeps the edges in file order. Errors: "SOURCE: no positive edges", or a
// split that leaves no training edge. Does not set the fingerprint: loaders
// set it once the dataset is complete.
void split_positive_edges(const EdgeList& positives, const SplitOptions& split,
                          const std::string& source, RecDataset* data);

// HetRec 2011 Last.fm, shared by load_lastfm and the graph loaders
// (io/graph_datasets.h). read_lastfm_listens reads user_artists.dat
// (`userID\tartistID\tweight`, with its header) into one (user, artist)
// edge per row, in file order and repeated pairs included, adding new raw
// ids to `users` and `artists`; the listen count is checked, not kept.
void read_lastfm_listens(const std::string& user_artists_dat, IdMap* users, IdMap* artists,
                         EdgeList* listens);
// artists.dat (`id\tname\turl\tpictureURL`, with its header): the name of
// each artist of `artists`, "" where the file has none.
std::vector<std::string> read_lastfm_artist_names(const std::string& artists_dat,
                                                  const IdMap& artists);

// "validation 0.1, test 0.1, seed 42", for descriptions.
std::string split_text(const SplitOptions& split);

// The dense id of raw id `raw`, added when new. `scratch` is reused between
// calls, so a known id costs no allocation.
std::int32_t add_raw_id(IdMap* ids, std::string_view raw, std::string* scratch);

}  // namespace gnnrec::io
