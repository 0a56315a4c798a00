// io/files.h: atomic writes, whole-file reads, directories and FNV-1a.
#include "io/files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"

namespace gnnrec::io {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) /
           ("gnnrec_files_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      names.push_back(entry.path().filename().string());
    }
    return names;
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

TEST_F(FilesTest, AtomicWriteCreatesThenReplacesTheContent) {
  const std::string file = path("data.bin");
  write_file_atomically(file, "a longer first version");
  EXPECT_EQ(read_file(file), "a longer first version");
  write_file_atomically(file, "second");
  EXPECT_EQ(read_file(file), "second");
  write_file_atomically(file, "");
  EXPECT_EQ(read_file(file), "");
}

TEST_F(FilesTest, AtomicWriteLeavesNoTemporaryFiles) {
  write_file_atomically(path("a.bin"), "one");
  write_file_atomically(path("a.bin"), "two");
  write_file_atomically(path("b.bin"), "three");
  std::vector<std::string> names = entries();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"a.bin", "b.bin"}));
}

TEST_F(FilesTest, AtomicWriteIntoAMissingDirectoryFailsAndLeavesNothing) {
  const std::string file = path("missing/data.bin");
  const std::string message = error_message([&] { write_file_atomically(file, "x"); });
  EXPECT_NE(message.find(path("missing/data.bin")), std::string::npos) << message;
  EXPECT_TRUE(entries().empty());
}

TEST_F(FilesTest, ReadFileKeepsEveryByte) {
  const std::string bytes("a\r\nb\0c\n\xff", 8);
  {
    std::ofstream out(path("raw.bin"), std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  EXPECT_EQ(read_file(path("raw.bin")), bytes);
}

TEST_F(FilesTest, ReadFileOfAMissingPathNamesThePath) {
  const std::string missing = path("no_such_file.csv");
  const std::string message = error_message([&] { read_file(missing); });
  EXPECT_NE(message.find(missing + ": cannot open"), std::string::npos) << message;
}

TEST_F(FilesTest, FileExistsOnlyForRegularFiles) {
  write_file_atomically(path("present"), "x");
  EXPECT_TRUE(file_exists(path("present")));
  EXPECT_FALSE(file_exists(path("absent")));
  EXPECT_FALSE(file_exists(dir_.string()));  // a directory is not a file
}

TEST_F(FilesTest, MakeDirectoriesCreatesParentsAndAcceptsExisting) {
  const std::string nested = path("a/b/c");
  make_directories(nested);
  EXPECT_TRUE(fs::is_directory(nested));
  make_directories(nested);  // already there: no error
  EXPECT_TRUE(fs::is_directory(nested));
}

TEST_F(FilesTest, MakeDirectoriesFailsWhenAFileIsInTheWay) {
  write_file_atomically(path("blocker"), "x");
  const std::string dir = path("blocker/sub");
  const std::string message = error_message([&] { make_directories(dir); });
  EXPECT_NE(message.find(dir + ": cannot create the directory"), std::string::npos) << message;
}

TEST_F(FilesTest, RemoveUnfinishedWritesKeepsFinishedFiles) {
  write_file_atomically(path("last.ckpt"), "done");
  write_file_atomically(path("last.ckpt.tmp.123"), "half");  // what a killed write leaves
  write_file_atomically(path("notes.tmp.txt"), "not a temporary of ours");
  EXPECT_EQ(remove_unfinished_writes(dir_.string()), 1);
  EXPECT_TRUE(file_exists(path("last.ckpt")));
  EXPECT_FALSE(file_exists(path("last.ckpt.tmp.123")));
  EXPECT_TRUE(file_exists(path("notes.tmp.txt")));
}

// Reference values of the FNV-1a 64 test suite (Fowler, Noll, Vo).
TEST(Fnv1a64, MatchesReferenceValuesAndContinues) {
  EXPECT_EQ(fnv1a64("", 0), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a", 1), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("foobar", 6), 0x85944171f73967e8ull);
  EXPECT_EQ(fnv1a64("bar", 3, fnv1a64("foo", 3)), fnv1a64("foobar", 6));
}

}  // namespace
}  // namespace gnnrec::io
