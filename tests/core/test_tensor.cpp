// Tensor: shapes, dtypes, shared storage, copies between devices.
#include "core/tensor.h"
#include "tests/test_util.h"

namespace gnnrec {
namespace {

TEST(TensorTest, ShapeAndSizes) {
  Tensor t = Tensor::zeros({3, 4}, DType::F32);
  EXPECT_EQ(t.ndim(), 2);
  EXPECT_EQ(t.numel(), 12);
  EXPECT_EQ(t.rows(), 3);
  EXPECT_EQ(t.cols(), 4);
  EXPECT_EQ(t.nbytes(), 48u);
  EXPECT_EQ(shape_str(t.shape()), "(3, 4)");
  for (float v : t.to_vector<float>()) EXPECT_EQ(v, 0.0f);
}

TEST(TensorTest, DTypes) {
  EXPECT_EQ(Tensor::zeros({5}, DType::I64).nbytes(), 40u);
  Tensor i = Tensor::from_vector<std::int32_t>({1, -2, 3}, {3});
  EXPECT_EQ(i.dtype(), DType::I32);
  EXPECT_EQ(i.to_vector<std::int32_t>(), (std::vector<std::int32_t>{1, -2, 3}));
}

TEST(TensorTest, WrongDTypeAccessIsAnError) {
  Tensor t = Tensor::zeros({2}, DType::I32);
  EXPECT_THROW(t.data<float>(), Error);
  EXPECT_THROW(Tensor().data<float>(), Error);
}

TEST(TensorTest, CopiesShareStorageAndCloneDoesNot) {
  Tensor a = Tensor::from_vector<float>({1, 2, 3, 4}, {2, 2});
  Tensor shared = a;
  Tensor copy = a.clone();
  a.data<float>()[0] = 10.0f;
  EXPECT_EQ(shared.to_vector<float>()[0], 10.0f);
  EXPECT_EQ(copy.to_vector<float>()[0], 1.0f);
  EXPECT_TRUE(shared.shares_storage_with(a));
  EXPECT_FALSE(copy.shares_storage_with(a));
}

TEST(TensorTest, ReshapeAndSliceRowsShareStorage) {
  Tensor a = Tensor::from_vector<float>({0, 1, 2, 3, 4, 5}, {3, 2});
  Tensor rows = a.slice_rows(1, 3);
  EXPECT_EQ(rows.shape(), (Shape{2, 2}));
  EXPECT_EQ(rows.to_vector<float>(), (std::vector<float>{2, 3, 4, 5}));
  Tensor flat = a.reshape({6});
  flat.data<float>()[5] = 50.0f;
  EXPECT_EQ(rows.to_vector<float>()[3], 50.0f);
  EXPECT_THROW(a.reshape({4}), Error);
  EXPECT_THROW(a.slice_rows(2, 4), Error);
}

TEST(TensorTest, FromVectorSizeMismatchIsAnError) {
  EXPECT_THROW(Tensor::from_vector<float>({1, 2, 3}, {2, 2}), Error);
  EXPECT_THROW(Tensor::empty({2, -1}, DType::F32), Error);
}

TEST(TensorTest, CopyFromChecksShape) {
  Tensor a = Tensor::zeros({2, 3}, DType::F32);
  Tensor b = Tensor::full({2, 3}, 7.0f);
  a.copy_from(b);
  EXPECT_EQ(a.to_vector<float>(), std::vector<float>(6, 7.0f));
  EXPECT_THROW(a.copy_from(Tensor::zeros({3, 2}, DType::F32)), Error);
}

// Host copies and zero fills over 256 KB are split over the threads in
// 64 KB chunks: sizes around those edges, with a ragged last chunk, and
// into a slice (an offset that is not chunk-aligned).
TEST(TensorTest, LargeCopiesAndZeroFillsAreComplete) {
  for (std::int64_t n : {std::int64_t(65535), std::int64_t(65536 + 3), std::int64_t(1 << 20) + 7}) {
    SCOPED_TRACE(n);
    const std::vector<float> values = testing::random_floats(n, static_cast<std::uint64_t>(n));
    Tensor src = Tensor::from_vector(values, {n});
    Tensor dst = Tensor::full({n + 5}, 3.0f);
    Tensor inner = dst.slice_rows(2, n + 2);
    inner.copy_from(src);
    const std::vector<float> got = dst.to_vector<float>();
    EXPECT_EQ(std::vector<float>(got.begin() + 2, got.begin() + 2 + n), values);
    EXPECT_EQ(got[0], 3.0f);
    EXPECT_EQ(got[static_cast<std::size_t>(n + 2)], 3.0f);
    inner.zero_();
    const std::vector<float> zeroed = dst.to_vector<float>();
    EXPECT_EQ(std::vector<float>(zeroed.begin() + 2, zeroed.begin() + 2 + n),
              std::vector<float>(static_cast<std::size_t>(n), 0.0f));
    EXPECT_EQ(zeroed[1], 3.0f);
    EXPECT_EQ(zeroed[static_cast<std::size_t>(n + 2)], 3.0f);
  }
}

class TensorDeviceTest : public testing::DeviceTest {};

TEST_P(TensorDeviceTest, RoundTripThroughDevice) {
  std::vector<float> values = testing::random_floats(1000, 1);
  Tensor t = Tensor::from_vector(values, {100, 10}, device());
  EXPECT_EQ(t.device(), device());
  EXPECT_EQ(t.to_vector<float>(), values);
  Tensor back = t.to(Device::cpu());
  EXPECT_EQ(back.device(), Device::cpu());
  EXPECT_EQ(back.to_vector<float>(), values);
  Tensor zeros = Tensor::zeros({7}, DType::I64, device());
  EXPECT_EQ(zeros.to_vector<std::int64_t>(), std::vector<std::int64_t>(7, 0));
  Tensor sliced = t.slice_rows(3, 5);
  EXPECT_EQ(sliced.to_vector<float>(),
            std::vector<float>(values.begin() + 30, values.begin() + 50));
}

GNNREC_INSTANTIATE_DEVICE_TESTS(TensorDeviceTest);

}  // namespace
}  // namespace gnnrec
