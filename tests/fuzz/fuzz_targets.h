// Fuzz targets: one entry per reader of outside input. Each takes arbitrary
// bytes, hands them to the real reader (through a file where the reader
// takes a path), and returns 0. A gnnrec::Error is the expected answer to a
// bad input and is swallowed; anything else -- a crash, a sanitizer report,
// another exception, a broken invariant of what a reader returned (checked
// here, abort) -- gets through, which is what the fuzzer looks for.
//
// The same functions serve two mains: libFuzzer's LLVMFuzzerTestOneInput
// (fuzz_main.cpp, one binary per target, built by tools/fuzz.sh) and the
// replay test (test_fuzz_replay.cpp, in ctest), which feeds them every file
// of corpus/<name>/ and regressions/<name>/.
//
// Input layout of each target (a "part" is the bytes up to the next NUL):
//   movielens     part 1 ratings.csv; part 2, when there is a NUL, movies.csv
//   lastfm        parts user_artists.dat, artists.dat, user_friends.dat (a
//                 missing part: no such file); load_lastfm, load_lastfm_hetero
//                 and load_lastfm_homogeneous
//   lightgcn_txt  parts train.txt, test.txt (missing: an empty test.txt)
//   edge_list     byte 0 the delimiter (% 4: blanks , \t ;), byte 1 the
//                 columns and header (user bits 0-1, item bits 2-3, header
//                 bit 4); the rest the file
//   mpd           one slice file mpd.slice.0-999.json (the whole input);
//                 top_by_followers = size % 3 (0: all)
//   graph_cache   byte 0 even: the rest is the payload of a cache file whose
//                 header (magic, version, the key, size, checksum) is made
//                 right; odd: the rest is the whole file; read by load_cached
//   checkpoint    byte 0 even: the rest plus its right checksum; odd: the
//                 rest is the whole file
//   node_features byte 0 even: node type "a","b","c,d","7"; odd: 3 nodes
//                 without raw ids; the rest the CSV
//   cli           one argv word per line; word 0 "sage_train" parses
//                 sage_train's options, anything else lightgcn_train's
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gnnrec::fuzz {

int fuzz_movielens(const std::uint8_t* data, std::size_t size);
int fuzz_lastfm(const std::uint8_t* data, std::size_t size);
int fuzz_lightgcn_txt(const std::uint8_t* data, std::size_t size);
int fuzz_edge_list(const std::uint8_t* data, std::size_t size);
int fuzz_mpd(const std::uint8_t* data, std::size_t size);
int fuzz_graph_cache(const std::uint8_t* data, std::size_t size);
int fuzz_checkpoint(const std::uint8_t* data, std::size_t size);
int fuzz_node_features(const std::uint8_t* data, std::size_t size);
int fuzz_cli(const std::uint8_t* data, std::size_t size);

struct FuzzTarget {
  const char* name;  // "movielens": the folder names under corpus/ and regressions/
  int (*run)(const std::uint8_t* data, std::size_t size);
};

// Every target above, in that order.
const std::vector<FuzzTarget>& fuzz_targets();

}  // namespace gnnrec::fuzz
