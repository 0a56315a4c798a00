// The text reader and the dataset loaders: small files written by each test
// (exact ids, edges and error messages), then the real datasets (counts from
// /work/shared/datasets/README.md).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "io/dataset.h"
#include "io/text_reader.h"
#include "tests/test_util.h"

namespace gnnrec::io {
namespace {

namespace fs = std::filesystem;

using RawEdges = std::vector<std::pair<std::string, std::string>>;

// Each test writes its input files into a fresh directory.
class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) /
           ("gnnrec_loaders_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
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

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "in: " << (text)

// The edges as (raw user, raw item) pairs, in order.
RawEdges raw_edges(const RecDataset& data, const EdgeList& edges) {
  RawEdges raw;
  for (std::int64_t e = 0; e < edges.size(); ++e) {
    raw.emplace_back(data.users.raw(edges.user[e]), data.items.raw(edges.item[e]));
  }
  return raw;
}

std::vector<std::string> raw_ids(const IdMap& ids) {
  std::vector<std::string> raw;
  for (std::int32_t id = 0; id < ids.size(); ++id) raw.push_back(ids.raw(id));
  return raw;
}

const SplitOptions kNoSplit{0.0, 0.0, 42};  // every edge in train, file order

// Every dense id is in range, no (user, item) pair is in two places, and the
// stored fingerprint is the fingerprint of the data.
void expect_consistent(const RecDataset& data) {
  std::vector<std::uint64_t> pairs;  // user << 32 | item
  for (const EdgeList* edges : {&data.train, &data.validation, &data.test}) {
    ASSERT_EQ(edges->user.size(), edges->item.size());
    for (std::int64_t e = 0; e < edges->size(); ++e) {
      ASSERT_GE(edges->user[e], 0);
      ASSERT_LT(edges->user[e], data.n_users());
      ASSERT_GE(edges->item[e], 0);
      ASSERT_LT(edges->item[e], data.n_items());
      pairs.push_back(static_cast<std::uint64_t>(edges->user[e]) << 32 |
                      static_cast<std::uint64_t>(edges->item[e]));
    }
  }
  std::sort(pairs.begin(), pairs.end());
  const auto repeated = std::adjacent_find(pairs.begin(), pairs.end());
  EXPECT_TRUE(repeated == pairs.end()) << "repeated edge " << (*repeated >> 32) << " -> "
                                       << (*repeated & 0xffffffffu) << " (dense ids)";
  EXPECT_EQ(data.fingerprint, dataset_fingerprint(data));
}

// ---- TextReader and field splitting ---------------------------------------------

TEST_F(LoaderTest, ReaderHandlesCrlfBlankLinesAndNoFinalNewline) {
  TextReader reader(write("lines.txt", "a\r\nb\n\r\n\nlast"));
  std::vector<std::string> lines;
  std::vector<std::int64_t> numbers;
  std::string_view line;
  while (reader.next_line(&line)) {
    lines.emplace_back(line);
    numbers.push_back(reader.line_number());
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b", "", "", "last"}));
  EXPECT_EQ(numbers, (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
}

TEST_F(LoaderTest, ReaderGivesNoEmptyLineAfterAFinalNewline) {
  TextReader reader(write("lines.txt", "one\ntwo\n"));
  std::string_view line;
  int n_lines = 0;
  while (reader.next_line(&line)) ++n_lines;
  EXPECT_EQ(n_lines, 2);
  TextReader empty(write("empty.txt", ""));
  EXPECT_FALSE(empty.next_line(&line));
}

TEST_F(LoaderTest, ReaderSkipsAUtf8ByteOrderMark) {
  TextReader reader(write("bom.csv", "\xEF\xBB\xBFuserId,movieId\n"));
  std::string_view line;
  ASSERT_TRUE(reader.next_line(&line));
  EXPECT_EQ(line, "userId,movieId");
}

TEST_F(LoaderTest, ReaderErrorsNamePathLineAndToken) {
  const std::string path = write("ids.txt", "1\n2\nx7\n");
  TextReader reader(path);
  std::string_view line;
  reader.next_line(&line);
  EXPECT_EQ(reader.parse_int(line, "a user id"), 1);
  reader.next_line(&line);
  reader.next_line(&line);
  EXPECT_EQ(reader.where(), path + ":3");
  EXPECT_EQ(error_message([&] { reader.parse_int(line, "a user id"); }),
            path + ":3: expected a user id, got 'x7'");
  EXPECT_EQ(error_message([&] { reader.fail("bad thing"); }), path + ":3: bad thing");
}

TEST_F(LoaderTest, ReaderOfAMissingFileNamesIt) {
  const std::string missing = (dir_ / "absent.csv").string();
  EXPECT_CONTAINS(error_message([&] { TextReader reader(missing); }), missing + ": cannot open");
}

TEST(SplitFields, OnOneDelimiterKeepsEmptyFields) {
  std::vector<std::string_view> fields;
  split_on("a,,b", ',', &fields);
  EXPECT_EQ(fields, (std::vector<std::string_view>{"a", "", "b"}));
  split_on("a\t", '\t', &fields);
  EXPECT_EQ(fields, (std::vector<std::string_view>{"a", ""}));
  split_on("", ',', &fields);
  EXPECT_EQ(fields, (std::vector<std::string_view>{""}));
}

TEST(SplitFields, OnBlanksSkipsRunsAndEnds) {
  std::vector<std::string_view> fields;
  split_on_blanks("  12 \t 7  9\t", &fields);
  EXPECT_EQ(fields, (std::vector<std::string_view>{"12", "7", "9"}));
  split_on_blanks(" \t ", &fields);
  EXPECT_TRUE(fields.empty());
}

TEST(SplitFields, CsvUnquotesCommasAndDoubledQuotes) {
  std::vector<std::string_view> fields;
  std::string unquoted;
  ASSERT_TRUE(
      split_csv("11,\"American President, The (1995)\",Comedy|Drama|Romance", &fields, &unquoted));
  EXPECT_EQ(fields, (std::vector<std::string_view>{"11", "American President, The (1995)",
                                                   "Comedy|Drama|Romance"}));
  ASSERT_TRUE(split_csv("7789,\"11'09\"\"01 - September 11 (2002)\",Drama", &fields, &unquoted));
  EXPECT_EQ(fields,
            (std::vector<std::string_view>{"7789", "11'09\"01 - September 11 (2002)", "Drama"}));
  ASSERT_TRUE(split_csv("\"\",\"a,b\",\"c\"\"\"", &fields, &unquoted));
  EXPECT_EQ(fields, (std::vector<std::string_view>{"", "a,b", "c\""}));
  ASSERT_TRUE(split_csv("x,", &fields, &unquoted));
  EXPECT_EQ(fields, (std::vector<std::string_view>{"x", ""}));
}

TEST(SplitFields, CsvRejectsBrokenQuotes) {
  std::vector<std::string_view> fields;
  std::string unquoted;
  EXPECT_FALSE(split_csv("1,\"unterminated, title", &fields, &unquoted));
  EXPECT_FALSE(split_csv("1,\"closed\"then text,x", &fields, &unquoted));
  EXPECT_FALSE(split_csv("1,in\"side,x", &fields, &unquoted));
}

TEST(ParseNumbers, IntegersAreStrict) {
  std::int64_t value = 0;
  EXPECT_TRUE(parse_int("42", &value));
  EXPECT_EQ(value, 42);
  EXPECT_TRUE(parse_int("-3", &value));
  EXPECT_EQ(value, -3);
  for (const char* bad : {"", " 1", "1 ", "1a", "1.0", "+1", "0x10", "99999999999999999999"}) {
    EXPECT_FALSE(parse_int(bad, &value)) << "'" << bad << "'";
  }
}

TEST(ParseNumbers, FloatsAreStrictAndFinite) {
  float value = 0;
  EXPECT_TRUE(parse_float("3.5", &value));
  EXPECT_EQ(value, 3.5f);
  EXPECT_TRUE(parse_float("4", &value));
  EXPECT_EQ(value, 4.0f);
  EXPECT_TRUE(parse_float("5e-1", &value));
  EXPECT_EQ(value, 0.5f);
  for (const char* bad : {"", "four", "3.5 ", "3,5", "nan", "inf", "1e99"}) {
    EXPECT_FALSE(parse_float(bad, &value)) << "'" << bad << "'";
  }
}

// ---- Shared helpers ----------------------------------------------------------------

TEST(UniqueEdges, KeepsFirstOccurrencesInOrder) {
  EdgeList edges{{2, 0, 2, 1, 0, 2}, {1, 0, 1, 0, 0, 2}};
  EdgeList unique = unique_edges(edges, 3, 3);
  EXPECT_EQ(unique.user, (std::vector<std::int32_t>{2, 0, 1, 2}));
  EXPECT_EQ(unique.item, (std::vector<std::int32_t>{1, 0, 0, 2}));
}

TEST(DatasetFingerprint, CoversCountsAndEveryEdge) {
  RecDataset data;
  data.users.add("u");
  data.items.add("a");
  data.items.add("b");
  data.train = EdgeList{{0}, {0}};
  data.test = EdgeList{{0}, {1}};
  const std::uint64_t base = dataset_fingerprint(data);
  EXPECT_EQ(dataset_fingerprint(data), base);
  RecDataset moved = data;  // the same edge counted as validation instead of test
  std::swap(moved.validation, moved.test);
  EXPECT_NE(dataset_fingerprint(moved), base);
  RecDataset more_items = data;
  more_items.items.add("c");
  EXPECT_NE(dataset_fingerprint(more_items), base);
  RecDataset other_item = data;
  other_item.test.item[0] = 0;
  EXPECT_NE(dataset_fingerprint(other_item), base);
}

TEST(ItemLabel, NameWhereKnownElseRawId) {
  RecDataset data;
  data.items.add("10");
  data.items.add("20");
  EXPECT_EQ(data.item_label(1), "20");  // no names at all
  data.item_names = {"Heat (1995)", ""};
  EXPECT_EQ(data.item_label(0), "Heat (1995)");
  EXPECT_EQ(data.item_label(1), "20");  // no name for this one
}

// ---- MovieLens ---------------------------------------------------------------------

const char kRatings[] =
    "userId,movieId,rating,timestamp\n"
    "1,11,4.0,964982703\n"
    "1,3,2.0,964981247\n"
    "5,3,5.0,964982224\n"
    "1,11,4.5,964983000\n"  // repeated pair: kept once
    "7,2,3.5,964983815\n"
    "5,99,5.0,964982931\n";  // movie 99 has no title
const char kMovies[] =
    "movieId,title,genres\n"
    "2,Jumanji (1995),Adventure|Children|Fantasy\n"
    "3,Grumpier Old Men (1995),Comedy|Romance\n"
    "4,Waiting to Exhale (1995),Comedy|Drama|Romance\n"
    "11,\"American President, The (1995)\",Comedy|Drama|Romance\n";

TEST_F(LoaderTest, MovieLensKeepsPositivesWithTitles) {
  RecDataset data =
      load_movielens(write("ratings.csv", kRatings), write("movies.csv", kMovies), 3.5f, kNoSplit);
  EXPECT_EQ(data.name, "movielens");
  EXPECT_EQ(raw_ids(data.users), (std::vector<std::string>{"1", "5", "7"}));
  EXPECT_EQ(raw_ids(data.items), (std::vector<std::string>{"11", "3", "2", "99"}));
  EXPECT_EQ(raw_edges(data, data.train),
            (RawEdges{{"1", "11"}, {"5", "3"}, {"7", "2"}, {"5", "99"}}));
  EXPECT_EQ(data.validation.size(), 0);
  EXPECT_EQ(data.test.size(), 0);
  EXPECT_EQ(data.item_label(data.items.find("11")), "American President, The (1995)");
  EXPECT_EQ(data.item_label(data.items.find("2")), "Jumanji (1995)");
  EXPECT_EQ(data.item_label(data.items.find("99")), "99");
  EXPECT_NE(data.description.find("rating >= 3.5"), std::string::npos) << data.description;
  expect_consistent(data);
}

TEST_F(LoaderTest, MovieLensWithoutMoviesHasNoNames) {
  RecDataset data = load_movielens(write("ratings.csv", kRatings), "", 3.5f, kNoSplit);
  EXPECT_TRUE(data.item_names.empty());
  EXPECT_EQ(data.item_label(0), "11");
}

TEST_F(LoaderTest, MovieLensReadsCrlfAndNoFinalNewlineAlike) {
  const RecDataset unix_lines = load_movielens(write("lf.csv", kRatings), "", 3.5f, kNoSplit);
  std::string crlf;
  for (char c : std::string(kRatings)) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  crlf.resize(crlf.size() - 2);  // no final newline
  const RecDataset windows_lines = load_movielens(write("crlf.csv", crlf), "", 3.5f, kNoSplit);
  EXPECT_EQ(raw_edges(windows_lines, windows_lines.train), raw_edges(unix_lines, unix_lines.train));
  EXPECT_EQ(windows_lines.fingerprint, unix_lines.fingerprint);
}

TEST_F(LoaderTest, MovieLensMalformedLinesNameFileAndLine) {
  struct Case {
    std::string line, expected;
  };
  const std::vector<Case> cases = {
      {"2,5,4.0", ":3: expected 4 comma-separated fields, got 3"},
      {"2,5,4.0,1,9", ":3: expected 4 comma-separated fields, got 5"},
      {"u2,5,4.0,1", ":3: expected a user id, got 'u2'"},
      {"2,,4.0,1", ":3: expected a movie id, got ''"},
      {"2,5,four,1", ":3: expected a rating, got 'four'"},
      {"2,5,4.0,noon", ":3: expected a timestamp, got 'noon'"},
  };
  for (const Case& bad : cases) {
    const std::string path = write("ratings.csv", std::string("userId,movieId,rating,timestamp\n") +
                                                      "1,1,4.0,1\n" + bad.line + "\n");
    EXPECT_EQ(error_message([&] { load_movielens(path, "", 3.5f, kNoSplit); }),
              path + bad.expected);
  }
}

TEST_F(LoaderTest, MovieLensChecksTheHeaders) {
  const std::string no_header = write("ratings.csv", "1,1,4.0,1\n");
  EXPECT_CONTAINS(error_message([&] { load_movielens(no_header, "", 3.5f, kNoSplit); }),
                  no_header + ":1: expected the header 'userId,movieId,rating,timestamp'");
  const std::string ratings = write("good.csv", kRatings);
  const std::string movies = write("movies.csv", "movieId,title\n1,Heat\n");
  EXPECT_CONTAINS(error_message([&] { load_movielens(ratings, movies, 3.5f, kNoSplit); }),
                  movies + ":1: expected the header 'movieId,title,genres'");
}

TEST_F(LoaderTest, MovieLensBrokenTitleLineIsAnError) {
  const std::string ratings = write("ratings.csv", kRatings);
  const std::string movies =
      write("movies.csv", "movieId,title,genres\n11,\"American President, The (1995),Drama\n");
  EXPECT_CONTAINS(error_message([&] { load_movielens(ratings, movies, 3.5f, kNoSplit); }),
                  movies + ":2: expected comma-separated fields with balanced \"quotes\"");
  const std::string unquoted =
      write("unquoted.csv", "movieId,title,genres\n11,American President, The,Drama\n");
  EXPECT_EQ(error_message([&] { load_movielens(ratings, unquoted, 3.5f, kNoSplit); }),
            unquoted + ":2: expected 3 comma-separated fields, got 4");
}

TEST_F(LoaderTest, MovieLensEmptyInputsAreErrors) {
  const std::string empty = write("empty.csv", "");
  EXPECT_EQ(error_message([&] { load_movielens(empty, "", 3.5f, kNoSplit); }),
            empty + ": empty file, expected the header 'userId,movieId,rating,timestamp'");
  const std::string header_only = write("header.csv", "userId,movieId,rating,timestamp\n");
  EXPECT_EQ(error_message([&] { load_movielens(header_only, "", 3.5f, kNoSplit); }),
            header_only + " (rating >= 3.5): no positive edges");
  const std::string all_low = write("low.csv", "userId,movieId,rating,timestamp\n1,1,1.0,5\n");
  EXPECT_EQ(error_message([&] { load_movielens(all_low, "", 3.5f, kNoSplit); }),
            all_low + " (rating >= 3.5): no positive edges");
}

TEST_F(LoaderTest, MissingFilesAreNamed) {
  const std::string missing = (dir_ / "nope.csv").string();
  const std::string ratings = write("ratings.csv", kRatings);
  EXPECT_CONTAINS(error_message([&] { load_movielens(missing, "", 3.5f, kNoSplit); }),
                  missing + ": cannot open");
  EXPECT_CONTAINS(error_message([&] { load_movielens(ratings, missing, 3.5f, kNoSplit); }),
                  missing + ": cannot open");
  EXPECT_CONTAINS(error_message([&] { load_lastfm(missing, "", kNoSplit); }),
                  missing + ": cannot open");
  EXPECT_CONTAINS(error_message([&] { load_lightgcn_txt(missing, ratings, kNoSplit); }),
                  missing + ": cannot open");
  EXPECT_CONTAINS(error_message([&] { load_edge_list(missing, EdgeListFormat{}, kNoSplit); }),
                  missing + ": cannot open");
}

// ---- The random split ----------------------------------------------------------------

std::string many_ratings(int n_users, int n_movies) {
  std::string text = "userId,movieId,rating,timestamp\n";
  for (int user = 1; user <= n_users; ++user) {
    for (int movie = 1; movie <= n_movies; ++movie) {
      text += std::to_string(user) + "," + std::to_string(movie) + ",4.0,1\n";
    }
  }
  return text;
}

TEST_F(LoaderTest, SplitIsSeededDisjointAndInFileOrder) {
  const std::string path = write("ratings.csv", many_ratings(10, 20));  // 200 edges
  const SplitOptions split{0.1, 0.2, 7};
  const RecDataset data = load_movielens(path, "", 3.5f, split);
  EXPECT_EQ(data.validation.size(), 20);
  EXPECT_EQ(data.test.size(), 40);
  EXPECT_EQ(data.train.size(), 140);
  expect_consistent(data);
  for (const EdgeList* edges : {&data.train, &data.validation, &data.test}) {
    for (std::int64_t e = 1; e < edges->size(); ++e) {  // file order: by user, then movie
      const auto previous = std::make_pair(edges->user[e - 1], edges->item[e - 1]);
      EXPECT_LT(previous, std::make_pair(edges->user[e], edges->item[e]));
    }
  }
  const RecDataset again = load_movielens(path, "", 3.5f, split);
  EXPECT_EQ(again.fingerprint, data.fingerprint);
  EXPECT_EQ(raw_edges(again, again.test), raw_edges(data, data.test));
  const RecDataset other_seed = load_movielens(path, "", 3.5f, SplitOptions{0.1, 0.2, 8});
  EXPECT_NE(other_seed.fingerprint, data.fingerprint);
  EXPECT_NE(raw_edges(other_seed, other_seed.test), raw_edges(data, data.test));
}

TEST_F(LoaderTest, SplitWithoutTrainingEdgesIsAnError) {
  const std::string path = write("ratings.csv", many_ratings(2, 2));
  EXPECT_EQ(error_message([&] {
              load_movielens(path, "", 3.5f, SplitOptions{0.5, 0.5, 1});
            }),
            path +
                " (rating >= 3.5): the split (validation 0.5, test 0.5, seed 1) leaves no "
                "training edges");
}

// ---- Last.fm -------------------------------------------------------------------------

TEST_F(LoaderTest, LastfmReadsCrlfRowsAndNames) {
  // As in the real files: CRLF and no final newline in user_artists.dat,
  // LF in artists.dat, quotes inside tab-separated names.
  const std::string user_artists = write("user_artists.dat",
                                         "userID\tartistID\tweight\r\n"
                                         "2\t51\t13883\r\n"
                                         "2\t2\t11690\r\n"
                                         "3\t51\t7\r\n"
                                         "2\t51\t5");
  const std::string artists = write("artists.dat",
                                    "id\tname\turl\tpictureURL\n"
                                    "2\t\"Weird Al\" Yankovic\thttp://a\thttp://b\n"
                                    "7\tNobody\thttp://c\t\n"
                                    "51\tDuran Duran\thttp://d\thttp://e\n");
  const RecDataset data = load_lastfm(user_artists, artists, kNoSplit);
  EXPECT_EQ(data.name, "lastfm");
  // User 2 and artist 2 are different nodes.
  EXPECT_EQ(raw_ids(data.users), (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(raw_ids(data.items), (std::vector<std::string>{"51", "2"}));
  EXPECT_EQ(raw_edges(data, data.train), (RawEdges{{"2", "51"}, {"2", "2"}, {"3", "51"}}));
  EXPECT_EQ(data.item_names, (std::vector<std::string>{"Duran Duran", "\"Weird Al\" Yankovic"}));
  expect_consistent(data);
}

TEST_F(LoaderTest, LastfmWrongColumnCountNamesTheLine) {
  const std::string path =
      write("user_artists.dat", "userID\tartistID\tweight\r\n2\t51\t1\r\n2 52 1\r\n");
  EXPECT_EQ(error_message([&] { load_lastfm(path, "", kNoSplit); }),
            path + ":3: expected 3 tab-separated fields, got 1");
  const std::string bad_id = write("bad_id.dat", "userID\tartistID\tweight\n2\tabba\t1\n");
  EXPECT_EQ(error_message([&] { load_lastfm(bad_id, "", kNoSplit); }),
            bad_id + ":2: expected an artist id, got 'abba'");
  const std::string header_only = write("header.dat", "userID\tartistID\tweight\r\n");
  EXPECT_EQ(error_message([&] { load_lastfm(header_only, "", kNoSplit); }),
            header_only + ": no positive edges");
}

// ---- LightGCN train.txt / test.txt -------------------------------------------------

TEST_F(LoaderTest, LightgcnIdsAreTheFileIds) {
  // User 2 has no line and item 3 appears nowhere: nodes without edges.
  const std::string train = write("train.txt", "0 1 2\n1 0\n3 2 4 2\n");
  const std::string test = write("test.txt", "0 5\n3 0\n");
  const RecDataset data = load_lightgcn_txt(train, test, kNoSplit, "tiny");
  EXPECT_EQ(data.name, "tiny");
  EXPECT_EQ(raw_ids(data.users), (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_EQ(raw_ids(data.items), (std::vector<std::string>{"0", "1", "2", "3", "4", "5"}));
  EXPECT_EQ(data.train.user, (std::vector<std::int32_t>{0, 0, 1, 3, 3}));
  EXPECT_EQ(data.train.item, (std::vector<std::int32_t>{1, 2, 0, 2, 4}));
  EXPECT_EQ(data.validation.size(), 0);
  EXPECT_EQ(data.test.user, (std::vector<std::int32_t>{0, 3}));
  EXPECT_EQ(data.test.item, (std::vector<std::int32_t>{5, 0}));
  EXPECT_TRUE(data.item_names.empty());
  expect_consistent(data);
}

TEST_F(LoaderTest, LightgcnValidationComesFromTrain) {
  std::string lines;
  for (int user = 0; user < 10; ++user) {
    lines += std::to_string(user);
    for (int item = 0; item < 10; ++item) lines += " " + std::to_string(item);
    lines += "\n";
  }
  const std::string train = write("train.txt", lines);
  const std::string test = write("test.txt", "0 10\n");
  const RecDataset data = load_lightgcn_txt(train, test, SplitOptions{0.25, 0.5, 3});
  EXPECT_EQ(data.validation.size(), 25);
  EXPECT_EQ(data.train.size(), 75);
  EXPECT_EQ(data.test.size(), 1);  // test_fraction is ignored
  expect_consistent(data);
}

TEST_F(LoaderTest, LightgcnTestUserNotInTrainNamesFileAndLine) {
  const std::string train = write("train.txt", "0 1\n2 0\n");
  const std::string test = write("test.txt", "0 1\n\n1 0\n");
  EXPECT_EQ(error_message([&] { load_lightgcn_txt(train, test, kNoSplit); }),
            test + ":3: user 1 has no line in " + train);
  const std::string beyond = write("beyond.txt", "7 0\n");
  EXPECT_EQ(error_message([&] { load_lightgcn_txt(train, beyond, kNoSplit); }),
            beyond + ":1: user 7 has no line in " + train);
}

TEST_F(LoaderTest, LightgcnBadIdsNameFileAndLine) {
  const std::string test = write("test.txt", "0 1\n");
  const std::string letters = write("letters.txt", "0 1\n1 2 x3\n");
  EXPECT_EQ(error_message([&] { load_lightgcn_txt(letters, test, kNoSplit); }),
            letters + ":2: expected an item id, got 'x3'");
  const std::string negative = write("negative.txt", "-1 2\n");
  EXPECT_EQ(error_message([&] { load_lightgcn_txt(negative, test, kNoSplit); }),
            negative + ":1: expected a user id from 0 to 2147483646, got '-1'");
  const std::string empty = write("empty.txt", "\n\n");
  EXPECT_EQ(error_message([&] { load_lightgcn_txt(empty, test, kNoSplit); }),
            empty + ": no positive edges");
}

// ---- Generic edge lists ------------------------------------------------------------

TEST_F(LoaderTest, EdgeListBlankSeparatedWithComments) {
  const std::string path = write("edges.txt",
                                 "% KONECT style comment\n"
                                 "# another comment\n"
                                 "alice  matrix\t5\n"
                                 "\n"
                                 "bob matrix 3\r\n"
                                 "alice matrix 1\n"
                                 "alice heat");
  const RecDataset data = load_edge_list(path, EdgeListFormat{}, kNoSplit);
  EXPECT_EQ(data.name, "edgelist");
  EXPECT_EQ(raw_edges(data, data.train),
            (RawEdges{{"alice", "matrix"}, {"bob", "matrix"}, {"alice", "heat"}}));
  expect_consistent(data);
}

TEST_F(LoaderTest, EdgeListCsvColumnsHeaderAndQuotes) {
  const std::string path = write("edges.csv",
                                 "when,item,user\n"
                                 "1,\"a,1\",u1\n"
                                 "2, b ,u2\n"
                                 "3,\"a,1\",u2\n");
  EdgeListFormat format;
  format.delimiter = ',';
  format.user_column = 2;
  format.item_column = 1;
  format.header = true;
  const RecDataset data = load_edge_list(path, format, kNoSplit);
  EXPECT_EQ(raw_edges(data, data.train), (RawEdges{{"u1", "a,1"}, {"u2", "b"}, {"u2", "a,1"}}));
}

TEST_F(LoaderTest, EdgeListErrors) {
  EdgeListFormat tabs;
  tabs.delimiter = '\t';
  tabs.item_column = 2;
  const std::string short_line = write("short.tsv", "1\t2\t3\n4\t5\n");
  EXPECT_EQ(error_message([&] { load_edge_list(short_line, tabs, kNoSplit); }),
            short_line + ":2: expected at least 3 tab-separated fields, got 2");
  const std::string empty_id = write("empty_id.tsv", "1\t2\t\n");
  EXPECT_EQ(error_message([&] { load_edge_list(empty_id, tabs, kNoSplit); }),
            empty_id + ":1: expected an item id, got ''");
  const std::string comments_only = write("comments.txt", "# nothing\n\n");
  EXPECT_EQ(error_message([&] { load_edge_list(comments_only, EdgeListFormat{}, kNoSplit); }),
            comments_only + ": no positive edges");
  EdgeListFormat same_column;
  same_column.item_column = 0;
  EXPECT_CONTAINS(error_message([&] { load_edge_list(short_line, same_column, kNoSplit); }),
                  "must be two different columns");
}

// ---- The real datasets ---------------------------------------------------------------

TEST(RealData, MovieLensLatestSmall) {
  const std::string dir = std::string(GNNREC_SOURCE_DIR) + "/data/ml-latest-small/";
  const RecDataset data =
      load_movielens(dir + "ratings.csv", dir + "movies.csv", 3.5f, SplitOptions{});
  EXPECT_EQ(data.train.size() + data.validation.size() + data.test.size(), 61717);
  EXPECT_EQ(data.validation.size(), 6171);
  EXPECT_EQ(data.test.size(), 6171);
  // 610 users rated; user 442 has no rating >= 3.5, and the file's last row
  // (user 999, movie 999999) is not in the GroupLens release.
  EXPECT_EQ(data.n_users(), 610);
  EXPECT_EQ(data.users.find("442"), -1);
  EXPECT_EQ(data.n_items(), 7364);
  EXPECT_EQ(data.item_label(data.items.find("11")), "American President, The (1995)");
  EXPECT_EQ(data.item_label(data.items.find("7789")), "11'09\"01 - September 11 (2002)");
  EXPECT_EQ(data.item_label(data.items.find("999999")), "999999");  // no title
  expect_consistent(data);
}

TEST(RealData, HetrecLastfm) {
  const std::string dir = testing::shared_dataset_path("hetrec2011-lastfm-2k");
  if (dir.empty()) GTEST_SKIP() << "../shared/datasets/hetrec2011-lastfm-2k is absent";
  const RecDataset data =
      load_lastfm(dir + "/user_artists.dat", dir + "/artists.dat", SplitOptions{});
  EXPECT_EQ(data.n_users(), 1892);
  EXPECT_EQ(data.n_items(), 17632);
  EXPECT_EQ(data.train.size() + data.validation.size() + data.test.size(), 92834);
  EXPECT_EQ(data.item_label(data.items.find("51")), "Duran Duran");
  EXPECT_EQ(data.item_label(data.items.find("1686")), "\"Weird Al\" Yankovic");
  expect_consistent(data);
}

TEST(RealData, GowallaLightgcnSplit) {
  const std::string dir = testing::shared_dataset_path("gowalla");
  if (dir.empty()) GTEST_SKIP() << "../shared/datasets/gowalla is absent";
  const RecDataset data =
      load_lightgcn_txt(dir + "/train.txt", dir + "/test.txt", SplitOptions{0.0, 0.0, 42});
  EXPECT_EQ(data.name, "gowalla");
  EXPECT_EQ(data.n_users(), 29858);
  EXPECT_EQ(data.n_items(), 40981);
  EXPECT_EQ(data.train.size(), 810128);
  EXPECT_EQ(data.validation.size(), 0);
  EXPECT_EQ(data.test.size(), 217242);
  EXPECT_EQ(data.users.raw(29857), "29857");
  EXPECT_EQ(data.items.raw(40980), "40980");
  expect_consistent(data);
}

}  // namespace
}  // namespace gnnrec::io
