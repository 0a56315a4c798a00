// load_mpd and write_synthetic_mpd: the real 37-playlist sample (counts
// checked by hand with Python's json module), small synthetic sets written
// by each test, and hand-written slices for every error.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/graph_datasets.h"
#include "tests/test_util.h"

namespace gnnrec::io {
namespace {

namespace fs = std::filesystem;

class MpdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) / ("gnnrec_mpd_" + std::string(info->test_suite_name()) +
                                             "_" + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  std::string folder(const std::string& name) const {
    fs::create_directories(dir_ / name);
    return (dir_ / name).string();
  }
  std::string write(const std::string& path, const std::string& text) const {
    std::ofstream out(path, std::ios::binary);
    out << text;
    return path;
  }

  fs::path dir_;
};

std::string error_message(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected a gnnrec::Error";
  return "";
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::int64_t edges(const HeteroGraph& graph, const std::string& relation) {
  return graph.relation(graph.relation_index(relation)).n_edges();
}
std::int32_t count(const HeteroGraph& graph, const std::string& type) {
  return graph.node_type(graph.node_type_index(type)).count;
}

// Contains edges of each playlist.
std::vector<std::int64_t> tracks_per_playlist(const HeteroGraph& graph) {
  std::vector<std::int64_t> n(static_cast<std::size_t>(count(graph, "playlist")), 0);
  for (std::int32_t p : graph.relation(graph.relation_index("contains")).src) {
    ++n[static_cast<std::size_t>(p)];
  }
  return n;
}

// ---- The real sample ---------------------------------------------------------------

// The value of the first "key": "value" in a JSON text (no escapes in it).
std::string first_string_field(const std::string& json, const std::string& key) {
  const std::string opening = "\"" + key + "\": \"";
  const std::size_t begin = json.find(opening);
  if (begin == std::string::npos) return "(no " + key + ")";
  const std::size_t value = begin + opening.size();
  return json.substr(value, json.find('"', value) - value);
}

std::string sample_slice() {
  return testing::shared_dataset_path("mpd-sample/mpd.slice.0-36.json");
}
#define SKIP_WITHOUT_SAMPLE(path) \
  if ((path).empty()) GTEST_SKIP() << "mpd-sample is not under ../shared/datasets"

TEST(MpdSample, LoadsTheRealSample) {
  const std::string slice = sample_slice();
  SKIP_WITHOUT_SAMPLE(slice);
  const HeteroGraph graph = load_mpd(fs::path(slice).parent_path().string());
  // 37 playlists with 2,023 track entries; 32 entries repeat a track already
  // in the same playlist, so 1,991 contains edges. 1,907 distinct tracks, on
  // 1,030 artists and 1,481 albums; each track has one artist and one album.
  EXPECT_EQ(count(graph, "playlist"), 37);
  EXPECT_EQ(count(graph, "track"), 1907);
  EXPECT_EQ(count(graph, "artist"), 1030);
  EXPECT_EQ(count(graph, "album"), 1481);
  EXPECT_EQ(edges(graph, "contains"), 1991);
  EXPECT_EQ(edges(graph, "by"), 1907);
  EXPECT_EQ(edges(graph, "on"), 1907);

  // Names and ids are compared with the file's own text (MPD content is not
  // copied into the repository): the first playlist, the first track.
  const std::string json = read_all(slice);
  const NodeType& playlist = graph.node_type(graph.node_type_index("playlist"));
  EXPECT_EQ(playlist.raw_ids.front(), "0");
  EXPECT_EQ(playlist.raw_ids.back(), "36");
  EXPECT_EQ(playlist.label(0), first_string_field(json, "name"));
  const NodeType& track = graph.node_type(graph.node_type_index("track"));
  EXPECT_EQ(track.raw_ids[0], first_string_field(json, "track_uri"));
  EXPECT_EQ(track.label(0), first_string_field(json, "track_name") + " - " +
                                first_string_field(json, "artist_name"));
  // JSON escapes come out as UTF-8: the sample has "\u00e9" and "\u00fc"
  // in its names; the labels have the characters and no escape left.
  ASSERT_NE(json.find("\\u00e9"), std::string::npos);
  ASSERT_NE(json.find("\\u00fc"), std::string::npos);
  const NodeType& album = graph.node_type(graph.node_type_index("album"));
  auto any_label_has = [](const NodeType& type, const std::string& text) {
    for (std::int32_t i = 0; i < type.count; ++i)
      if (type.label(i).find(text) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(any_label_has(track, "\xC3\xA9"));  // é
  EXPECT_TRUE(any_label_has(album, "\xC3\xBC"));  // ü
  EXPECT_FALSE(any_label_has(track, "\\u00"));
  EXPECT_FALSE(any_label_has(album, "\\u00"));

  // Features: log1p(num_followers) standardized; pid 28 has the most (7).
  ASSERT_EQ(playlist.features.shape(), (Shape{37, 1}));
  const std::vector<float> x = playlist.features.to_vector<float>();
  const double mean = std::accumulate(x.begin(), x.end(), 0.0) / 37;
  double variance = 0;
  for (float v : x) variance += (v - mean) * (v - mean);
  EXPECT_NEAR(mean, 0.0, 1e-6);
  EXPECT_NEAR(variance / 37, 1.0, 1e-5);
  EXPECT_EQ(std::max_element(x.begin(), x.end()) - x.begin(), 28);
}

TEST_F(MpdTest, TruncatedRealSliceNamesFileAndPlaylist) {
  const std::string slice = sample_slice();
  SKIP_WITHOUT_SAMPLE(slice);
  const std::string text = read_all(slice);
  const std::string cut = folder("cut");
  const std::string path = write(cut + "/mpd.slice.0-36.json", text.substr(0, text.size() / 2));
  const std::string message = error_message([&] { load_mpd(cut); });
  EXPECT_NE(message.find(path + ": the JSON ends early (a truncated file?), in or after "
                                "playlists["),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("(pid "), std::string::npos) << message;
}

// ---- Synthetic sets --------------------------------------------------------------

SyntheticMpdOptions small_options() {
  SyntheticMpdOptions options;
  options.n_playlists = 300;
  options.playlists_per_file = 100;
  options.n_tracks = 2000;
  options.n_artists = 150;
  options.n_albums = 400;
  options.min_tracks = 3;
  options.max_tracks = 40;
  return options;
}

TEST_F(MpdTest, SyntheticRoundTrip) {
  const std::string out = folder("synthetic");
  const SyntheticMpdOptions options = small_options();
  const SyntheticMpdSummary summary = write_synthetic_mpd(out, options);
  EXPECT_EQ(summary.n_files, 3);
  EXPECT_EQ(summary.n_playlists, 300);
  EXPECT_TRUE(fs::exists(fs::path(out) / "mpd.slice.0-99.json"));
  EXPECT_TRUE(fs::exists(fs::path(out) / "mpd.slice.200-299.json"));
  std::int64_t bytes = 0;
  for (const auto& entry : fs::directory_iterator(out)) {
    bytes += static_cast<std::int64_t>(entry.file_size());
  }
  EXPECT_EQ(bytes, summary.n_bytes);

  const HeteroGraph graph = load_mpd(out);
  EXPECT_EQ(count(graph, "playlist"), 300);
  // Tracks are distinct within a playlist: one contains edge per entry.
  EXPECT_EQ(edges(graph, "contains"), summary.n_track_entries);
  for (std::int64_t n : tracks_per_playlist(graph)) {
    EXPECT_GE(n, options.min_tracks);
    EXPECT_LE(n, options.max_tracks);
  }
  EXPECT_LE(count(graph, "track"), options.n_tracks);
  EXPECT_LE(count(graph, "artist"), options.n_artists);
  EXPECT_LE(count(graph, "album"), options.n_albums);
  EXPECT_EQ(edges(graph, "by"), count(graph, "track"));
  EXPECT_EQ(edges(graph, "on"), count(graph, "track"));

  // Zipf popularity: the most popular track is in far more playlists than
  // the average track.
  std::vector<std::int64_t> degree(static_cast<std::size_t>(count(graph, "track")), 0);
  for (std::int32_t t : graph.relation(graph.relation_index("contains")).dst) {
    ++degree[static_cast<std::size_t>(t)];
  }
  const double average = static_cast<double>(summary.n_track_entries) / degree.size();
  EXPECT_GT(*std::max_element(degree.begin(), degree.end()), 10 * average);

  // URIs look like Spotify's: 22 base-62 characters.
  const NodeType& track = graph.node_type(graph.node_type_index("track"));
  const std::string& uri = track.raw_ids[0];
  ASSERT_EQ(uri.size(), std::string("spotify:track:").size() + 22);
  EXPECT_EQ(uri.rfind("spotify:track:", 0), 0u);
  EXPECT_TRUE(std::all_of(uri.begin() + 14, uri.end(), [](char c) { return std::isalnum(c); }));
}

TEST_F(MpdTest, SyntheticIsDeterministicForASeed) {
  SyntheticMpdOptions options = small_options();
  options.n_playlists = 50;
  write_synthetic_mpd(folder("a"), options);
  write_synthetic_mpd(folder("b"), options);
  options.seed = 7;
  write_synthetic_mpd(folder("c"), options);
  const std::string a = read_all((dir_ / "a" / "mpd.slice.0-49.json").string());
  EXPECT_EQ(a, read_all((dir_ / "b" / "mpd.slice.0-49.json").string()));
  EXPECT_NE(a, read_all((dir_ / "c" / "mpd.slice.0-49.json").string()));
}

TEST_F(MpdTest, MaxFilesReadsTheFirstSlicesInNumericOrder) {
  SyntheticMpdOptions options = small_options();
  options.n_playlists = 12;
  options.playlists_per_file = 1;  // mpd.slice.0-0.json ... mpd.slice.11-11.json
  const std::string out = folder("synthetic");
  write_synthetic_mpd(out, options);
  const HeteroGraph all = load_mpd(out);
  const std::vector<std::string>& pids = all.node_type(0).raw_ids;
  EXPECT_EQ(pids, (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10",
                                            "11"}));
  const HeteroGraph first3 = load_mpd(out, MpdOptions{3, 0});
  EXPECT_EQ(first3.node_type(0).raw_ids, (std::vector<std::string>{"0", "1", "2"}));
  const std::vector<std::int64_t> n_all = tracks_per_playlist(all);
  EXPECT_EQ(edges(first3, "contains"), n_all[0] + n_all[1] + n_all[2]);
  EXPECT_EQ(load_mpd(out, MpdOptions{100, 0}).node_type(0).count, 12);
}

TEST_F(MpdTest, TopByFollowersKeepsTheMostFollowed) {
  const std::string out = folder("synthetic");
  write_synthetic_mpd(out, small_options());
  const HeteroGraph all = load_mpd(out);
  const HeteroGraph top = load_mpd(out, MpdOptions{0, 10});
  ASSERT_EQ(count(top, "playlist"), 10);

  // The feature grows with num_followers, so the 10 largest features of the
  // full graph (ties: read order) are the playlists kept, in read order.
  const std::vector<float> x = all.node_type(0).features.to_vector<float>();
  std::vector<std::int32_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
    return x[static_cast<std::size_t>(a)] > x[static_cast<std::size_t>(b)];
  });
  order.resize(10);
  std::sort(order.begin(), order.end());
  std::vector<std::string> expected;
  std::int64_t expected_edges = 0;
  const std::vector<std::int64_t> n_all = tracks_per_playlist(all);
  for (std::int32_t p : order) {
    expected.push_back(all.node_type(0).raw_ids[static_cast<std::size_t>(p)]);
    expected_edges += n_all[static_cast<std::size_t>(p)];
  }
  EXPECT_EQ(top.node_type(0).raw_ids, expected);
  EXPECT_EQ(edges(top, "contains"), expected_edges);
  // Only the tracks of those playlists are nodes, each reached by an edge.
  std::vector<bool> reached(static_cast<std::size_t>(count(top, "track")), false);
  for (std::int32_t t : top.relation(top.relation_index("contains")).dst) {
    reached[static_cast<std::size_t>(t)] = true;
  }
  EXPECT_TRUE(std::all_of(reached.begin(), reached.end(), [](bool r) { return r; }));
  // Features are standardized over the playlists kept.
  const std::vector<float> top_x = top.node_type(0).features.to_vector<float>();
  EXPECT_NEAR(std::accumulate(top_x.begin(), top_x.end(), 0.0) / 10, 0.0, 1e-6);
}

TEST_F(MpdTest, TruncatedSyntheticSlice) {
  SyntheticMpdOptions options = small_options();
  options.n_playlists = 20;
  const std::string out = folder("synthetic");
  write_synthetic_mpd(out, options);
  const std::string path = (fs::path(out) / "mpd.slice.0-19.json").string();
  const std::string text = read_all(path);
  // Cut inside the 11th playlist's tracks, after its pid.
  const std::size_t pid10 = text.find("\"pid\": 10,");
  ASSERT_NE(pid10, std::string::npos);
  write(path, text.substr(0, text.find("spotify:track:", pid10) + 20));
  EXPECT_EQ(error_message([&] { load_mpd(out); }),
            path +
                ": the JSON ends early (a truncated file?), in or after playlists[10] (pid 10): "
                "A string is opened, but never closed.");
  // Cut between two playlists.
  write(path, text.substr(0, text.find("  {\n", pid10)));
  const std::string message = error_message([&] { load_mpd(out); });
  EXPECT_EQ(message.rfind(path + ": the JSON ends early (a truncated file?), in or after "
                                 "playlists[10] (pid 10): ",
                          0),
            0u)
      << message;
}

// ---- Hand-written slices ------------------------------------------------------------

std::string track_json(int pos, const std::string& uri, const std::string& skip = "") {
  std::ostringstream out;
  out << "{\"pos\": " << pos;
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"artist_name", "Artist"},          {"track_uri", "spotify:track:" + uri},
      {"artist_uri", "spotify:artist:A"}, {"track_name", "Song " + uri},
      {"album_uri", "spotify:album:B"},   {"album_name", "Album"}};
  for (const auto& [key, value] : fields) {
    if (key != skip) out << ", \"" << key << "\": \"" << value << "\"";
  }
  out << ", \"duration_ms\": 1000}";
  return out.str();
}

// One playlist object; `tracks` is the JSON array text, or "" for none.
std::string playlist_json(int pid, const std::string& tracks, int followers = 1,
                          const std::string& extra = "") {
  std::ostringstream out;
  out << "{\"name\": \"P" << pid << "\", \"collaborative\": \"false\", \"pid\": " << pid
      << ", \"num_followers\": " << followers << extra;
  if (!tracks.empty()) out << ", \"tracks\": " << tracks;
  out << "}";
  return out.str();
}

std::string slice_json(const std::vector<std::string>& playlists) {
  std::string text = "{\"info\": {\"slice\": \"0-9\", \"version\": \"v1\"}, \"playlists\": [";
  for (std::size_t i = 0; i < playlists.size(); ++i) text += (i ? ", " : "") + playlists[i];
  return text + "]}";
}

TEST_F(MpdTest, OptionalFieldsAndStringBooleansAreFine) {
  const std::string out = folder("mpd");
  // Fields in another order, "collaborative": "true", a description, a
  // track listed twice (one edge), no name (labelled by pid).
  const std::string other_order =
      "{\"tracks\": [" + track_json(0, "T1") + ", " + track_json(1, "T1") +
      "], \"description\": \"road \\\"trip\\\"\", \"num_followers\": 3, \"collaborative\": "
      "\"true\", \"pid\": 7}";
  write(out + "/mpd.slice.0-9.json",
        slice_json({playlist_json(5, "[" + track_json(0, "T1") + ", " + track_json(1, "T2") + "]"),
                    other_order}));
  const HeteroGraph graph = load_mpd(out);
  const NodeType& playlist = graph.node_type(0);
  EXPECT_EQ(playlist.raw_ids, (std::vector<std::string>{"5", "7"}));
  EXPECT_EQ(playlist.label(0), "P5");
  EXPECT_EQ(playlist.label(1), "7");
  EXPECT_EQ(edges(graph, "contains"), 3);
  EXPECT_EQ(count(graph, "track"), 2);
  EXPECT_EQ(count(graph, "artist"), 1);
  EXPECT_EQ(count(graph, "album"), 1);
  // log1p(1) and log1p(3), standardized: -1 and 1.
  EXPECT_EQ(playlist.features.to_vector<float>(), (std::vector<float>{-1.0f, 1.0f}));
}

TEST_F(MpdTest, Errors) {
  const std::string out = folder("mpd");
  const std::string path = out + "/mpd.slice.0-9.json";
  const std::string good = playlist_json(0, "[" + track_json(0, "T0") + "]");
  auto message = [&](const std::vector<std::string>& playlists) {
    write(path, slice_json(playlists));
    return error_message([&] { load_mpd(out); });
  };
  EXPECT_EQ(message({good, playlist_json(3, "[]")}),
            path +
                ": playlists[1] (pid 3): field 'tracks' is empty (a playlist needs at least "
                "one track)");
  EXPECT_EQ(message({good, playlist_json(3, "")}),
            path +
                ": playlists[1] (pid 3): missing field 'tracks' (a playlist needs at least "
                "one track)");
  EXPECT_EQ(message({good, playlist_json(4, "[" + track_json(0, "T0") + ", " +
                                                track_json(1, "T1", "track_uri") + "]")}),
            path + ": playlists[1] (pid 4), tracks[1]: missing field 'track_uri'");
  EXPECT_EQ(message({playlist_json(4, "[" + track_json(0, "T0", "album_name") + "]")}),
            path + ": playlists[0] (pid 4), tracks[0]: missing field 'album_name'");
  EXPECT_EQ(message({good, "{\"pid\": 9, \"tracks\": [" + track_json(0, "T0") + "]}"}),
            path + ": playlists[1] (pid 9): missing field 'num_followers'");
  EXPECT_EQ(message({good, "{\"name\": \"x\", \"tracks\": []}"}),
            path + ": playlists[1]: missing field 'pid'");
  EXPECT_EQ(message({good, "{\"pid\": \"12\", \"tracks\": []}"}),
            path + ": playlists[1]: field 'pid': expected an integer");
  EXPECT_EQ(message({good, playlist_json(2, "[" + track_json(0, "T0") + "]", -1)}),
            path + ": playlists[1] (pid 2): field 'num_followers': expected a count >= 0, got -1");
  EXPECT_EQ(message({good, playlist_json(0, "[" + track_json(0, "T0") + "]")}),
            path + ": playlists[1] (pid 0): pid 0 appears twice (also " + path + ": playlists[0])");
  EXPECT_EQ(message({good, playlist_json(1, "{}")}),
            path + ": playlists[1] (pid 1): field 'tracks': expected an array");

  write(path, "{\"info\": {}}");
  EXPECT_EQ(error_message([&] { load_mpd(out); }), path + ": missing field 'playlists'");
  write(path, "{\"playlists\": []}");
  EXPECT_EQ(error_message([&] { load_mpd(out); }), out + ": the slice files hold no playlists");
}

TEST_F(MpdTest, FolderErrors) {
  const std::string missing = (dir_ / "no-such-folder").string();
  EXPECT_EQ(error_message([&] { load_mpd(missing); }),
            missing + ": no such folder (expected one holding mpd.slice.*.json files)");
  const std::string empty = folder("empty");
  write(empty + "/notes.json", "{}");
  EXPECT_EQ(error_message([&] { load_mpd(empty); }), empty + ": no mpd.slice.*.json files");
  EXPECT_NE(error_message([&] {
              write_synthetic_mpd(empty, SyntheticMpdOptions{0});
            }).find("n_playlists"),
            std::string::npos);
}

}  // namespace
}  // namespace gnnrec::io
