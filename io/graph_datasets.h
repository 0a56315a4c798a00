// Graph datasets for link prediction (sage_train): loaders that return a
// HeteroGraph (core/hetero_graph.h) with raw ids and display labels.
//
// Errors name the file, the line (or the JSON slice and playlist) and what
// was expected, like the interaction loaders of io/dataset.h.
#pragma once

#include <cstdint>
#include <string>

#include "core/hetero_graph.h"

namespace gnnrec::io {

// HetRec 2011 Last.fm as a heterogeneous graph:
//   node types  "user" (raw ids from the files), "artist" (labels from artists.dat)
//   relations   (user, listens, artist) from user_artists.dat, directed, one edge per row
//               (user, friends, user) from user_friends.dat, made symmetric
// user_friends_dat or artists_dat may be "" (no friends relation / no names).
// user_friends.dat may start with its header `userID\tfriendID` or not (the
// shared copy has none); a friend who is not in user_artists.dat becomes a
// user node without listens, after the others; a self pair is skipped.
// Repeated pairs are kept once. The caller splits (user, listens, artist)
// and then adds its reverse (HeteroGraph::add_reverse_relations).
HeteroGraph load_lastfm_hetero(const std::string& user_artists_dat,
                               const std::string& user_friends_dat, const std::string& artists_dat);

// user_artists.dat alone as a homogeneous graph: one node type "node" whose
// first n_users nodes are the users and the rest the artists (so a user and
// an artist never share an id, even where the file's numbers coincide), and
// one relation (node, listens, node) with an edge user -> artist per row.
// Raw ids are "user:<id>" and "artist:<id>"; labels "user <id>" and the
// artist names ("artist <id>" where artists.dat gives none, or is ""). The caller splits, then
// makes the relation symmetric.
HeteroGraph load_lastfm_homogeneous(const std::string& user_artists_dat,
                                    const std::string& artists_dat);

// The Spotify Million Playlist Dataset: a folder of mpd.slice.*.json files,
// read in name order (the first pid compared as a number, so
// mpd.slice.2000-2999.json comes before mpd.slice.10000-10999.json).
//   node types  "playlist" (raw id = pid; features: log1p(num_followers),
//                standardized to mean 0 and std 1 over the playlists kept),
//               "track", "artist", "album" (raw ids = the Spotify URIs;
//                labels "track name - artist name", artist and album names)
//   relations   (playlist, contains, track), (track, by, artist), (track, on, album)
// A track listed twice in a playlist is one contains edge; a track's artist
// and album are those of its first entry. Tracks, artists and albums are
// those of the playlists kept, numbered in order of first appearance.
// Errors name the slice file, the playlist (index in the file and pid), the
// track and the field: a truncated slice, a playlist without tracks, a
// missing required field (pid, num_followers, tracks; each track's
// track_uri, artist_uri, album_uri, track_name, artist_name, album_name),
// a repeated pid, a missing folder or one without slices.
struct MpdOptions {
  int max_files = 0;         // read only the first N slice files (0: all)
  int top_by_followers = 0;  // keep only the N playlists with most followers (0: all)
};
HeteroGraph load_mpd(const std::string& folder, const MpdOptions& options = {});

// Writes synthetic slices in the MPD format into `folder`: n_playlists
// playlists, playlists_per_file per file (named like the real ones,
// mpd.slice.<first>-<last>.json), tracks drawn from n_tracks with Zipf-like
// popularity (exponent `skew`), each track with a fixed artist and album.
// Deterministic for a seed.
struct SyntheticMpdOptions {
  std::int64_t n_playlists = 1000;
  std::int64_t playlists_per_file = 1000;
  std::int64_t n_tracks = 100000;
  std::int64_t n_artists = 20000;
  std::int64_t n_albums = 40000;
  int min_tracks = 5;
  int max_tracks = 100;
  double skew = 1.0;
  std::uint64_t seed = 42;
};
// Each playlist holds distinct tracks (min(n_tracks, uniform in [min_tracks,
// max_tracks]) of them), so its contains edges are its num_tracks; follower
// counts are heavy-tailed (most playlists have 1). Files are streamed to
// disk (memory stays at a few MB plus O(n_tracks + n_albums + n_artists));
// files of the same names are replaced.
struct SyntheticMpdSummary {
  std::int64_t n_files = 0;
  std::int64_t n_playlists = 0;
  std::int64_t n_track_entries = 0;  // sum of num_tracks: the contains edges load_mpd will find
  std::int64_t n_bytes = 0;
};
SyntheticMpdSummary write_synthetic_mpd(const std::string& folder,
                                        const SyntheticMpdOptions& options);

// Input features for one node type from a CSV file: a header row, then one
// row per node, `raw_id,f1,f2,...`. Every node of `type` must have exactly one
// row and every row the same number of values; an unknown id, a missing
// node, a repeated id or a non-number is an Error naming the file and line.
// The header's column count fixes n_features; ids may be "quoted" (RFC
// 4180); blank lines are skipped. Returns (type.count, n_features) f32 on
// the CPU.
Tensor read_node_features(const std::string& path, const NodeType& type);

}  // namespace gnnrec::io
