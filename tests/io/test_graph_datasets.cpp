// The Last.fm graph loaders and read_node_features: small files written by
// each test (exact nodes, edges and error messages), then the real HetRec
// files (counts from /work/shared/datasets/README.md, checked by hand).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "io/graph_datasets.h"
#include "tests/test_util.h"

namespace gnnrec::io {
namespace {

namespace fs = std::filesystem;

using Edges = std::vector<std::pair<std::string, std::string>>;  // raw ids

// Each test writes its input files into a fresh directory.
class GraphFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ =
        fs::path(::testing::TempDir()) / ("gnnrec_graph_" + std::string(info->test_suite_name()) +
                                          "_" + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  // Writes `text` byte for byte (no newline translation); returns the path.
  std::string write(const std::string& name, const std::string& text) const {
    const std::string path = (dir_ / name).string();
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

// The relation's edges as raw-id pairs, in order.
Edges raw_edges(const HeteroGraph& graph, const std::string& relation) {
  const Relation& r = graph.relation(graph.relation_index(relation));
  const NodeType& src = graph.node_type(graph.node_type_index(r.src_type));
  const NodeType& dst = graph.node_type(graph.node_type_index(r.dst_type));
  Edges edges;
  for (std::int64_t e = 0; e < r.n_edges(); ++e) {
    edges.emplace_back(
        src.raw_ids.at(static_cast<std::size_t>(r.src[static_cast<std::size_t>(e)])),
        dst.raw_ids.at(static_cast<std::size_t>(r.dst[static_cast<std::size_t>(e)])));
  }
  return edges;
}

// ---- Last.fm, small files ------------------------------------------------------

using LastfmGraphTest = GraphFileTest;

// Users 2 and 3 listen to artists 2 and 7; user 2 twice to artist 7 (kept once).
constexpr const char* kUserArtists =
    "userID\tartistID\tweight\r\n2\t7\t10\r\n3\t2\t5\r\n2\t2\t1\r\n2\t7\t4";
constexpr const char* kArtists =
    "id\tname\turl\tpictureURL\n2\tDiary of Dreams\tu\tp\n7\tAC/DC\tu\tp\n";

TEST_F(LastfmGraphTest, HeteroNodesEdgesAndLabels) {
  const std::string friends = write("user_friends.dat", "2\t3\r\n3\t2\r\n2\t3");
  const HeteroGraph graph = load_lastfm_hetero(write("user_artists.dat", kUserArtists), friends,
                                               write("artists.dat", kArtists));
  ASSERT_EQ(graph.node_types().size(), 2u);
  const NodeType& user = graph.node_type(graph.node_type_index("user"));
  const NodeType& artist = graph.node_type(graph.node_type_index("artist"));
  EXPECT_EQ(user.raw_ids, (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(artist.raw_ids, (std::vector<std::string>{"7", "2"}));
  EXPECT_EQ(artist.label(0), "AC/DC");
  EXPECT_EQ(artist.label(1), "Diary of Dreams");
  EXPECT_TRUE(user.labels.empty());
  EXPECT_EQ(raw_edges(graph, "listens"), (Edges{{"2", "7"}, {"3", "2"}, {"2", "2"}}));
  // Listed 3 times (one repeat), symmetric once.
  EXPECT_EQ(raw_edges(graph, "friends"), (Edges{{"2", "3"}, {"3", "2"}}));
}

TEST_F(LastfmGraphTest, FriendsWithOrWithoutHeaderReadTheSame) {
  const std::string user_artists = write("user_artists.dat", kUserArtists);
  // The original file: a header and LF line ends. The shared copy: no
  // header, CRLF, no final newline. Only one direction of a pair is given:
  // the loader makes the relation symmetric.
  const std::string with_header = write("with_header.dat", "userID\tfriendID\n2\t3\n");
  const std::string without = write("without_header.dat", "2\t3");
  const std::string crlf = write("crlf.dat", "userID\tfriendID\r\n\r\n2\t3\r\n");
  const Edges expected{{"2", "3"}, {"3", "2"}};
  for (const std::string& friends : {with_header, without, crlf}) {
    SCOPED_TRACE(friends);
    const HeteroGraph graph = load_lastfm_hetero(user_artists, friends, "");
    EXPECT_EQ(raw_edges(graph, "friends"), expected);
    EXPECT_EQ(graph.node_type(graph.node_type_index("user")).count, 2);
  }
}

TEST_F(LastfmGraphTest, FriendWithoutListensBecomesAUserAndSelfPairsAreSkipped) {
  const HeteroGraph graph = load_lastfm_hetero(write("user_artists.dat", kUserArtists),
                                               write("user_friends.dat", "2\t99\n3\t3\n"), "");
  const NodeType& user = graph.node_type(graph.node_type_index("user"));
  EXPECT_EQ(user.raw_ids, (std::vector<std::string>{"2", "3", "99"}));
  EXPECT_EQ(raw_edges(graph, "friends"), (Edges{{"2", "99"}, {"99", "2"}}));
  EXPECT_EQ(graph.relation(graph.relation_index("listens")).n_edges(), 3);
}

TEST_F(LastfmGraphTest, OptionalFilesAndErrors) {
  const std::string user_artists = write("user_artists.dat", kUserArtists);
  const HeteroGraph graph = load_lastfm_hetero(user_artists, "", "");
  EXPECT_FALSE(graph.has_relation("friends"));
  EXPECT_TRUE(graph.node_type(graph.node_type_index("artist")).labels.empty());

  const std::string three_fields = write("three.dat", "2\t3\n2\t3\t1\n");
  EXPECT_EQ(error_message([&] { load_lastfm_hetero(user_artists, three_fields, ""); }),
            three_fields + ":2: expected 2 tab-separated fields (userID, friendID), got 3");
  const std::string bad_id = write("bad.dat", "2\t3\nx\t2\n");
  EXPECT_EQ(error_message([&] { load_lastfm_hetero(user_artists, bad_id, ""); }),
            bad_id + ":2: expected a user id, got 'x'");
  const std::string other_header = write("header.dat", "user\tfriend\n2\t3\n");
  EXPECT_EQ(error_message([&] { load_lastfm_hetero(user_artists, other_header, ""); }),
            other_header + ":1: expected a user id, got 'user'");
  EXPECT_NE(error_message([&] {
              load_lastfm_hetero(user_artists, (dir_ / "none.dat").string(), "");
            }).find("none.dat"),
            std::string::npos);
}

TEST_F(LastfmGraphTest, HomogeneousKeepsUsersAndArtistsApart) {
  const HeteroGraph graph = load_lastfm_homogeneous(write("user_artists.dat", kUserArtists),
                                                    write("artists.dat", kArtists));
  ASSERT_EQ(graph.node_types().size(), 1u);
  ASSERT_EQ(graph.relations().size(), 1u);
  const NodeType& node = graph.node_type(0);
  EXPECT_EQ(node.name, "node");
  EXPECT_EQ(node.raw_ids, (std::vector<std::string>{"user:2", "user:3", "artist:7", "artist:2"}));
  EXPECT_EQ(node.labels,
            (std::vector<std::string>{"user 2", "user 3", "AC/DC", "Diary of Dreams"}));
  EXPECT_EQ(raw_edges(graph, "listens"),
            (Edges{{"user:2", "artist:7"}, {"user:3", "artist:2"}, {"user:2", "artist:2"}}));
  // Without artists.dat the artists are labelled by their ids.
  const HeteroGraph unnamed = load_lastfm_homogeneous((dir_ / "user_artists.dat").string(), "");
  EXPECT_EQ(unnamed.node_type(0).label(2), "artist 7");
}

// ---- Last.fm, the real files -------------------------------------------------

struct LastfmFiles {
  std::string user_artists, user_friends, artists;
};

// The shared HetRec files, or empty paths (the test then skips).
LastfmFiles real_lastfm() {
  LastfmFiles files{testing::shared_dataset_path("hetrec2011-lastfm-2k/user_artists.dat"),
                    testing::shared_dataset_path("hetrec2011-lastfm-2k/user_friends.dat"),
                    testing::shared_dataset_path("hetrec2011-lastfm-2k/artists.dat")};
  return files;
}

#define SKIP_WITHOUT_LASTFM(files)                                                               \
  if ((files).user_artists.empty() || (files).user_friends.empty() || (files).artists.empty()) { \
    GTEST_SKIP() << "hetrec2011-lastfm-2k is not under ../shared/datasets";                      \
  }

TEST(LastfmGraphReal, HeteroCounts) {
  const LastfmFiles files = real_lastfm();
  SKIP_WITHOUT_LASTFM(files);
  const HeteroGraph graph =
      load_lastfm_hetero(files.user_artists, files.user_friends, files.artists);
  const NodeType& user = graph.node_type(graph.node_type_index("user"));
  const NodeType& artist = graph.node_type(graph.node_type_index("artist"));
  // Every friend is one of the 1,892 users of user_artists.dat: no user is added.
  EXPECT_EQ(user.count, 1892);
  EXPECT_EQ(artist.count, 17632);
  EXPECT_EQ(graph.relation(graph.relation_index("listens")).n_edges(), 92834);

  // user_friends.dat has 25,434 directed pairs, no repeats, no self pairs,
  // and already lists every friendship both ways (12,717 of them):
  // making it symmetric adds nothing.
  const Relation& friends = graph.relation(graph.relation_index("friends"));
  EXPECT_EQ(friends.n_edges(), 25434);
  std::set<std::pair<std::int32_t, std::int32_t>> pairs;
  for (std::int64_t e = 0; e < friends.n_edges(); ++e) {
    const auto i = static_cast<std::size_t>(e);
    EXPECT_NE(friends.src[i], friends.dst[i]);
    pairs.emplace(friends.src[i], friends.dst[i]);
  }
  EXPECT_EQ(pairs.size(), 25434u);
  for (const auto& [u, v] : pairs) ASSERT_TRUE(pairs.count({v, u})) << u << " -> " << v;
  // The file's first row is "2\t275".
  const std::int32_t u2 = user.find("2"), u275 = user.find("275");
  ASSERT_GE(u2, 0);
  ASSERT_GE(u275, 0);
  EXPECT_TRUE(pairs.count({u2, u275}));
  EXPECT_TRUE(pairs.count({u275, u2}));

  EXPECT_EQ(artist.label(artist.find("1")), "MALICE MIZER");
  EXPECT_EQ(artist.label(artist.find("289")), "Britney Spears");
}

TEST(LastfmGraphReal, HomogeneousIdsNeverCollide) {
  const LastfmFiles files = real_lastfm();
  SKIP_WITHOUT_LASTFM(files);
  const HeteroGraph graph = load_lastfm_homogeneous(files.user_artists, files.artists);
  const std::int32_t n_users = 1892;
  const NodeType& node = graph.node_type(0);
  EXPECT_EQ(node.count, n_users + 17632);
  const Relation& listens = graph.relation(0);
  EXPECT_EQ(listens.n_edges(), 92834);
  for (std::int64_t e = 0; e < listens.n_edges(); ++e) {
    const auto i = static_cast<std::size_t>(e);
    ASSERT_LT(listens.src[i], n_users) << "edge " << e;
    ASSERT_GE(listens.dst[i], n_users) << "edge " << e;
  }
  // 1,880 numbers are both a user id and an artist id; "2" is one of them.
  const std::int32_t user2 = node.find("user:2"), artist2 = node.find("artist:2");
  ASSERT_GE(user2, 0);
  ASSERT_GE(artist2, 0);
  EXPECT_NE(user2, artist2);
  EXPECT_LT(user2, n_users);
  EXPECT_GE(artist2, n_users);
  EXPECT_EQ(node.label(user2), "user 2");
  EXPECT_EQ(node.label(artist2), "Diary of Dreams");
  EXPECT_EQ(node.label(node.find("artist:1")), "MALICE MIZER");
}

// ---- read_node_features ----------------------------------------------------------

using NodeFeaturesTest = GraphFileTest;

NodeType three_users() {
  NodeType type;
  type.name = "user";
  type.count = 3;
  type.raw_ids = {"a", "b,c", "d"};
  return type;
}

TEST_F(NodeFeaturesTest, ReadsRowsInAnyOrder) {
  const std::string path =
      write("features.csv", "id,age,score\r\nd,3,-0.5\r\n\"b,c\",2,1e-3\r\n\r\na,1,0\r\n");
  const Tensor features = read_node_features(path, three_users());
  ASSERT_EQ(features.shape(), (Shape{3, 2}));
  EXPECT_EQ(features.to_vector<float>(), (std::vector<float>{1, 0, 2, 1e-3f, 3, -0.5f}));

  // A type without raw ids: the id is the index.
  NodeType indexed;
  indexed.name = "node";
  indexed.count = 2;
  const Tensor by_index = read_node_features(write("indexed.csv", "id,x\n1,10\n0,20"), indexed);
  EXPECT_EQ(by_index.to_vector<float>(), (std::vector<float>{20, 10}));
}

TEST_F(NodeFeaturesTest, Errors) {
  const NodeType users = three_users();
  auto message = [&](const std::string& text) {
    const std::string path = write("features.csv", text);
    return error_message([&] { read_node_features(path, users); });
  };
  const std::string path = (dir_ / "features.csv").string();
  EXPECT_EQ(message("id,x\na,1\nd,3\n"),
            path + ": no row for user 'b,c' (every user node needs one; the file has 2 of 3)");
  EXPECT_EQ(message("id,x\na,1\n"),
            path +
                ": no row for user 'b,c' and 1 more (every user node needs one; the file has "
                "1 of 3)");
  EXPECT_EQ(message("id,x\na,1\n\"b,c\",2\nd,3\ne,4\n"),
            path + ":5: unknown user 'e' (the graph has 3 user nodes)");
  EXPECT_EQ(message("id,x\na,1\n\"b,c\",2\na,3\n"),
            path + ":4: user 'a' already has a row (line 2)");
  EXPECT_EQ(message("id,x\na,1\n\"b,c\",two\nd,3\n"),
            path + ":3: expected a finite number, got 'two'");
  EXPECT_EQ(message("id,x\na,1\n\"b,c\",nan\nd,3\n"),
            path + ":3: expected a finite number, got 'nan'");
  EXPECT_EQ(message("id,x,y\na,1,2\n\"b,c\",2\n"),
            path +
                ":3: expected 3 comma-separated fields (an id and 2 features, as in the "
                "header), got 2");
  EXPECT_EQ(message(""), path + ": empty file, expected a header row 'id,feature1,feature2,...'");
  EXPECT_EQ(message("id\na\n"),
            path +
                ":1: expected a header row 'id,feature1,...' with at least one feature column, "
                "got 'id'");
  EXPECT_NE(error_message([&] {
              read_node_features((dir_ / "none.csv").string(), users);
            }).find("none.csv"),
            std::string::npos);
}

}  // namespace
}  // namespace gnnrec::io
