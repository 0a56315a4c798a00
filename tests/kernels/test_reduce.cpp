// Tests of kernels/reduce.h: sum, sum_backward, column_sum on every device.
//
// Oracles: hand-worked values; a plain double-precision sum written here;
// and, for the device result, the CPU reference kernel called on host
// vectors. Tolerances come from the float summation error bound
// |computed - exact| <= h * eps * sum |x_i|, where h is the depth of the
// summation (the longest chain of float additions any element goes through).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kernels/reduce.h"
#include "tests/test_util.h"

namespace gnnrec {
namespace {

using testing::random_floats;

constexpr double kEps = 1.0 / 16777216.0;  // 2^-24, float's unit roundoff

class ReduceTest : public testing::DeviceTest {
 protected:
  float device_sum(const std::vector<float>& x) {
    const auto n = static_cast<std::int64_t>(x.size());
    Tensor x_t = Tensor::from_vector(x, {n}, device());
    Tensor out = Tensor::full({1}, 123.0f, device());  // must be overwritten
    GNNREC_DISPATCH(device(), sum, n, x_t.data<float>(), out.data<float>());
    return out.to_vector<float>()[0];
  }

  std::vector<float> device_column_sum(std::int64_t n_rows, std::int64_t n_cols,
                                       const std::vector<float>& x, std::vector<float> out,
                                       bool accumulate) {
    Tensor x_t = Tensor::from_vector(x, {n_rows, n_cols}, device());
    Tensor out_t = Tensor::from_vector(out, {n_cols}, device());
    GNNREC_DISPATCH(device(), column_sum, n_rows, n_cols, x_t.data<float>(), out_t.data<float>(),
                    accumulate);
    return out_t.to_vector<float>();
  }

  std::vector<float> device_sum_backward(float scale, float dout, std::vector<float> dx) {
    const auto n = static_cast<std::int64_t>(dx.size());
    Tensor dout_t = Tensor::from_vector(std::vector<float>{dout}, {1}, device());
    Tensor dx_t = Tensor::from_vector(dx, {n}, device());
    GNNREC_DISPATCH(device(), sum_backward, n, scale, dout_t.data<float>(), dx_t.data<float>());
    return dx_t.to_vector<float>();
  }
};
GNNREC_INSTANTIATE_DEVICE_TESTS(ReduceTest);

double abs_sum(const std::vector<float>& x) {
  double total = 0.0;
  for (float v : x) total += std::fabs(static_cast<double>(v));
  return total;
}

// Depth of the GPU's float tree for n elements: a serial run per thread of
// at most ceil(n / 262,144) elements (1,024 blocks of 256 threads), then
// log2(256) + log2(1,024) tree levels; the CPU's double sum has depth ~1.
// One more level for the final rounding to float.
double sum_depth(std::int64_t n) {
  return std::ceil(static_cast<double>(n) / 262144.0) + 8.0 + 10.0 + 1.0;
}

TEST_P(ReduceTest, SumHandWorked) {
  // 1 + 2 + 3.5 - 0.5 + 0.25 = 6.25, exact in float: no rounding anywhere.
  EXPECT_EQ(device_sum({1.0f, 2.0f, 3.5f, -0.5f, 0.25f}), 6.25f);
  EXPECT_EQ(device_sum({-7.0f}), -7.0f);
  EXPECT_EQ(device_sum({}), 0.0f);  // the empty sum writes 0
  // 1 + 1e8 - 1e8 in float left to right loses the 1; the CPU's double
  // accumulator keeps it. (The GPU tree may lose it, so only the CPU.)
  if (device().is_cpu()) {
    EXPECT_EQ(device_sum({1.0f, 1e8f, -1e8f}), 1.0f);
  }
}

TEST_P(ReduceTest, SumIntegersExact) {
  // 300,000 small integers (more than one pass of the GPU's 262,144-thread
  // grid): every partial sum is an integer below 2^24, so any order is exact.
  std::vector<float> x(300000);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<float>(static_cast<int>(i % 7) - 3);  // -3..3, each 7 sum to 0
  }
  x[12345] = 50.0f;
  double exact = 0.0;
  for (float v : x) exact += v;
  EXPECT_EQ(device_sum(x), static_cast<float>(exact));
}

TEST_P(ReduceTest, SumRandomMatchesReference) {
  std::vector<std::int64_t> sizes;
  for (std::int64_t rows : testing::test_row_counts()) {
    for (std::int64_t width : testing::test_widths()) sizes.push_back(rows * width);
  }
  sizes.push_back(262145);   // one element past a full GPU grid
  sizes.push_back(3000001);  // many grid-stride iterations per thread
  for (std::int64_t n : sizes) {
    SCOPED_TRACE("n = " + std::to_string(n));
    const std::vector<float> x = random_floats(n, 100 + n);
    double exact = 0.0;
    for (float v : x) exact += v;
    float reference = 0.0f;
    sum<Cpu>(n, x.data(), &reference);
    // The CPU sums in double: one float rounding (plus a double's worth of
    // noise) away from the exact sum.
    EXPECT_NEAR(reference, exact, kEps * std::fabs(exact) + 1e-12 * abs_sum(x));
    // Device vs reference: both are within depth * eps * sum|x| of the exact sum.
    EXPECT_NEAR(device_sum(x), reference, sum_depth(n) * kEps * abs_sum(x));
  }
}

TEST_P(ReduceTest, SumBackwardHandWorked) {
  // dx += scale * dout: 0.5 * 4 = 2 added to each element.
  EXPECT_EQ(device_sum_backward(0.5f, 4.0f, {1.0f, -1.0f, 0.0f}),
            (std::vector<float>{3.0f, 1.0f, 2.0f}));
}

TEST_P(ReduceTest, SumBackwardRandomMatchesReference) {
  for (std::int64_t rows : testing::test_row_counts()) {
    for (std::int64_t width : testing::test_widths()) {
      const std::int64_t n = rows * width;
      const std::vector<float> dx0 = random_floats(n, 200 + n);
      const float scale = 1.0f / static_cast<float>(n), dout = 0.7f;
      std::vector<float> reference = dx0;
      sum_backward<Cpu>(n, scale, &dout, reference.data());
      // Same two float operations per element in the same order: identical bits.
      EXPECT_ALL_CLOSE(device_sum_backward(scale, dout, dx0), reference, 0.0f, 0.0f);
      std::vector<float> exact(dx0.size());
      for (std::size_t i = 0; i < exact.size(); ++i) {
        exact[i] = static_cast<float>(dx0[i] + static_cast<double>(scale * dout));
      }
      // One float rounding in the addition (the product scale * dout is rounded the same way).
      EXPECT_ALL_CLOSE(reference, exact, 0.0f, 2.0f * static_cast<float>(kEps));
    }
  }
}

TEST_P(ReduceTest, ColumnSumHandWorked) {
  // x = [[1, 2, 3],
  //      [4, 5, 6]]  -> column sums [5, 7, 9]
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(device_column_sum(2, 3, x, {-1, -1, -1}, false), (std::vector<float>{5, 7, 9}));
  // accumulate adds into out: [10, 20, 30] + [5, 7, 9]
  EXPECT_EQ(device_column_sum(2, 3, x, {10, 20, 30}, true), (std::vector<float>{15, 27, 39}));
  // no rows: the sums are 0
  EXPECT_EQ(device_column_sum(0, 3, {}, {-1, -1, -1}, false), (std::vector<float>{0, 0, 0}));
}

TEST_P(ReduceTest, ColumnSumRandomMatchesReference) {
  std::vector<std::pair<std::int64_t, std::int64_t>> shapes;
  for (std::int64_t rows : testing::test_row_counts()) {
    for (std::int64_t width : testing::test_widths()) shapes.push_back({rows, width});
  }
  shapes.push_back({300000, 3});  // more than 1,024 row chunks on the GPU
  shapes.push_back({31, 130});    // several column tiles (CPU: 64 wide, GPU: 32 wide)
  for (auto [n_rows, n_cols] : shapes) {
    for (bool accumulate : {false, true}) {
      SCOPED_TRACE("shape " + std::to_string(n_rows) + " x " + std::to_string(n_cols) +
                   (accumulate ? ", accumulate" : ""));
      const std::vector<float> x = random_floats(n_rows * n_cols, 300 + n_rows * n_cols);
      const std::vector<float> out0 = random_floats(n_cols, 400 + n_cols);
      std::vector<float> reference = out0;
      column_sum<Cpu>(n_rows, n_cols, x.data(), reference.data(), accumulate);
      // Plain double oracle, and the bound: sum|x| of the column (+ |out0|).
      std::vector<float> exact(n_cols);
      double worst_abs = 0.0;
      for (std::int64_t c = 0; c < n_cols; ++c) {
        double column = 0.0, column_abs = 0.0;
        for (std::int64_t r = 0; r < n_rows; ++r) {
          column += x[r * n_cols + c];
          column_abs += std::fabs(x[r * n_cols + c]);
        }
        if (accumulate) {
          column = static_cast<float>(column) + static_cast<double>(out0[c]);
          column_abs += std::fabs(out0[c]);
        }
        exact[c] = static_cast<float>(column);
        worst_abs = std::max(worst_abs, column_abs);
      }
      // CPU: the double column sum rounded to float, plus the float add of out0.
      EXPECT_ALL_CLOSE(reference, exact, static_cast<float>(2.0 * kEps * worst_abs), 0.0f);
      // GPU: the longest chain of float additions is rows_per_chunk / 8 per
      // warp plus 7 to combine the 8 warps, in each of the two passes (about
      // 180 for 300,000 rows, 50 for 1,000), and never more than n_rows.
      const double depth = static_cast<double>(std::min<std::int64_t>(n_rows, 300)) + 2.0;
      EXPECT_ALL_CLOSE(device_column_sum(n_rows, n_cols, x, out0, accumulate), reference,
                       static_cast<float>(depth * kEps * worst_abs), 0.0f);
    }
  }
}

}  // namespace
}  // namespace gnnrec
