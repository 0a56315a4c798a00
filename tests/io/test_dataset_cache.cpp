// The binary dataset cache: a second load returns the same dataset without
// parsing; damaged, foreign or stale files are ignored and rewritten; an
// unusable cache directory costs one warning, never the load.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/log.h"
#include "io/dataset.h"
#include "io/files.h"
#include "tests/test_util.h"

namespace gnnrec::io {
namespace {

namespace fs = std::filesystem;

const char kRatings[] =
    "userId,movieId,rating,timestamp\n"
    "1,11,4.0,964982703\n"
    "1,3,2.0,964981247\n"
    "5,3,5.0,964982224\n"
    "7,2,3.5,964983815\n"
    "5,99,5.0,964982931\n"
    "8,3,4.0,964982931\n"
    "8,11,4.5,964982931\n";
const char kMovies[] =
    "movieId,title,genres\n"
    "2,Jumanji (1995),Adventure\n"
    "11,\"American President, The (1995)\",Comedy\n";

class DatasetCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) /
           ("gnnrec_cache_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    cache_dir_ = (dir_ / "cache").string();
    ratings_ = write("ratings.csv", kRatings);
    movies_ = write("movies.csv", kMovies);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const std::string path = (dir_ / name).string();
    std::ofstream out(path, std::ios::binary);
    out << text;
    return path;
  }
  // load_cached of the small MovieLens files; counts the parses.
  RecDataset load(bool* was_cached, const std::string& key_text = "movielens 3.5") {
    return load_cached(
        cache_dir_, key_text, {ratings_, movies_},
        [&] {
          ++n_parses_;
          return load_movielens(ratings_, movies_, 3.5f, SplitOptions{0.2, 0.2, 5});
        },
        was_cached);
  }
  std::vector<std::string> cache_files() const {
    std::vector<std::string> names;
    if (!fs::exists(cache_dir_)) return names;
    for (const auto& entry : fs::directory_iterator(cache_dir_)) {
      names.push_back(entry.path().string());
    }
    return names;
  }
  std::string only_cache_file() const {
    const std::vector<std::string> files = cache_files();
    EXPECT_EQ(files.size(), 1u);
    return files.empty() ? "" : files[0];
  }

  fs::path dir_;
  std::string cache_dir_, ratings_, movies_;
  int n_parses_ = 0;
};

void expect_same_ids(const IdMap& got, const IdMap& expected) {
  ASSERT_EQ(got.size(), expected.size());
  for (std::int32_t id = 0; id < got.size(); ++id) {
    EXPECT_EQ(got.raw(id), expected.raw(id));
    EXPECT_EQ(got.find(expected.raw(id)), id);
  }
}

void expect_same_edges(const EdgeList& got, const EdgeList& expected) {
  EXPECT_EQ(got.user, expected.user);
  EXPECT_EQ(got.item, expected.item);
}

void expect_same_dataset(const RecDataset& got, const RecDataset& expected) {
  EXPECT_EQ(got.name, expected.name);
  EXPECT_EQ(got.description, expected.description);
  expect_same_ids(got.users, expected.users);
  expect_same_ids(got.items, expected.items);
  EXPECT_EQ(got.item_names, expected.item_names);
  expect_same_edges(got.train, expected.train);
  expect_same_edges(got.validation, expected.validation);
  expect_same_edges(got.test, expected.test);
  EXPECT_EQ(got.fingerprint, expected.fingerprint);
  EXPECT_EQ(got.fingerprint, dataset_fingerprint(got));
}

TEST_F(DatasetCacheTest, SecondLoadComesFromTheCache) {
  bool was_cached = true;
  const RecDataset first = load(&was_cached);
  EXPECT_FALSE(was_cached);
  EXPECT_EQ(n_parses_, 1);
  const RecDataset second = load(&was_cached);
  EXPECT_TRUE(was_cached);
  EXPECT_EQ(n_parses_, 1);
  expect_same_dataset(second, first);
  expect_same_dataset(first, load_movielens(ratings_, movies_, 3.5f, SplitOptions{0.2, 0.2, 5}));
  // One finished file, no temporary left behind.
  EXPECT_EQ(fs::path(only_cache_file()).extension(), ".bin");
}

TEST_F(DatasetCacheTest, EmptyCacheDirMeansNoCache) {
  bool was_cached = true;
  load_cached(
      "", "k", {ratings_}, [&] { return load_movielens(ratings_, "", 3.5f, {}); }, &was_cached);
  EXPECT_FALSE(was_cached);
  load_cached(
      "", "k", {ratings_}, [&] { return load_movielens(ratings_, "", 3.5f, {}); }, &was_cached);
  EXPECT_FALSE(was_cached);
  EXPECT_TRUE(cache_files().empty());
}

TEST_F(DatasetCacheTest, OtherKeyTextIsAnotherEntry) {
  bool was_cached = true;
  load(&was_cached, "movielens 3.5");
  load(&was_cached, "movielens 4.0");
  EXPECT_FALSE(was_cached);
  EXPECT_EQ(cache_files().size(), 2u);
  load(&was_cached, "movielens 3.5");
  EXPECT_TRUE(was_cached);
  EXPECT_EQ(n_parses_, 2);
}

TEST_F(DatasetCacheTest, DamagedOrForeignFilesAreIgnoredAndRewritten) {
  bool was_cached = false;
  const RecDataset reference = load(&was_cached);
  const std::string file = only_cache_file();
  const std::string good = read_file(file);
  struct Damage {
    std::string what;
    std::function<std::string(std::string)> apply;
  };
  const std::vector<Damage> damages = {
      {"truncated", [](std::string bytes) { return bytes.substr(0, bytes.size() - 5); }},
      {"header only", [](std::string bytes) { return bytes.substr(0, 36); }},  // 8+4+3*8 bytes
      {"empty", [](const std::string&) { return std::string(); }},
      {"extra bytes", [](std::string bytes) { return bytes + "tail"; }},
      {"foreign file",
       [](const std::string&) { return std::string("GNNRDSET not really a cache"); }},
  };
  for (const Damage& damage : damages) {
    SCOPED_TRACE(damage.what);
    write_file_atomically(file, damage.apply(good));
    const int n_parses_before = n_parses_;
    const RecDataset reparsed = load(&was_cached);
    EXPECT_FALSE(was_cached);
    EXPECT_EQ(n_parses_, n_parses_before + 1);
    expect_same_dataset(reparsed, reference);
    EXPECT_EQ(read_file(file), good);  // rewritten
    const RecDataset cached = load(&was_cached);
    EXPECT_TRUE(was_cached);
    expect_same_dataset(cached, reference);
  }
}

TEST_F(DatasetCacheTest, EveryFlippedByteIsNoticed) {
  bool was_cached = false;
  load(&was_cached);
  const std::string file = only_cache_file();
  const std::string good = read_file(file);
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string damaged = good;
    damaged[i] ^= 0x20;
    std::ofstream(file, std::ios::binary | std::ios::trunc) << damaged;
    load(&was_cached);
    EXPECT_FALSE(was_cached) << "byte " << i << " of " << good.size();
  }
  EXPECT_EQ(n_parses_, 1 + static_cast<int>(good.size()));
}

TEST_F(DatasetCacheTest, ChangedInputContentInvalidates) {
  bool was_cached = false;
  const RecDataset before = load(&was_cached);
  write("ratings.csv", std::string(kRatings) + "9,2,5.0,964982931\n");
  const RecDataset after = load(&was_cached);
  EXPECT_FALSE(was_cached);
  EXPECT_EQ(after.n_users(), before.n_users() + 1);
  EXPECT_NE(after.fingerprint, before.fingerprint);
  load(&was_cached);
  EXPECT_TRUE(was_cached);
}

TEST_F(DatasetCacheTest, ChangedInputTimeInvalidates) {
  bool was_cached = false;
  load(&was_cached);
  fs::last_write_time(movies_, fs::last_write_time(movies_) + std::chrono::seconds(10));
  load(&was_cached);
  EXPECT_FALSE(was_cached);
  EXPECT_EQ(n_parses_, 2);
}

TEST_F(DatasetCacheTest, MissingInputGivesTheLoadersError) {
  const std::string missing = (dir_ / "absent.csv").string();
  try {
    load_cached(cache_dir_, "k", {missing}, [&] { return load_movielens(missing, "", 3.5f, {}); });
    ADD_FAILURE() << "expected a gnnrec::Error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(missing + ": cannot open"), std::string::npos)
        << error.what();
  }
  EXPECT_TRUE(cache_files().empty());
}

TEST_F(DatasetCacheTest, UnwritableCacheDirWarnsOnceAndStillLoads) {
  // A file where the directory should be: cannot be created even by root.
  const std::string blocker = write("blocker", "x");
  cache_dir_ = blocker + "/cache";
  std::vector<std::string> warnings;
  const WarningHook previous =
      set_warning_hook([&](const std::string& message) { warnings.push_back(message); });
  bool was_cached = true;
  const RecDataset data = load(&was_cached);
  set_warning_hook(previous);
  EXPECT_FALSE(was_cached);
  EXPECT_EQ(data.n_users(), 4);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find(cache_dir_), std::string::npos) << warnings[0];
}

TEST_F(DatasetCacheTest, RealMovieLensRoundTrips) {
  const std::string dir = std::string(GNNREC_SOURCE_DIR) + "/data/ml-latest-small/";
  const auto parse = [&] {
    return load_movielens(dir + "ratings.csv", dir + "movies.csv", 3.5f, SplitOptions{});
  };
  bool was_cached = true;
  const std::vector<std::string> inputs = {dir + "ratings.csv", dir + "movies.csv"};
  const RecDataset parsed = load_cached(cache_dir_, "ml", inputs, parse, &was_cached);
  EXPECT_FALSE(was_cached);
  const RecDataset cached = load_cached(cache_dir_, "ml", inputs, parse, &was_cached);
  EXPECT_TRUE(was_cached);
  expect_same_dataset(cached, parsed);
  EXPECT_EQ(cached.item_label(cached.items.find("11")), "American President, The (1995)");
}

// Sets or unsets an environment variable for one test, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(DefaultCacheDir, PrefersXdgThenHome) {
  {
    ScopedEnv xdg("XDG_CACHE_HOME", "/x/cache");
    ScopedEnv home("HOME", "/home/me");
    EXPECT_EQ(default_cache_dir(), "/x/cache/gnnrec");
  }
  {
    ScopedEnv xdg("XDG_CACHE_HOME", "");
    ScopedEnv home("HOME", "/home/me");
    EXPECT_EQ(default_cache_dir(), "/home/me/.cache/gnnrec");
  }
  {
    ScopedEnv xdg("XDG_CACHE_HOME", nullptr);
    ScopedEnv home("HOME", nullptr);
    EXPECT_EQ(default_cache_dir(), "");
  }
}

}  // namespace
}  // namespace gnnrec::io
