// The Spotify Million Playlist Dataset: load_mpd reads the JSON slices with
// simdjson's On Demand API, one file in memory at a time; write_synthetic_mpd
// streams synthetic slices in the same format.
//
// What load_mpd reads (everything else -- "collaborative": "false" written
// as a string, "description", "info" -- is skipped unread):
//   playlist  pid, num_followers (integers >= 0), tracks (a non-empty array),
//             and name when present (the playlist's label)
//   track     track_uri, artist_uri, album_uri, track_name, artist_name,
//             album_name (strings)
// A track listed twice in one playlist is one (playlist, contains, track)
// edge: the graph says which tracks a playlist holds, not how often (the
// sample's 2,023 track entries are 1,991 edges). A track's artist and album
// are those of its first entry (in the real data they never differ). Nodes
// are numbered in order of first appearance among the playlists kept, so
// top_by_followers gives the graph those playlists alone would give. Two
// playlists with the same pid are an Error.
//
// Errors name the file, the playlist (its index in the file and its pid)
// and the track and field where there is one:
//   mpd/mpd.slice.0-999.json: playlists[12] (pid 12), tracks[3]: missing field 'track_uri'
// A truncated file fails before its first playlist is read (the JSON does
// not balance), so its message names the last playlist that begins in it.
#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iterator>
#include <limits>
#include <numeric>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/error.h"
#include "io/files.h"
#include "io/graph_datasets.h"
#include "io/text_reader.h"

namespace gnnrec::io {
namespace {

namespace fs = std::filesystem;
namespace ondemand = simdjson::ondemand;

constexpr std::string_view kSlicePrefix = "mpd.slice.";
constexpr std::string_view kSliceSuffix = ".json";

// ---- Slice files --------------------------------------------------------------

bool is_slice_name(std::string_view name) {
  return name.size() > kSlicePrefix.size() + kSliceSuffix.size() &&
         name.substr(0, kSlicePrefix.size()) == kSlicePrefix &&
         name.substr(name.size() - kSliceSuffix.size()) == kSliceSuffix;
}

// The number after "mpd.slice." (the slice's first pid), or -1.
std::int64_t first_pid_of(std::string_view name) {
  const std::string_view rest = name.substr(kSlicePrefix.size());
  std::size_t digits = 0;
  while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
  std::int64_t pid = -1;
  if (!parse_int(rest.substr(0, digits), &pid)) return -1;
  return pid;
}

// The slice files of `folder` in name order, comparing the first pid as a
// number: mpd.slice.2000-2999.json comes before mpd.slice.10000-10999.json.
std::vector<std::string> list_slices(const std::string& folder) {
  std::error_code error;
  GNNREC_CHECK(fs::is_directory(folder, error),
               folder << ": no such folder (expected one holding mpd.slice.*.json files)");
  std::vector<std::pair<std::int64_t, std::string>> slices;  // (first pid, file name)
  try {
    for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
      const std::string name = entry.path().filename().string();
      if (is_slice_name(name) && entry.is_regular_file()) {
        slices.emplace_back(first_pid_of(name), name);
      }
    }
  } catch (const fs::filesystem_error& e) {
    GNNREC_FAIL(folder << ": cannot list the folder: " << e.code().message());
  }
  GNNREC_CHECK(!slices.empty(), folder << ": no mpd.slice.*.json files");
  std::sort(slices.begin(), slices.end());
  std::vector<std::string> paths;
  for (const auto& slice : slices) paths.push_back((fs::path(folder) / slice.second).string());
  return paths;
}

// ---- Reading --------------------------------------------------------------------

// Spotify URI -> dense id, in order of first appearance. Open addressing
// (linear probing, at most half full) over the hashes, each URI kept once:
// a lookup costs about two cache misses where IdMap's node-based map costs
// four or so, and there is one per track entry (5M for 100k playlists).
class UriIndex {
 public:
  // The id of `uri`; when it is new, adds it and sets *added.
  std::int32_t add(std::string_view uri, bool* added) {
    const std::uint64_t hash = std::hash<std::string_view>()(uri);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.id < 0) {
        slot = {hash, static_cast<std::int32_t>(uris_.size())};
        uris_.emplace_back(uri);
        *added = true;
        const std::int32_t id = slot.id;
        if (2 * uris_.size() > slots_.size()) grow();
        return id;
      }
      if (slot.hash == hash && uris_[static_cast<std::size_t>(slot.id)] == uri) {
        *added = false;
        return slot.id;
      }
    }
  }
  std::int32_t size() const { return static_cast<std::int32_t>(uris_.size()); }
  std::string& uri(std::int32_t id) { return uris_[static_cast<std::size_t>(id)]; }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::int32_t id = -1;  // -1: empty
  };
  void grow() {
    std::vector<Slot> old(2 * slots_.size());
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.id < 0) continue;
      std::size_t i = slot.hash & mask;
      while (slots_[i].id >= 0) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_ = std::vector<Slot>(1024);  // a power of two
  std::vector<std::string> uris_;
};

// Every track, artist and album read, in order of first appearance.
struct TrackTable {
  UriIndex tracks, artists, albums;
  std::vector<std::int32_t> artist_of_track, album_of_track;
  std::vector<std::string> track_labels, artist_names, album_names;
  // The last playlist listing each track, to keep a repeated entry once.
  std::vector<std::int64_t> last_playlist;
};

// Every playlist read, in file order.
struct PlaylistTable {
  std::vector<std::int64_t> pid, followers;
  std::vector<std::string> name;
  std::vector<std::int32_t> file, index_in_file;  // where it was read, for duplicate pids
  // Playlist p holds tracks entries[track_start[p] .. track_start[p + 1]), each once.
  std::vector<std::int64_t> track_start{0};
  std::vector<std::int32_t> entries;
  std::int64_t size() const { return static_cast<std::int64_t>(pid.size()); }
};

// "in or after playlists[18] (pid 18)": the last playlist that begins in a
// file that does not parse, found by the last "pid" key in the text (a key
// cannot hide inside a string value: its quotes would be escaped).
std::string last_playlist_begun(std::string_view text) {
  constexpr std::string_view kKey = "\"pid\"";
  std::int64_t count = 0;
  std::string_view last_pid;
  for (std::size_t at = text.find(kKey); at != std::string_view::npos;
       at = text.find(kKey, at + kKey.size())) {
    if (at > 0 && text[at - 1] == '\\') continue;
    std::size_t i = at + kKey.size();
    while (i < text.size() &&
           (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t')) {
      ++i;
    }
    if (i >= text.size() || text[i] != ':') continue;
    ++i;
    while (i < text.size() &&
           (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t')) {
      ++i;
    }
    std::size_t end = i;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    ++count;
    last_pid = text.substr(i, end - i);
  }
  if (count == 0) return "before the first playlist's pid";
  std::ostringstream where;
  where << "in or after playlists[" << count - 1 << "]";
  if (!last_pid.empty()) where << " (pid " << last_pid << ")";
  return where.str();
}

// Reads one slice file into the tables, keeping where it is for errors.
class SliceReader {
 public:
  SliceReader(const std::string& path, std::int32_t file, TrackTable* tracks,
              PlaylistTable* playlists, std::unordered_map<std::int64_t, std::int64_t>* by_pid,
              const std::vector<std::string>& paths)
      : path_(path),
        file_(file),
        tracks_(tracks),
        playlists_(playlists),
        by_pid_(by_pid),
        paths_(paths) {}

  void read(ondemand::parser* parser) {
    simdjson::padded_string json;
    const simdjson::error_code load_error = simdjson::padded_string::load(path_).get(json);
    if (load_error) GNNREC_FAIL(path_ << ": cannot read: " << simdjson::error_message(load_error));
    ondemand::document document;
    simdjson::error_code error = parser->iterate(json).get(document);
    if (error) fail_document(error, json);
    ondemand::array playlists;
    error = document.find_field_unordered("playlists").get_array().get(playlists);
    if (error == simdjson::NO_SUCH_FIELD) fail("missing field 'playlists'");
    if (error == simdjson::INCORRECT_TYPE) fail("field 'playlists': expected an array");
    if (error) fail_document(error, json);
    for (auto element : playlists) {
      ++index_;
      has_pid_ = false;
      ondemand::object playlist;
      check(element.get_object().get(playlist), "a playlist object");
      read_playlist(playlist);
    }
  }

 private:
  // "PATH: playlists[I] (pid P), tracks[T]" as far as known.
  std::string where() const {
    std::ostringstream out;
    out << path_;
    if (index_ >= 0) {
      out << ": playlists[" << index_ << "]";
      if (has_pid_) out << " (pid " << pid_ << ")";
      if (track_ >= 0) out << ", tracks[" << track_ << "]";
    }
    return out.str();
  }
  [[noreturn]] void fail(const std::string& message) const {
    GNNREC_FAIL(where() << ": " << message);
  }
  void check(simdjson::error_code error, std::string_view what) const {
    if (error) fail(std::string(what) + ": " + simdjson::error_message(error));
  }
  void check_field(simdjson::error_code error, std::string_view field,
                   std::string_view expected) const {
    if (error == simdjson::INCORRECT_TYPE || error == simdjson::NUMBER_ERROR) {
      fail("field '" + std::string(field) + "': expected " + std::string(expected));
    }
    if (error) {
      fail("field '" + std::string(field) + "': " + simdjson::error_message(error));
    }
  }
  // A document that fails before its first playlist: truncated, or not JSON.
  [[noreturn]] void fail_document(simdjson::error_code error, std::string_view text) const {
    if (error == simdjson::INCOMPLETE_ARRAY_OR_OBJECT || error == simdjson::UNCLOSED_STRING) {
      GNNREC_FAIL(path_ << ": the JSON ends early (a truncated file?), "
                        << last_playlist_begun(text) << ": " << simdjson::error_message(error));
    }
    GNNREC_FAIL(path_ << ": not valid JSON: " << simdjson::error_message(error));
  }

  void read_playlist(ondemand::object& playlist) {
    // The pid first, so that every later error can name it.
    simdjson::error_code error = playlist.find_field_unordered("pid").get_int64().get(pid_);
    if (error == simdjson::NO_SUCH_FIELD) fail("missing field 'pid'");
    check_field(error, "pid", "an integer");
    has_pid_ = true;
    check(playlist.reset().error(), "the playlist object");

    const std::int64_t p = playlists_->size();
    auto [seen, inserted] = by_pid_->emplace(pid_, p);
    if (!inserted) {
      const auto q = static_cast<std::size_t>(seen->second);
      fail("pid " + std::to_string(pid_) + " appears twice (also " +
           paths_[static_cast<std::size_t>(playlists_->file[q])] + ": playlists[" +
           std::to_string(playlists_->index_in_file[q]) + "])");
    }
    std::int64_t followers = -1;
    std::string_view name;
    bool has_tracks = false;
    for (auto field_or_error : playlist) {
      ondemand::field field;
      check(std::move(field_or_error).get(field), "a playlist field");
      std::string_view key;
      check(field.unescaped_key().get(key), "a playlist field name");
      if (key == "num_followers") {
        check_field(field.value().get_int64().get(followers), "num_followers", "an integer");
        if (followers < 0) {
          fail("field 'num_followers': expected a count >= 0, got " + std::to_string(followers));
        }
      } else if (key == "name") {
        check_field(field.value().get_string().get(name), "name", "a string");
      } else if (key == "tracks") {
        ondemand::array tracks;
        check_field(field.value().get_array().get(tracks), "tracks", "an array");
        read_tracks(tracks, p);
        has_tracks = true;
      }
    }
    if (followers < 0) fail("missing field 'num_followers'");
    if (!has_tracks) fail("missing field 'tracks' (a playlist needs at least one track)");
    playlists_->pid.push_back(pid_);
    playlists_->followers.push_back(followers);
    playlists_->name.emplace_back(name);
    playlists_->file.push_back(file_);
    playlists_->index_in_file.push_back(static_cast<std::int32_t>(index_));
    playlists_->track_start.push_back(static_cast<std::int64_t>(playlists_->entries.size()));
  }

  void read_tracks(ondemand::array& tracks, std::int64_t playlist) {
    track_ = -1;
    for (auto element : tracks) {
      ++track_;
      ondemand::object track;
      check(element.get_object().get(track), "a track object");
      read_track(track, playlist);
    }
    if (track_ < 0) fail("field 'tracks' is empty (a playlist needs at least one track)");
    track_ = -1;
  }

  void read_track(ondemand::object& track, std::int64_t playlist) {
    enum { kTrackUri, kArtistUri, kAlbumUri, kTrackName, kArtistName, kAlbumName, kFields };
    static constexpr std::string_view kNames[kFields] = {"track_uri",  "artist_uri",  "album_uri",
                                                         "track_name", "artist_name", "album_name"};
    std::string_view value[kFields];
    bool seen[kFields] = {};
    for (auto field_or_error : track) {
      ondemand::field field;
      check(std::move(field_or_error).get(field), "a track field");
      std::string_view key;
      check(field.unescaped_key().get(key), "a track field name");
      for (int f = 0; f < kFields; ++f) {
        if (key == kNames[f]) {
          check_field(field.value().get_string().get(value[f]), kNames[f], "a string");
          seen[f] = true;
          break;
        }
      }
    }
    for (int f = 0; f < kFields; ++f) {
      if (!seen[f]) fail("missing field '" + std::string(kNames[f]) + "'");
    }

    TrackTable& t = *tracks_;
    bool added = false;
    const std::int32_t id = t.tracks.add(value[kTrackUri], &added);
    if (added) {
      const std::int32_t artist = t.artists.add(value[kArtistUri], &added);
      if (added) t.artist_names.emplace_back(value[kArtistName]);
      const std::int32_t album = t.albums.add(value[kAlbumUri], &added);
      if (added) t.album_names.emplace_back(value[kAlbumName]);
      t.artist_of_track.push_back(artist);
      t.album_of_track.push_back(album);
      std::string label(value[kTrackName]);
      label.append(" - ").append(value[kArtistName]);
      t.track_labels.push_back(std::move(label));
      t.last_playlist.push_back(-1);
    }
    std::int64_t& last = t.last_playlist[static_cast<std::size_t>(id)];
    if (last != playlist) {
      last = playlist;
      playlists_->entries.push_back(id);
    }
  }

  const std::string& path_;
  const std::int32_t file_;
  TrackTable* tracks_;
  PlaylistTable* playlists_;
  std::unordered_map<std::int64_t, std::int64_t>* by_pid_;  // pid -> playlist
  const std::vector<std::string>& paths_;
  std::int64_t index_ = -1;  // playlist in this file
  std::int64_t pid_ = 0;
  bool has_pid_ = false;
  std::int64_t track_ = -1;  // track in the playlist
};

// The playlists to keep, in read order: all, or the `top` with the most
// followers (ties: the one read first).
std::vector<std::int64_t> kept_playlists(const PlaylistTable& playlists, int top) {
  std::vector<std::int64_t> kept(static_cast<std::size_t>(playlists.size()));
  std::iota(kept.begin(), kept.end(), 0);
  if (top > 0 && top < playlists.size()) {
    std::stable_sort(kept.begin(), kept.end(), [&](std::int64_t a, std::int64_t b) {
      return playlists.followers[static_cast<std::size_t>(a)] >
             playlists.followers[static_cast<std::size_t>(b)];
    });
    kept.resize(static_cast<std::size_t>(top));
    std::sort(kept.begin(), kept.end());
  }
  return kept;
}

// log1p(num_followers), standardized to mean 0 and std 1 (the population
// std, over the playlists kept); all zeros where every playlist has the same count.
Tensor follower_features(const PlaylistTable& playlists, const std::vector<std::int64_t>& kept) {
  const std::size_t n = kept.size();
  std::vector<double> x(n);
  double mean = 0;
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = std::log1p(static_cast<double>(playlists.followers[static_cast<std::size_t>(kept[i])]));
    mean += x[i];
  }
  mean /= static_cast<double>(n);
  double variance = 0;
  for (double v : x) variance += (v - mean) * (v - mean);
  const double std = std::sqrt(variance / static_cast<double>(n));
  std::vector<float> features(n, 0.0f);  // (n, 1)
  if (std > 1e-12) {
    for (std::size_t i = 0; i < n; ++i) features[i] = static_cast<float>((x[i] - mean) / std);
  }
  return Tensor::from_vector(features, {static_cast<std::int64_t>(n), 1});
}

// New ids for the old ids of `ids` in order of first appearance: new_id[old]
// (-1: unused) and order[new] = old.
struct Renumbering {
  std::vector<std::int32_t> new_id, order;
  explicit Renumbering(std::int32_t n_old) : new_id(static_cast<std::size_t>(n_old), -1) {}
  std::int32_t operator()(std::int32_t old) {
    std::int32_t& id = new_id[static_cast<std::size_t>(old)];
    if (id < 0) {
      id = static_cast<std::int32_t>(order.size());
      order.push_back(old);
    }
    return id;
  }
};

// The node type of the ids `numbering` kept; moves their URIs and labels out.
NodeType node_type_of(const std::string& name, UriIndex* ids, std::vector<std::string>* labels,
                      const Renumbering& numbering) {
  NodeType type{name, static_cast<std::int32_t>(numbering.order.size()), {}, {}, {}};
  type.raw_ids.reserve(numbering.order.size());
  type.labels.reserve(numbering.order.size());
  for (std::int32_t old : numbering.order) {
    type.raw_ids.push_back(std::move(ids->uri(old)));
    type.labels.push_back(std::move((*labels)[static_cast<std::size_t>(old)]));
  }
  return type;
}

HeteroGraph build_graph(const PlaylistTable& playlists, TrackTable&& t, const MpdOptions& options) {
  const std::vector<std::int64_t> kept = kept_playlists(playlists, options.top_by_followers);
  NodeType playlist{"playlist", static_cast<std::int32_t>(kept.size()), {}, {}, {}};
  Relation contains{"playlist", "contains", "track", {}, {}};
  Renumbering track_ids(t.tracks.size());
  bool any_name = false;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const auto p = static_cast<std::size_t>(kept[i]);
    playlist.raw_ids.push_back(std::to_string(playlists.pid[p]));
    playlist.labels.push_back(playlists.name[p]);
    any_name = any_name || !playlists.name[p].empty();
    for (std::int64_t e = playlists.track_start[p]; e < playlists.track_start[p + 1]; ++e) {
      contains.src.push_back(static_cast<std::int32_t>(i));
      contains.dst.push_back(track_ids(playlists.entries[static_cast<std::size_t>(e)]));
    }
  }
  if (!any_name) playlist.labels.clear();
  playlist.features = follower_features(playlists, kept);

  Relation by{"track", "by", "artist", {}, {}};
  Relation on{"track", "on", "album", {}, {}};
  Renumbering artist_ids(t.artists.size()), album_ids(t.albums.size());
  for (std::size_t track = 0; track < track_ids.order.size(); ++track) {
    const auto old = static_cast<std::size_t>(track_ids.order[track]);
    by.src.push_back(static_cast<std::int32_t>(track));
    by.dst.push_back(artist_ids(t.artist_of_track[old]));
    on.src.push_back(static_cast<std::int32_t>(track));
    on.dst.push_back(album_ids(t.album_of_track[old]));
  }

  HeteroGraph graph;
  graph.add_node_type(std::move(playlist));
  graph.add_node_type(node_type_of("track", &t.tracks, &t.track_labels, track_ids));
  graph.add_node_type(node_type_of("artist", &t.artists, &t.artist_names, artist_ids));
  graph.add_node_type(node_type_of("album", &t.albums, &t.album_names, album_ids));
  graph.add_relation(std::move(contains));
  graph.add_relation(std::move(by));
  graph.add_relation(std::move(on));
  return graph;
}

// ---- Writing ---------------------------------------------------------------------

// splitmix64's output function: a bijection of 64-bit words that mixes all bits.
std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// splitmix64: small, fast and the same on every platform (unlike the
// distributions of <random>).
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() { return mix64(state_++ * 0x9E3779B97F4A7C15ull); }
  double uniform() { return static_cast<double>(next() >> 11) / 9007199254740992.0; }  // [0, 1)
  std::int64_t below(std::int64_t n) {                                                 // [0, n)
    return std::min(n - 1, static_cast<std::int64_t>(uniform() * static_cast<double>(n)));
  }

 private:
  std::uint64_t state_;
};

// "spotify:<kind>:" and 22 base-62 characters from `index`: the first 11
// spell mix64(index ^ salt), a bijection, so two indexes never share a URI.
void append_uri(std::string* out, std::string_view kind, std::uint64_t salt, std::int64_t index) {
  static constexpr char kBase62[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  out->append("spotify:").append(kind).push_back(':');
  std::uint64_t word = mix64(static_cast<std::uint64_t>(index) ^ salt);
  for (int half = 0; half < 2; ++half) {
    std::uint64_t digits = word;
    for (int i = 0; i < 11; ++i) {
      out->push_back(kBase62[digits % 62]);
      digits /= 62;
    }
    word = mix64(word);
  }
}

void append_int(std::string* out, std::int64_t value) {
  char digits[24];
  const auto [end, error] = std::to_chars(digits, digits + sizeof digits, value);
  static_cast<void>(error);
  out->append(digits, end);
}

// Track popularity: rank r (= track index) has weight 1 / (r + 1)^skew.
class ZipfSampler {
 public:
  ZipfSampler(std::int64_t n, double skew) : cdf_(static_cast<std::size_t>(n)) {
    double total = 0;
    for (std::int64_t r = 0; r < n; ++r) {
      total += std::pow(static_cast<double>(r + 1), -skew);
      cdf_[static_cast<std::size_t>(r)] = total;
    }
  }
  std::int64_t operator()(SplitMix64* random) const {
    const double u = random->uniform() * cdf_.back();
    const auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
    return std::min<std::int64_t>(it - cdf_.begin(), static_cast<std::int64_t>(cdf_.size()) - 1);
  }

 private:
  std::vector<double> cdf_;
};

constexpr const char* kPlaylistNames[] = {
    "Throwbacks", "Chill", "Workout", "Road Trip", "Party", "Summer",  "Study", "Country",
    "Rock",       "Jams",  "Sleep",   "Oldies",    "Rap",   "Worship", "Feels", "Mix"};

// Follower counts: 1 + floor of a Pareto variable with tail index 1.5 minus
// one, so about 65% of the playlists have one follower and a few thousands.
std::int64_t draw_followers(SplitMix64* random) {
  constexpr double kTailIndex = 1.5;
  const double pareto = std::pow(1.0 - random->uniform(), -1.0 / kTailIndex);  // >= 1
  return static_cast<std::int64_t>(std::min(pareto, 1e7));
}

// Writes `text` to `file`; an Error naming `path` when it cannot.
void write_or_fail(std::FILE* file, const std::string& path, std::string* text) {
  if (std::fwrite(text->data(), 1, text->size(), file) != text->size()) {
    const int error = errno;
    std::fclose(file);
    GNNREC_FAIL(path << ": cannot write: " << std::strerror(error));
  }
  text->clear();
}

}  // namespace

HeteroGraph load_mpd(const std::string& folder, const MpdOptions& options) {
  GNNREC_CHECK(options.max_files >= 0 && options.top_by_followers >= 0,
               "load_mpd: max_files and top_by_followers must be >= 0 (0: all)");
  std::vector<std::string> paths = list_slices(folder);
  if (options.max_files > 0 && options.max_files < static_cast<int>(paths.size())) {
    paths.resize(static_cast<std::size_t>(options.max_files));
  }
  TrackTable tracks;
  PlaylistTable playlists;
  std::unordered_map<std::int64_t, std::int64_t> by_pid;
  ondemand::parser parser;
  for (std::size_t f = 0; f < paths.size(); ++f) {
    SliceReader reader(paths[f], static_cast<std::int32_t>(f), &tracks, &playlists, &by_pid, paths);
    try {
      reader.read(&parser);
    } catch (const simdjson::simdjson_error& e) {  // the API above reports errors by value
      GNNREC_FAIL(paths[f] << ": " << e.what());
    }
  }
  GNNREC_CHECK(playlists.size() > 0, folder << ": the slice files hold no playlists");
  return build_graph(playlists, std::move(tracks), options);
}

SyntheticMpdSummary write_synthetic_mpd(const std::string& folder,
                                        const SyntheticMpdOptions& options) {
  const SyntheticMpdOptions& o = options;
  GNNREC_CHECK(o.n_playlists >= 1 && o.playlists_per_file >= 1,
               "write_synthetic_mpd: n_playlists and playlists_per_file must be >= 1");
  constexpr std::int64_t kMaxNodes = std::numeric_limits<std::int32_t>::max();
  GNNREC_CHECK(o.n_tracks >= 1 && o.n_artists >= 1 && o.n_albums >= 1 && o.n_tracks <= kMaxNodes &&
                   o.n_artists <= kMaxNodes && o.n_albums <= kMaxNodes,
               "write_synthetic_mpd: n_tracks, n_artists and n_albums must be in [1, 2^31)");
  GNNREC_CHECK(o.min_tracks >= 1 && o.min_tracks <= o.max_tracks,
               "write_synthetic_mpd: need 1 <= min_tracks <= max_tracks, got "
                   << o.min_tracks << " and " << o.max_tracks);
  GNNREC_CHECK(std::isfinite(o.skew) && o.skew >= 0,
               "write_synthetic_mpd: skew must be a finite number >= 0, got " << o.skew);
  make_directories(folder);

  const ZipfSampler popular_track(o.n_tracks, o.skew);
  SplitMix64 random(mix64(o.seed));
  // Fixed per track (from the seed): its album, the album's artist, its length.
  const std::uint64_t album_salt = mix64(o.seed ^ 0xA1B0ull);
  const std::uint64_t artist_salt = mix64(o.seed ^ 0xA7715ull);
  const std::uint64_t duration_salt = mix64(o.seed ^ 0xD0ull);
  auto album_of = [&](std::int64_t track) {
    return static_cast<std::int64_t>(mix64(static_cast<std::uint64_t>(track) ^ album_salt) %
                                     static_cast<std::uint64_t>(o.n_albums));
  };
  auto artist_of = [&](std::int64_t album) {
    return static_cast<std::int64_t>(mix64(static_cast<std::uint64_t>(album) ^ artist_salt) %
                                     static_cast<std::uint64_t>(o.n_artists));
  };
  auto duration_of = [&](std::int64_t track) {
    return 90000 + static_cast<std::int64_t>(
                       mix64(static_cast<std::uint64_t>(track) ^ duration_salt) % 240000);
  };
  // URIs depend on the index alone: track 7 has the same URI for every seed.
  constexpr std::uint64_t kTrackSalt = 0x7124C4ull, kArtistSalt = 0xA2715ull, kAlbumSalt = 0xA1Bull;

  // The playlist that last used each track / album / artist (-1: none yet).
  std::vector<std::int64_t> track_mark(static_cast<std::size_t>(o.n_tracks), -1);
  std::vector<std::int64_t> album_mark(static_cast<std::size_t>(o.n_albums), -1);
  std::vector<std::int64_t> artist_mark(static_cast<std::size_t>(o.n_artists), -1);
  std::vector<std::int64_t> chosen;

  SyntheticMpdSummary summary;
  std::string text;
  text.reserve(1 << 21);
  for (std::int64_t first = 0; first < o.n_playlists; first += o.playlists_per_file) {
    const std::int64_t last = std::min(o.n_playlists, first + o.playlists_per_file) - 1;
    const std::string slice = std::to_string(first) + "-" + std::to_string(last);
    const std::string path = (fs::path(folder) / ("mpd.slice." + slice + ".json")).string();
    const std::string partial = path + ".tmp";
    std::FILE* file = std::fopen(partial.c_str(), "wb");
    GNNREC_CHECK(file != nullptr, partial << ": cannot write: " << std::strerror(errno));

    text.append("{\n \"info\": {\n  \"generated_on\": \"2017-12-03 08:41:42.057563\",\n");
    text.append("  \"slice\": \"").append(slice).append("\",\n  \"version\": \"v1\",\n");
    text.append("  \"note\": \"synthetic (gnnrec write_synthetic_mpd, seed ");
    append_int(&text, static_cast<std::int64_t>(o.seed));
    text.append(")\"\n },\n \"playlists\": [\n");
    for (std::int64_t pid = first; pid <= last; ++pid) {
      // Distinct tracks, drawn by popularity; after many repeats in a row
      // (a playlist that holds most of the popular ones), the next unused.
      const std::int64_t n_tracks =
          std::min(o.n_tracks, o.min_tracks + random.below(o.max_tracks - o.min_tracks + 1));
      chosen.clear();
      int repeats = 0;
      while (static_cast<std::int64_t>(chosen.size()) < n_tracks) {
        std::int64_t track = popular_track(&random);
        if (track_mark[static_cast<std::size_t>(track)] == pid) {
          if (++repeats < 64) continue;
          while (track_mark[static_cast<std::size_t>(track)] == pid) {
            track = (track + 1) % o.n_tracks;
          }
        }
        repeats = 0;
        track_mark[static_cast<std::size_t>(track)] = pid;
        chosen.push_back(track);
      }
      std::int64_t n_albums = 0, n_artists = 0, duration = 0;
      for (std::int64_t track : chosen) {
        const std::int64_t album = album_of(track);
        const std::int64_t artist = artist_of(album);
        std::int64_t& album_seen = album_mark[static_cast<std::size_t>(album)];
        std::int64_t& artist_seen = artist_mark[static_cast<std::size_t>(artist)];
        n_albums += album_seen != pid;
        n_artists += artist_seen != pid;
        album_seen = artist_seen = pid;
        duration += duration_of(track);
      }

      constexpr std::int64_t kDay = 86400, k2010 = 1262304000;
      text.append("  {\n   \"name\": \"");
      text.append(
          kPlaylistNames[random.below(static_cast<std::int64_t>(std::size(kPlaylistNames)))]);
      text.append("\",\n   \"collaborative\": \"false\",\n   \"pid\": ");
      append_int(&text, pid);
      text.append(",\n   \"modified_at\": ");
      append_int(&text, k2010 + kDay * random.below(8 * 365));
      text.append(",\n   \"num_tracks\": ");
      append_int(&text, n_tracks);
      text.append(",\n   \"num_albums\": ");
      append_int(&text, n_albums);
      text.append(",\n   \"num_followers\": ");
      append_int(&text, draw_followers(&random));
      text.append(",\n   \"tracks\": [\n");
      for (std::size_t pos = 0; pos < chosen.size(); ++pos) {
        const std::int64_t track = chosen[pos];
        const std::int64_t album = album_of(track);
        const std::int64_t artist = artist_of(album);
        text.append("    {\"pos\": ");
        append_int(&text, static_cast<std::int64_t>(pos));
        text.append(", \"artist_name\": \"Artist ");
        append_int(&text, artist);
        text.append("\", \"track_uri\": \"");
        append_uri(&text, "track", kTrackSalt, track);
        text.append("\", \"artist_uri\": \"");
        append_uri(&text, "artist", kArtistSalt, artist);
        text.append("\", \"track_name\": \"Track ");
        append_int(&text, track);
        text.append("\", \"album_uri\": \"");
        append_uri(&text, "album", kAlbumSalt, album);
        text.append("\", \"duration_ms\": ");
        append_int(&text, duration_of(track));
        text.append(", \"album_name\": \"Album ");
        append_int(&text, album);
        text.append(pos + 1 < chosen.size() ? "\"},\n" : "\"}\n");
      }
      text.append("   ],\n   \"num_edits\": ");
      append_int(&text, 1 + random.below(30));
      text.append(",\n   \"duration_ms\": ");
      append_int(&text, duration);
      text.append(",\n   \"num_artists\": ");
      append_int(&text, n_artists);
      text.append(pid < last ? "\n  },\n" : "\n  }\n");
      summary.n_track_entries += n_tracks;
      if (text.size() >= (1 << 20)) {
        summary.n_bytes += static_cast<std::int64_t>(text.size());
        write_or_fail(file, partial, &text);
      }
    }
    text.append(" ]\n}\n");
    summary.n_bytes += static_cast<std::int64_t>(text.size());
    write_or_fail(file, partial, &text);
    const bool closed = std::fclose(file) == 0;
    GNNREC_CHECK(closed, partial << ": cannot write: " << std::strerror(errno));
    std::error_code error;
    fs::rename(partial, path, error);
    GNNREC_CHECK(!error, path << ": cannot rename " << partial << ": " << error.message());
    ++summary.n_files;
  }
  summary.n_playlists = o.n_playlists;
  return summary;
}

}  // namespace gnnrec::io
