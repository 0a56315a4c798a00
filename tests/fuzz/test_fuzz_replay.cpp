// Replays every file of tests/fuzz/corpus/<target>/ (the seeds) and
// tests/fuzz/regressions/<target>/ (every crash, timeout or out-of-memory
// input tools/fuzz.sh ever found) through its fuzz target, so a fixed crash
// stays fixed. A crash takes the test binary down with it (under
// GNNREC_SANITIZE=ON, a sanitizer report does); the file being replayed is
// printed first, so the log names it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "io/files.h"
#include "tests/fuzz/fuzz_targets.h"

namespace gnnrec::fuzz {

// Test names and logs show the target's name.
void PrintTo(const FuzzTarget& target, std::ostream* out) { *out << target.name; }

namespace {

namespace fs = std::filesystem;

const fs::path kFuzzDir = fs::path(GNNREC_SOURCE_DIR) / "tests" / "fuzz";

// The files of `dir` (none when it does not exist), in name order.
std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

int replay(const FuzzTarget& target, const std::vector<fs::path>& files) {
  for (const fs::path& file : files) {
    std::fprintf(stderr, "replaying %s\n", file.string().c_str());
    const std::string bytes = io::read_file(file.string());
    target.run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  return static_cast<int>(files.size());
}

class FuzzReplay : public ::testing::TestWithParam<FuzzTarget> {};

TEST_P(FuzzReplay, SeedCorpus) {
  const int n = replay(GetParam(), files_in(kFuzzDir / "corpus" / GetParam().name));
  EXPECT_GT(n, 0) << "no seed files in tests/fuzz/corpus/" << GetParam().name;
}

TEST_P(FuzzReplay, Regressions) {
  replay(GetParam(), files_in(kFuzzDir / "regressions" / GetParam().name));
}

TEST_P(FuzzReplay, EmptyAndTinyInputs) {
  for (std::size_t size = 0; size <= 2; ++size) {
    const std::uint8_t bytes[2] = {0, 0};
    GetParam().run(bytes, size);
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplay, ::testing::ValuesIn(fuzz_targets()),
                         [](const ::testing::TestParamInfo<FuzzTarget>& target) {
                           return std::string(target.param.name);
                         });

}  // namespace
}  // namespace gnnrec::fuzz
