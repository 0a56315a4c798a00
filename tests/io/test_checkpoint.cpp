// Checkpoints: round trips of every dtype, and damaged or hostile files
// (every truncation, every flipped byte, lying lengths) that must be refused
// with an Error naming the file.
#include "io/checkpoint.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>

#include "io/files.h"
#include "tests/test_util.h"

namespace gnnrec::io {
namespace {

namespace fs = std::filesystem;
using gnnrec::testing::random_floats;
using gnnrec::testing::random_ints;

// A fresh directory per test under GoogleTest's temporary directory.
class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) /
           ("gnnrec_checkpoint_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    make_directories(dir_.string());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

void write_raw(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

// The message of the Error that loading `path` throws ("" when it loads).
std::string load_error(const std::string& path) {
  try {
    load_checkpoint(path);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

// Two small tensors and one metadata entry: small enough to damage at every offset.
Checkpoint small_checkpoint() {
  Checkpoint checkpoint;
  checkpoint.dataset_fingerprint = 0x0123456789ABCDEFull;
  checkpoint.meta["model"] = "lightgcn";
  checkpoint.tensors.emplace_back("embedding", Tensor::from_vector(random_floats(6, 1), {2, 3}));
  checkpoint.tensors.emplace_back("step", Tensor::from_vector<std::int64_t>({7}, {1}));
  return checkpoint;
}

// Little-endian pieces for writing hostile files by hand.
void put_u32(std::string& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
}
void put_u64(std::string& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
}
void put_string(std::string& out, const std::string& text) {
  put_u32(out, static_cast<std::uint32_t>(text.size()));
  out += text;
}
// Magic, version 1, fingerprint 0 and no metadata: what comes before the tensor count.
std::string file_start() {
  std::string bytes = "GNNRECKP";
  put_u32(bytes, kCheckpointVersion);
  put_u64(bytes, 0);
  put_u32(bytes, 0);
  return bytes;
}
// Appends the correct checksum, so only the structural checks can refuse the file.
std::string with_checksum(std::string bytes) {
  put_u64(bytes, fnv1a64(bytes.data(), bytes.size()));
  return bytes;
}

TEST_F(CheckpointTest, RoundTripsEveryDTypeShapeAndMetadata) {
  Checkpoint saved;
  saved.dataset_fingerprint = 0xFEDCBA9876543210ull;
  saved.meta = {{"model", "lightgcn"},
                {"epoch", "12"},
                {"empty", ""},
                {"binary", std::string("a\0b\n\xff", 5)}};
  saved.tensors.emplace_back("user_embedding",
                             Tensor::from_vector(random_floats(31 * 17, 2, -3, 3), {31, 17}));
  saved.tensors.emplace_back("vector", Tensor::from_vector(random_floats(5, 3), {5}));
  saved.tensors.emplace_back("scalar", Tensor::from_vector(random_floats(1, 4), {}));
  saved.tensors.emplace_back("empty_rows", Tensor::zeros({0, 4}, DType::F32));
  saved.tensors.emplace_back("ids",
                             Tensor::from_vector(random_ints(24, 5, -1000, 1000), {2, 3, 4}));
  std::vector<std::int64_t> big_ints;
  for (std::int32_t v : random_ints(9, 6, -1000, 1000)) big_ints.push_back(v * (1ll << 40));
  saved.tensors.emplace_back("steps", Tensor::from_vector(big_ints, {3, 3}));

  save_checkpoint(path("model.ckpt"), saved);
  const Checkpoint loaded = load_checkpoint(path("model.ckpt"));

  EXPECT_EQ(loaded.dataset_fingerprint, saved.dataset_fingerprint);
  EXPECT_EQ(loaded.meta, saved.meta);
  ASSERT_EQ(loaded.tensors.size(), saved.tensors.size());
  for (std::size_t i = 0; i < saved.tensors.size(); ++i) {
    const auto& [name, want] = saved.tensors[i];
    const auto& [got_name, got] = loaded.tensors[i];
    SCOPED_TRACE(name);
    EXPECT_EQ(got_name, name);  // order is kept
    EXPECT_EQ(got.shape(), want.shape());
    EXPECT_EQ(got.dtype(), want.dtype());
    EXPECT_TRUE(got.device().is_cpu());
    switch (want.dtype()) {
      case DType::F32:
        EXPECT_EQ(got.to_vector<float>(), want.to_vector<float>());  // bit for bit
        break;
      case DType::I32:
        EXPECT_EQ(got.to_vector<std::int32_t>(), want.to_vector<std::int32_t>());
        break;
      case DType::I64:
        EXPECT_EQ(got.to_vector<std::int64_t>(), want.to_vector<std::int64_t>());
        break;
    }
  }
  EXPECT_EQ(loaded.get("epoch"), "12");
  EXPECT_EQ(loaded.tensor("ids").to_vector<std::int32_t>(),
            saved.tensor("ids").to_vector<std::int32_t>());
}

TEST_F(CheckpointTest, MissingTensorOrMetadataNamesWhatIsThere) {
  const Checkpoint checkpoint = small_checkpoint();
  try {
    checkpoint.tensor("item_embedding");
    FAIL() << "no Error";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("item_embedding"), std::string::npos) << message;
    EXPECT_NE(message.find("embedding, step"), std::string::npos) << message;
  }
  try {
    checkpoint.get("epoch");
    FAIL() << "no Error";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("epoch"), std::string::npos) << message;
    EXPECT_NE(message.find("model"), std::string::npos) << message;
  }
}

TEST_F(CheckpointTest, RefusesToSaveUndefinedOrDuplicateTensors) {
  Checkpoint undefined;
  undefined.tensors.emplace_back("x", Tensor());
  EXPECT_THROW(save_checkpoint(path("undefined.ckpt"), undefined), Error);

  Checkpoint duplicate = small_checkpoint();
  duplicate.tensors.emplace_back("step", Tensor::from_vector<std::int64_t>({8}, {1}));
  EXPECT_THROW(save_checkpoint(path("duplicate.ckpt"), duplicate), Error);
  EXPECT_FALSE(file_exists(path("duplicate.ckpt")));
}

TEST_F(CheckpointTest, EveryTruncationIsAnError) {
  save_checkpoint(path("whole.ckpt"), small_checkpoint());
  const std::string bytes = read_file(path("whole.ckpt"));
  ASSERT_GT(bytes.size(), 50u);
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    write_raw(path("cut.ckpt"), bytes.substr(0, length));
    const std::string message = load_error(path("cut.ckpt"));
    EXPECT_TRUE(starts_with(message, path("cut.ckpt") + ": truncated (needs "))
        << "prefix of " << length << " bytes: '" << message << "'";
  }
}

TEST_F(CheckpointTest, EveryFlippedByteIsAnError) {
  save_checkpoint(path("whole.ckpt"), small_checkpoint());
  const std::string bytes = read_file(path("whole.ckpt"));
  for (std::size_t offset = 0; offset < bytes.size(); ++offset) {
    for (unsigned char flip : {0x01, 0x80, 0xFF}) {
      std::string damaged = bytes;
      damaged[offset] = static_cast<char>(damaged[offset] ^ flip);
      write_raw(path("damaged.ckpt"), damaged);
      const std::string message = load_error(path("damaged.ckpt"));
      EXPECT_TRUE(starts_with(message, path("damaged.ckpt") + ": "))
          << "byte " << offset << " ^ " << int{flip} << ": '" << message << "'";
    }
  }
  // A flipped data or checksum byte cannot be caught by anything but the checksum.
  std::string damaged = bytes;
  damaged.back() = static_cast<char>(damaged.back() ^ 1);
  write_raw(path("damaged.ckpt"), damaged);
  EXPECT_EQ(load_error(path("damaged.ckpt")),
            path("damaged.ckpt") + ": checksum mismatch (file damaged)");
}

TEST_F(CheckpointTest, TrailingBytesAreAnError) {
  save_checkpoint(path("whole.ckpt"), small_checkpoint());
  write_raw(path("longer.ckpt"), read_file(path("whole.ckpt")) + "x");
  EXPECT_NE(load_error(path("longer.ckpt")).find("unexpected bytes"), std::string::npos);
}

TEST_F(CheckpointTest, OtherFilesAndMissingFilesAreClearErrors) {
  write_raw(path("ratings.csv"), "user,item,rating\n1,2,5\n");
  EXPECT_EQ(load_error(path("ratings.csv")),
            path("ratings.csv") + ": not a gnnrec checkpoint (bad magic)");

  const std::string missing = load_error(path("missing.ckpt"));
  EXPECT_TRUE(starts_with(missing, path("missing.ckpt"))) << missing;

  std::string future = with_checksum(file_start() + std::string(4, '\0'));
  future[8] = 2;  // version 2
  write_raw(path("future.ckpt"), future);
  EXPECT_EQ(load_error(path("future.ckpt")),
            path("future.ckpt") + ": format version 2, this build reads 1");
}

TEST_F(CheckpointTest, LyingLengthsNeverAllocateOrReadPastTheEnd) {
  const std::string hostile = path("hostile.ckpt");
  const auto expect_refused = [&](const std::string& bytes, const std::string& why) {
    write_raw(hostile, with_checksum(bytes));
    const std::string message = load_error(hostile);
    EXPECT_TRUE(starts_with(message, hostile + ": ")) << "'" << message << "'";
    EXPECT_NE(message.find(why), std::string::npos) << "'" << message << "'";
  };
  // Counts and lengths of 4 billion in a file of a few dozen bytes.
  std::string many_meta = "GNNRECKP";
  put_u32(many_meta, kCheckpointVersion);
  put_u64(many_meta, 0);
  put_u32(many_meta, 0xFFFFFFFFu);
  expect_refused(many_meta, "truncated");
  std::string many_tensors = file_start();
  put_u32(many_tensors, 0xFFFFFFFFu);
  expect_refused(many_tensors, "truncated");
  std::string long_name = file_start();
  put_u32(long_name, 1);
  put_u32(long_name, 0xFFFFFFFFu);
  expect_refused(long_name, "truncated");
  std::string many_dims = file_start();
  put_u32(many_dims, 1);
  put_string(many_dims, "x");
  put_u32(many_dims, 0);
  put_u32(many_dims, 0xFFFFFFFFu);
  expect_refused(many_dims, "truncated");

  // Shapes: too large for the file, overflowing int64, negative, unknown dtype.
  const auto tensor_file = [](std::uint32_t dtype, std::vector<std::int64_t> dims) {
    std::string bytes = file_start();
    put_u32(bytes, 1);
    put_string(bytes, "x");
    put_u32(bytes, dtype);
    put_u32(bytes, static_cast<std::uint32_t>(dims.size()));
    for (std::int64_t extent : dims) put_u64(bytes, static_cast<std::uint64_t>(extent));
    return bytes + std::string(16, '\0');  // some data, far less than claimed
  };
  expect_refused(tensor_file(0, {1 << 20, 1 << 20}), "truncated");
  expect_refused(tensor_file(2, {std::numeric_limits<std::int64_t>::max() / 4}), "impossible");
  expect_refused(tensor_file(0, {1ll << 40, 1ll << 40, 0}), "impossible");
  expect_refused(tensor_file(0, {2, -2}), "negative");
  expect_refused(tensor_file(7, {2}), "dtype");

  // The same writer with honest sizes loads: the refusals above are about the sizes.
  write_raw(hostile, with_checksum(tensor_file(0, {2, 2})));
  EXPECT_EQ(load_checkpoint(hostile).tensor("x").shape(), (Shape{2, 2}));
}

TEST_F(CheckpointTest, SavingOverACheckpointReplacesItAndLeavesNoTemporaryFiles) {
  save_checkpoint(path("model.ckpt"), small_checkpoint());
  Checkpoint newer = small_checkpoint();
  newer.meta["epoch"] = "13";
  newer.tensors.pop_back();
  save_checkpoint(path("model.ckpt"), newer);

  const Checkpoint loaded = load_checkpoint(path("model.ckpt"));
  EXPECT_EQ(loaded.get("epoch"), "13");
  EXPECT_EQ(loaded.tensors.size(), 1u);
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    files.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(files, std::vector<std::string>{"model.ckpt"});
}

// Tensors on any device are saved from the host and come back on the CPU.
class CheckpointDeviceTest : public gnnrec::testing::DeviceTest {};

TEST_P(CheckpointDeviceTest, SavesFromAnyDeviceAndLoadsOnTheCpu) {
  const std::string path = ::testing::TempDir() + "gnnrec_checkpoint_device_" +
                           (device().is_cpu() ? "cpu" : "cuda") + "_" + std::to_string(::getpid()) +
                           ".ckpt";
  const std::vector<float> values = random_floats(12, 7);
  Checkpoint saved;
  saved.tensors.emplace_back("w", Tensor::from_vector(values, {3, 4}, device()));
  saved.tensors.emplace_back("ids", Tensor::from_vector<std::int32_t>({3, 1, 2}, {3}, device()));
  save_checkpoint(path, saved);
  const Checkpoint loaded = load_checkpoint(path);
  fs::remove(path);
  EXPECT_TRUE(loaded.tensor("w").device().is_cpu());
  EXPECT_EQ(loaded.tensor("w").to_vector<float>(), values);
  EXPECT_EQ(loaded.tensor("ids").to_vector<std::int32_t>(), (std::vector<std::int32_t>{3, 1, 2}));
}

// Named "Checkpoint" (not the usual "Backends") so --gtest_filter='Checkpoint*' selects it.
INSTANTIATE_TEST_SUITE_P(Checkpoint, CheckpointDeviceTest,
                         ::testing::ValuesIn(gnnrec::testing::test_devices()),
                         gnnrec::testing::device_test_name);

}  // namespace
}  // namespace gnnrec::io
