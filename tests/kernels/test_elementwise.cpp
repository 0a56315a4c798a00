// Tests of kernels/elementwise.h on every device: add, add_scaled, mul,
// mul_backward, scale, add_bias, relu (forward, backward), dropout (forward,
// backward), row_dot (forward, backward), weighted_sum, row_l2_normalize
// (forward, backward).
//
// Each op gets a hand-worked case, then random inputs at every test shape:
// the CPU reference against a double-precision computation written here,
// within a bound derived for that op (`Oracle`), and the device against the
// CPU reference. Maps do the same float operations in the same order on
// both devices (host -ffp-contract=off, device --fmad=false), so the device
// must match the reference bit for bit. Row reductions (row_dot,
// row_l2_normalize) sum in a different order on the GPU (lane-strided, then
// a shuffle tree), so they use the float summation bound
// |sum - exact| <= dim * eps * sum |terms| on both sides.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "core/philox.h"
#include "kernels/elementwise.h"
#include "tests/test_util.h"

namespace gnnrec {
namespace {

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();

using testing::random_floats;
using Floats = std::vector<float>;

constexpr double kEps = 1.0 / 16777216.0;  // 2^-24, float's unit roundoff

// The exact (double) value of each element and how far a float computation
// may be from it.
struct Oracle {
  std::vector<double> exact;
  std::vector<double> bound;
  explicit Oracle(std::size_t n) : exact(n, 0.0), bound(n, 0.0) {}
};

// oracle[i] = start + product, the exact value of one accumulate `g += p`:
// two roundings (the product, then the sum), hence the bound.
void set_accumulate_oracle(Oracle& oracle, std::size_t i, double start, double product) {
  oracle.exact[i] = start + product;
  oracle.bound[i] = kEps * (std::fabs(product) + std::fabs(oracle.exact[i])) * 1.01;
}

// |got[i] - exact[i]| <= bound[i] for every i; names the first mismatches.
::testing::AssertionResult within(const Floats& got, const Oracle& oracle, double factor = 1.0) {
  if (got.size() != oracle.exact.size()) {
    return ::testing::AssertionFailure()
           << "sizes differ: " << got.size() << " vs " << oracle.exact.size();
  }
  std::ostringstream report;
  std::size_t n_bad = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double diff = std::fabs(static_cast<double>(got[i]) - oracle.exact[i]);
    if (!(diff <= factor * oracle.bound[i]) && ++n_bad <= 5) {
      report << "\n  [" << i << "] got " << got[i] << ", exact " << oracle.exact[i] << ", allowed "
             << factor * oracle.bound[i];
    }
  }
  if (n_bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << n_bad << " of " << got.size() << " out of bounds" << report.str();
}

// An oracle for results that are one float operation from exact: double
// rounding through a double intermediate is innocuous for + - * / and sqrt
// (53 >= 2 * 24 + 2 bits), so the float result must equal the rounded exact one.
Oracle one_rounding(const std::vector<double>& exact) {
  Oracle oracle(exact.size());
  for (std::size_t i = 0; i < exact.size(); ++i) {
    oracle.exact[i] = static_cast<float>(exact[i]);
  }
  return oracle;
}

void for_each_shape(const std::function<void(std::int64_t, std::int64_t)>& body) {
  for (std::int64_t rows : testing::test_row_counts()) {
    for (std::int64_t width : testing::test_widths()) {
      SCOPED_TRACE(std::to_string(rows) + " rows of width " + std::to_string(width));
      body(rows, width);
    }
  }
}

class ElementwiseTest : public testing::DeviceTest {
 protected:
  Tensor up(const Floats& values) {
    return Tensor::from_vector(values, {static_cast<std::int64_t>(values.size())}, device());
  }
  static float* ptr(Tensor& t) { return t.data<float>(); }
  static Floats down(const Tensor& t) { return t.to_vector<float>(); }
  Tensor garbage(std::int64_t n) { return up(Floats(n, -123.0f)); }  // outputs to overwrite
};
GNNREC_INSTANTIATE_DEVICE_TESTS(ElementwiseTest);

// ---- add, add_scaled, mul, mul_backward, scale --------------------------------

TEST_P(ElementwiseTest, Add) {
  {  // [1, 2, -3] + [0.5, -2, 4] = [1.5, 0, 1]
    Tensor a = up({1, 2, -3}), b = up({0.5f, -2, 4}), out = garbage(3);
    GNNREC_DISPATCH(device(), add, 3, ptr(a), ptr(b), ptr(out));
    EXPECT_EQ(down(out), (Floats{1.5f, 0, 1}));
  }
  for_each_shape([&](std::int64_t rows, std::int64_t width) {
    const std::int64_t n = rows * width;
    const Floats a = random_floats(n, 1 + n), b = random_floats(n, 2 + n);
    Floats ref(n);
    add<Cpu>(n, a.data(), b.data(), ref.data());
    std::vector<double> exact(n);
    for (std::int64_t i = 0; i < n; ++i) exact[i] = static_cast<double>(a[i]) + b[i];
    EXPECT_TRUE(within(ref, one_rounding(exact)));
    Tensor a_t = up(a), b_t = up(b), out = garbage(n);
    GNNREC_DISPATCH(device(), add, n, ptr(a_t), ptr(b_t), ptr(out));
    EXPECT_EQ(down(out), ref);
  });
}

TEST_P(ElementwiseTest, AddScaled) {
  {  // y = [1, 1, 1] + 2 * [1, -0.5, 3] = [3, 0, 7]
    Tensor x = up({1, -0.5f, 3}), y = up({1, 1, 1});
    GNNREC_DISPATCH(device(), add_scaled, 3, 2.0f, ptr(x), ptr(y));
    EXPECT_EQ(down(y), (Floats{3, 0, 7}));
  }
  for_each_shape([&](std::int64_t rows, std::int64_t width) {
    const std::int64_t n = rows * width;
    const float alpha = -0.37f;
    const Floats x = random_floats(n, 3 + n), y0 = random_floats(n, 4 + n);
    Floats ref = y0;
    add_scaled<Cpu>(n, alpha, x.data(), ref.data());
    // Two roundings: the product and the sum.
    Oracle oracle(n);
    for (std::int64_t i = 0; i < n; ++i) {
      const double product = static_cast<double>(alpha) * x[i];
      oracle.exact[i] = y0[i] + product;
      oracle.bound[i] = kEps * (std::fabs(product) + std::fabs(oracle.exact[i])) * 1.01;
    }
    EXPECT_TRUE(within(ref, oracle));
    Tensor x_t = up(x), y = up(y0);
    GNNREC_DISPATCH(device(), add_scaled, n, alpha, ptr(x_t), ptr(y));
    EXPECT_EQ(down(y), ref);
  });
}

TEST_P(ElementwiseTest, Mul) {
  {  // [2, -3, 0.5] * [4, 2, -2] = [8, -6, -1]
    Tensor a = up({2, -3, 0.5f}), b = up({4, 2, -2}), out = garbage(3);
    GNNREC_DISPATCH(device(), mul, 3, ptr(a), ptr(b), ptr(out));
    EXPECT_EQ(down(out), (Floats{8, -6, -1}));
  }
  for_each_shape([&](std::int64_t rows, std::int64_t width) {
    const std::int64_t n = rows * width;
    const Floats a = random_floats(n, 5 + n), b = random_floats(n, 6 + n);
    Floats ref(n);
    mul<Cpu>(n, a.data(), b.data(), ref.data());
    std::vector<double> exact(n);
    for (std::int64_t i = 0; i < n; ++i) exact[i] = static_cast<double>(a[i]) * b[i];
    EXPECT_TRUE(within(ref, one_rounding(exact)));
    Tensor a_t = up(a), b_t = up(b), out = garbage(n);
    GNNREC_DISPATCH(device(), mul, n, ptr(a_t), ptr(b_t), ptr(out));
    EXPECT_EQ(down(out), ref);
  });
}

TEST_P(ElementwiseTest, MulBackward) {
  {  // dout = [1, 2, 3], a = [2, -3, 0.5], b = [4, 2, -2]
    // da = [1, 1, 1] + dout * b = [5, 5, -5];  db = [0, 0, 0] + dout * a = [2, -6, 1.5]
    Tensor dout = up({1, 2, 3}), a = up({2, -3, 0.5f}), b = up({4, 2, -2});
    Tensor da = up({1, 1, 1}), db = up({0, 0, 0});
    GNNREC_DISPATCH(device(), mul_backward, 3, ptr(dout), ptr(a), ptr(b), ptr(da), ptr(db));
    EXPECT_EQ(down(da), (Floats{5, 5, -5}));
    EXPECT_EQ(down(db), (Floats{2, -6, 1.5f}));
    // A gradient that is not needed is nullptr: db alone gets dout * a again.
    GNNREC_DISPATCH(device(), mul_backward, 3, ptr(dout), ptr(a), ptr(b), nullptr, ptr(db));
    EXPECT_EQ(down(db), (Floats{4, -12, 3}));
    EXPECT_EQ(down(da), (Floats{5, 5, -5}));
  }
  for_each_shape([&](std::int64_t rows, std::int64_t width) {
    const std::int64_t n = rows * width;
    const Floats dout = random_floats(n, 7 + n), a = random_floats(n, 8 + n),
                 b = random_floats(n, 9 + n), da0 = random_floats(n, 10 + n),
                 db0 = random_floats(n, 11 + n);
    Floats da_ref = da0, db_ref = db0;
    mul_backward<Cpu>(n, dout.data(), a.data(), b.data(), da_ref.data(), db_ref.data());
    Oracle da_oracle(n), db_oracle(n);  // two roundings each: product, sum
    for (std::int64_t i = 0; i < n; ++i) {
      const double pa = static_cast<double>(dout[i]) * b[i],
                   pb = static_cast<double>(dout[i]) * a[i];
      set_accumulate_oracle(da_oracle, i, da0[i], pa);
      set_accumulate_oracle(db_oracle, i, db0[i], pb);
    }
    EXPECT_TRUE(within(da_ref, da_oracle));
    EXPECT_TRUE(within(db_ref, db_oracle));
    Tensor dout_t = up(dout), a_t = up(a), b_t = up(b), da = up(da0), db = up(db0);
    GNNREC_DISPATCH(device(), mul_backward, n, ptr(dout_t), ptr(a_t), ptr(b_t), ptr(da), ptr(db));
    EXPECT_EQ(down(da), da_ref);
    EXPECT_EQ(down(db), db_ref);
  });
}

TEST_P(ElementwiseTest, Scale) {
  {  // 3 * [1, -2, 0.5] = [3, -6, 1.5]
    Tensor a = up({1, -2, 0.5f}), out = garbage(3);
    GNNREC_DISPATCH(device(), scale, 3, 3.0f, ptr(a), ptr(out));
    EXPECT_EQ(down(out), (Floats{3, -6, 1.5f}));
  }
  for_each_shape([&](std::int64_t rows, std::int64_t width) {
    const std::int64_t n = rows * width;
    const float alpha = 1.7f;
    const Floats a = random_floats(n, 12 + n);
    Floats ref(n);
    scale<Cpu>(n, alpha, a.data(), ref.data());
    std::vector<double> exact(n);
    for (std::int64_t i = 0; i < n; ++i) exact[i] = static_cast<double>(alpha) * a[i];
    EXPECT_TRUE(within(ref, one_rounding(exact)));
    Tensor a_t = up(a), out = garbage(n);
    GNNREC_DISPATCH(device(), scale, n, alpha, ptr(a_t), ptr(out));
    EXPECT_EQ(down(out), ref);
  });
}

// ---- add_bias, relu ----------------------------------------------------------

TEST_P(ElementwiseTest, AddBias) {
  {  // [[1, 2, 3], [4, 5, 6]] + [10, 20, 30] = [[11, 22, 33], [14, 25, 36]]
    Tensor x = up({1, 2, 3, 4, 5, 6}), bias = up({10, 20, 30}), out = garbage(6);
    GNNREC_DISPATCH(device(), add_bias, 2, 3, ptr(x), ptr(bias), ptr(out));
    EXPECT_EQ(down(out), (Floats{11, 22, 33, 14, 25, 36}));
  }
  for_each_shape([&](std::int64_t rows, std::int64_t width) {
    const Floats x = random_floats(rows * width, 13 + rows),
                 bias = random_floats(width, 14 + width);
    Floats ref(rows * width);
    add_bias<Cpu>(rows, width, x.data(), bias.data(), ref.data());
    std::vector<double> exact(rows * width);
    for (std::int64_t r = 0; r < rows; ++r) {
      for (std::int64_t c = 0; c < width; ++c) {
        exact[r * width + c] = static_cast<double>(x[r * width + c]) + bias[c];
      }
    }
    EXPECT_TRUE(within(ref, one_rounding(exact)));
    Tensor x_t = up(x), bias_t = up(bias), out = garbage(rows * width);
    GNNREC_DISPATCH(device(), add_bias, rows, width, ptr(x_t), ptr(bias_t), ptr(out));
    EXPECT_EQ(down(out), ref);
  });
}

TEST_P(ElementwiseTest, Relu) {
  {  // relu([-1, 0, 2.5]) = [0, 0, 2.5]; backward with dout = [1, 2, 3] adds
     // [0, 0, 3] (the gradient at exactly 0 is 0) to [10, 10, 10].
    Tensor x = up({-1, 0, 2.5f}), out = garbage(3), dout = up({1, 2, 3}), dx = up({10, 10, 10});
    GNNREC_DISPATCH(device(), relu_forward, 3, ptr(x), ptr(out));
    EXPECT_EQ(down(out), (Floats{0, 0, 2.5f}));
    GNNREC_DISPATCH(device(), relu_backward, 3, ptr(x), ptr(dout), 1.0f, ptr(dx));
    EXPECT_EQ(down(dx), (Floats{10, 10, 13}));
    // beta 0 writes [0, 0, 3] over whatever dx held, NaN included.
    Tensor first = up({kNan, kNan, kNan});
    GNNREC_DISPATCH(device(), relu_backward, 3, ptr(x), ptr(dout), 0.0f, ptr(first));
    EXPECT_EQ(down(first), (Floats{0, 0, 3}));
  }
  for_each_shape([&](std::int64_t rows, std::int64_t width) {
    const std::int64_t n = rows * width;
    const Floats x = random_floats(n, 15 + n), dout = random_floats(n, 16 + n),
                 dx0 = random_floats(n, 17 + n);
    Floats out_ref(n), dx_ref = dx0;
    relu_forward<Cpu>(n, x.data(), out_ref.data());
    relu_backward<Cpu>(n, x.data(), dout.data(), 1.0f, dx_ref.data());
    std::vector<double> out_exact(n), dx_exact(n);
    for (std::int64_t i = 0; i < n; ++i) {
      out_exact[i] = x[i] > 0 ? x[i] : 0.0;
      dx_exact[i] = dx0[i] + (x[i] > 0 ? static_cast<double>(dout[i]) : 0.0);
    }
    EXPECT_TRUE(within(out_ref, one_rounding(out_exact)));
    EXPECT_TRUE(within(dx_ref, one_rounding(dx_exact)));
    Tensor x_t = up(x), out = garbage(n), dout_t = up(dout), dx = up(dx0);
    GNNREC_DISPATCH(device(), relu_forward, n, ptr(x_t), ptr(out));
    GNNREC_DISPATCH(device(), relu_backward, n, ptr(x_t), ptr(dout_t), 1.0f, ptr(dx));
    EXPECT_EQ(down(out), out_ref);
    EXPECT_EQ(down(dx), dx_ref);
    // beta 0: the gradient alone, over garbage.
    Tensor first = garbage(n);
    GNNREC_DISPATCH(device(), relu_backward, n, ptr(x_t), ptr(dout_t), 0.0f, ptr(first));
    const Floats first_host = down(first);
    for (std::int64_t i = 0; i < n; ++i) {
      ASSERT_EQ(first_host[i], relu_grad_element(x[i], dout[i])) << "element " << i;
    }
  });
}

// ---- dropout -------------------------------------------------------------------

// Whether dropout keeps element i, written out from the Philox layout the
// header documents: word i % 4 of block i / 4 (purpose kRngDropout).
bool keeps(std::uint64_t seed, std::uint64_t step, std::int64_t i, float p) {
  const Philox4 block = philox_block(seed, kRngDropout, step, static_cast<std::uint32_t>(i / 4),
                                     static_cast<std::uint32_t>(i >> 34));
  return uniform_float(block.w[i % 4]) >= p;
}

TEST_P(ElementwiseTest, DropoutZeroProbabilityIsIdentity) {
  const std::int64_t n = 1000;
  const Floats x = random_floats(n, 18);
  Tensor x_t = up(x), out = garbage(n), dout = up(x), dx = up(Floats(n, 0.0f));
  GNNREC_DISPATCH(device(), dropout_forward, n, 0.0f, 1, 2, ptr(x_t), ptr(out));
  EXPECT_EQ(down(out), x);  // keep scale 1 / (1 - 0) = 1
  GNNREC_DISPATCH(device(), dropout_backward, n, 0.0f, 1, 2, ptr(dout), ptr(dx));
  EXPECT_EQ(down(dx), x);
}

TEST_P(ElementwiseTest, DropoutMaskMatchesReferenceAndPhilox) {
  // A ragged size, past one Philox block boundary per 4 elements.
  const std::int64_t n = 64005;
  const float p = 0.3f;
  const std::uint64_t seed = 0x1234567890abcdefull, step = 7;
  const Floats x = random_floats(n, 19);  // never 0, so out == 0 means dropped
  Floats out_ref(n);
  dropout_forward<Cpu>(n, p, seed, step, x.data(), out_ref.data());
  const float keep_scale = 1.0f / (1.0f - p);
  std::int64_t n_kept = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const bool kept = keeps(seed, step, i, p);
    n_kept += kept;
    ASSERT_EQ(out_ref[i], kept ? x[i] * keep_scale : 0.0f) << "element " << i;
  }
  // Keep fraction: Binomial(n, 1 - p) / n has sd sqrt(p (1 - p) / n) = 0.0018;
  // 5 sd fails a correct kernel with probability 6e-7.
  const double sd = std::sqrt(p * (1.0 - p) / n);
  EXPECT_NEAR(static_cast<double>(n_kept) / n, 1.0 - p, 5.0 * sd);

  // The device draws the same mask: the same bits.
  Tensor x_t = up(x), out = garbage(n);
  GNNREC_DISPATCH(device(), dropout_forward, n, p, seed, step, ptr(x_t), ptr(out));
  EXPECT_EQ(down(out), out_ref);
}

TEST_P(ElementwiseTest, DropoutKeepFractionForSeveralProbabilities) {
  const std::int64_t n = 100000;
  const Floats x(n, 1.0f);
  for (float p : {0.1f, 0.5f, 0.9f}) {
    Tensor x_t = up(x), out = garbage(n);
    GNNREC_DISPATCH(device(), dropout_forward, n, p, 99, 3, ptr(x_t), ptr(out));
    const Floats got = down(out);
    const std::int64_t n_kept =
        std::count_if(got.begin(), got.end(), [](float v) { return v != 0; });
    const double sd = std::sqrt(p * (1.0 - p) / n);  // 5 sd: see above
    EXPECT_NEAR(static_cast<double>(n_kept) / n, 1.0 - p, 5.0 * sd) << "p = " << p;
  }
}

TEST_P(ElementwiseTest, DropoutMaskChangesWithStepAndSeed) {
  const std::int64_t n = 10000;
  const float p = 0.5f;
  const Floats x(n, 1.0f);
  auto mask = [&](std::uint64_t seed, std::uint64_t step) {
    Tensor x_t = up(x), out = garbage(n);
    GNNREC_DISPATCH(device(), dropout_forward, n, p, seed, step, ptr(x_t), ptr(out));
    return down(out);
  };
  const Floats base = mask(5, 1);
  EXPECT_EQ(mask(5, 1), base);  // same counter: same mask
  for (const Floats& other : {mask(5, 2), mask(6, 1)}) {
    // Independent masks at p = 0.5 agree on half the elements (sd 0.005).
    std::int64_t n_same = 0;
    for (std::int64_t i = 0; i < n; ++i) n_same += (other[i] != 0) == (base[i] != 0);
    EXPECT_NEAR(static_cast<double>(n_same) / n, 0.5, 0.025);
  }
}

TEST_P(ElementwiseTest, DropoutBackwardUsesTheForwardMask) {
  for_each_shape([&](std::int64_t rows, std::int64_t width) {
    const std::int64_t n = rows * width;
    const float p = 0.25f;
    const std::uint64_t seed = 42, step = 1000 + n;
    const Floats x = random_floats(n, 20 + n), dout = random_floats(n, 21 + n),
                 dx0 = random_floats(n, 22 + n);
    Floats out_ref(n), dx_ref = dx0;
    dropout_forward<Cpu>(n, p, seed, step, x.data(), out_ref.data());
    dropout_backward<Cpu>(n, p, seed, step, dout.data(), dx_ref.data());
    const float keep_scale = 1.0f / (1.0f - p);
    for (std::int64_t i = 0; i < n; ++i) {
      // Kept in forward (out != 0 since x != 0) <=> gradient flows, scaled the same way.
      const float expected = out_ref[i] != 0.0f ? dx0[i] + dout[i] * keep_scale : dx0[i];
      ASSERT_EQ(dx_ref[i], expected) << "element " << i;
    }
    Tensor x_t = up(x), out = garbage(n), dout_t = up(dout), dx = up(dx0);
    GNNREC_DISPATCH(device(), dropout_forward, n, p, seed, step, ptr(x_t), ptr(out));
    GNNREC_DISPATCH(device(), dropout_backward, n, p, seed, step, ptr(dout_t), ptr(dx));
    EXPECT_EQ(down(out), out_ref);
    EXPECT_EQ(down(dx), dx_ref);
  });
}

// ---- row_dot -------------------------------------------------------------------

TEST_P(ElementwiseTest, RowDot) {
  {  // [1, 2] . [5, 6] = 17;  [3, 4] . [7, 8] = 53
    Tensor a = up({1, 2, 3, 4}), b = up({5, 6, 7, 8}), out = garbage(2);
    GNNREC_DISPATCH(device(), row_dot, 2, 2, ptr(a), ptr(b), ptr(out));
    EXPECT_EQ(down(out), (Floats{17, 53}));
  }
  for_each_shape([&](std::int64_t rows, std::int64_t dim) {
    const Floats a = random_floats(rows * dim, 23 + rows * dim),
                 b = random_floats(rows * dim, 24 + rows * dim);
    Floats ref(rows);
    row_dot<Cpu>(rows, dim, a.data(), b.data(), ref.data());
    // Summation bound: dim roundings (products and adds) of terms up to sum |a b|.
    Oracle oracle(rows);
    for (std::int64_t r = 0; r < rows; ++r) {
      double dot = 0.0, abs_dot = 0.0;
      for (std::int64_t c = 0; c < dim; ++c) {
        dot += static_cast<double>(a[r * dim + c]) * b[r * dim + c];
        abs_dot += std::fabs(static_cast<double>(a[r * dim + c]) * b[r * dim + c]);
      }
      oracle.exact[r] = dot;
      oracle.bound[r] = (dim + 1) * kEps * abs_dot;
    }
    EXPECT_TRUE(within(ref, oracle));
    Tensor a_t = up(a), b_t = up(b), out = garbage(rows);
    GNNREC_DISPATCH(device(), row_dot, rows, dim, ptr(a_t), ptr(b_t), ptr(out));
    EXPECT_TRUE(within(down(out), oracle));  // another order, the same bound
  });
}

TEST_P(ElementwiseTest, RowDotBackward) {
  {  // a = [[1, 2], [3, 4]], b = [[5, 6], [7, 8]], dout = [1, 2]:
     // da += dout[r] * b[r] = [[5, 6], [14, 16]];  db += dout[r] * a[r] = [[1, 2], [6, 8]]
    Tensor dout = up({1, 2}), a = up({1, 2, 3, 4}), b = up({5, 6, 7, 8});
    Tensor da = up({0, 0, 0, 0}), db = up({1, 1, 1, 1});
    GNNREC_DISPATCH(device(), row_dot_backward, 2, 2, ptr(dout), ptr(a), ptr(b), 1.0f, ptr(da),
                    1.0f, ptr(db));
    EXPECT_EQ(down(da), (Floats{5, 6, 14, 16}));
    EXPECT_EQ(down(db), (Floats{2, 3, 7, 9}));
    GNNREC_DISPATCH(device(), row_dot_backward, 2, 2, ptr(dout), ptr(a), ptr(b), 1.0f, ptr(da),
                    1.0f, nullptr);
    EXPECT_EQ(down(da), (Floats{10, 12, 28, 32}));
    // beta 0 for da writes it over NaN; db (beta 1) still adds.
    Tensor first = up({kNan, kNan, kNan, kNan});
    GNNREC_DISPATCH(device(), row_dot_backward, 2, 2, ptr(dout), ptr(a), ptr(b), 0.0f, ptr(first),
                    1.0f, ptr(db));
    EXPECT_EQ(down(first), (Floats{5, 6, 14, 16}));
    EXPECT_EQ(down(db), (Floats{3, 5, 13, 17}));
    // row_dot(x, x): one buffer as da (beta 0) and db (beta 1) gets 2 dout[r] x[r].
    Tensor x = up({1, 2, 3, 4}), dx = up({kNan, kNan, kNan, kNan});
    GNNREC_DISPATCH(device(), row_dot_backward, 2, 2, ptr(dout), ptr(x), ptr(x), 0.0f, ptr(dx),
                    1.0f, ptr(dx));
    EXPECT_EQ(down(dx), (Floats{2, 4, 12, 16}));
  }
  for_each_shape([&](std::int64_t rows, std::int64_t dim) {
    const std::int64_t n = rows * dim;
    const Floats dout = random_floats(rows, 25 + n), a = random_floats(n, 26 + n),
                 b = random_floats(n, 27 + n), da0 = random_floats(n, 28 + n),
                 db0 = random_floats(n, 29 + n);
    Floats da_ref = da0, db_ref = db0;
    row_dot_backward<Cpu>(rows, dim, dout.data(), a.data(), b.data(), 1.0f, da_ref.data(), 1.0f,
                          db_ref.data());
    Oracle da_oracle(n), db_oracle(n);  // two roundings each: product, sum
    for (std::int64_t r = 0; r < rows; ++r) {
      for (std::int64_t c = 0; c < dim; ++c) {
        const std::int64_t i = r * dim + c;
        const double pa = static_cast<double>(dout[r]) * b[i],
                     pb = static_cast<double>(dout[r]) * a[i];
        set_accumulate_oracle(da_oracle, static_cast<std::size_t>(i), da0[i], pa);
        set_accumulate_oracle(db_oracle, static_cast<std::size_t>(i), db0[i], pb);
      }
    }
    EXPECT_TRUE(within(da_ref, da_oracle));
    EXPECT_TRUE(within(db_ref, db_oracle));
    Tensor dout_t = up(dout), a_t = up(a), b_t = up(b), da = up(da0), db = up(db0);
    GNNREC_DISPATCH(device(), row_dot_backward, rows, dim, ptr(dout_t), ptr(a_t), ptr(b_t), 1.0f,
                    ptr(da), 1.0f, ptr(db));
    EXPECT_EQ(down(da), da_ref);  // a map on both devices: the same bits
    EXPECT_EQ(down(db), db_ref);
    // beta 0 on both: the products alone, over garbage.
    Tensor da_first = garbage(n), db_first = garbage(n);
    GNNREC_DISPATCH(device(), row_dot_backward, rows, dim, ptr(dout_t), ptr(a_t), ptr(b_t), 0.0f,
                    ptr(da_first), 0.0f, ptr(db_first));
    const Floats da_first_host = down(da_first), db_first_host = down(db_first);
    for (std::int64_t i = 0; i < n; ++i) {
      ASSERT_EQ(da_first_host[i], dout[i / dim] * b[i]) << "element " << i;
      ASSERT_EQ(db_first_host[i], dout[i / dim] * a[i]) << "element " << i;
    }
  });
}

// ---- weighted_sum ----------------------------------------------------------------

TEST_P(ElementwiseTest, WeightedSum) {
  {  // 0.5 [1, 2] + 0.25 [10, 20] + 2 [100, 200] = [203, 406]
    Tensor x0 = up({1, 2}), x1 = up({10, 20}), x2 = up({100, 200}), out = garbage(2);
    WeightedInputs inputs{{ptr(x0), ptr(x1), ptr(x2)}, {0.5f, 0.25f, 2.0f}, 3};
    GNNREC_DISPATCH(device(), weighted_sum, 2, inputs, ptr(out));
    EXPECT_EQ(down(out), (Floats{203, 406}));
  }
  for_each_shape([&](std::int64_t rows, std::int64_t width) {
    const std::int64_t n = rows * width;
    const int count = 4;  // LightGCN with 3 layers: 4 inputs of weight 1/4
    const float weights[count] = {0.25f, 0.3f, -0.7f, 1.5f};
    std::vector<Floats> xs;
    for (int k = 0; k < count; ++k) xs.push_back(random_floats(n, 30 + 10 * k + n));
    WeightedInputs host_inputs{};
    host_inputs.count = count;
    for (int k = 0; k < count; ++k) {
      host_inputs.x[k] = xs[k].data();
      host_inputs.weight[k] = weights[k];
    }
    Floats ref(n);
    weighted_sum<Cpu>(n, host_inputs, ref.data());
    // 2 * count roundings (count products, count adds) of terms up to sum |w x|.
    Oracle oracle(n);
    for (std::int64_t i = 0; i < n; ++i) {
      double total = 0.0, abs_total = 0.0;
      for (int k = 0; k < count; ++k) {
        total += static_cast<double>(weights[k]) * xs[k][i];
        abs_total += std::fabs(static_cast<double>(weights[k]) * xs[k][i]);
      }
      oracle.exact[i] = total;
      oracle.bound[i] = 2 * count * kEps * abs_total;
    }
    EXPECT_TRUE(within(ref, oracle));
    std::vector<Tensor> xs_t;
    WeightedInputs device_inputs = host_inputs;
    for (int k = 0; k < count; ++k) {
      xs_t.push_back(up(xs[k]));
      device_inputs.x[k] = ptr(xs_t.back());
    }
    Tensor out = garbage(n);
    GNNREC_DISPATCH(device(), weighted_sum, n, device_inputs, ptr(out));
    EXPECT_EQ(down(out), ref);  // same order of products and adds: the same bits
  });
}

// ---- row_l2_normalize --------------------------------------------------------------

TEST_P(ElementwiseTest, RowL2Normalize) {
  {  // eps = 0.5: [3, 4] / 5 = [0.6, 0.8];  [0, 0] / max(0, 0.5) = [0, 0];
     // [0.1, 0] has norm 0.1 < eps: [0.1, 0] / 0.5 = [0.2, 0].
    Tensor x = up({3, 4, 0, 0, 0.1f, 0}), y = garbage(6);
    GNNREC_DISPATCH(device(), row_l2_normalize, 3, 2, 0.5f, ptr(x), ptr(y));
    EXPECT_ALL_CLOSE(down(y), (Floats{0.6f, 0.8f, 0, 0, 0.2f, 0}), 1e-7f, 0.0f);  // 1 ulp
  }
  for_each_shape([&](std::int64_t rows, std::int64_t dim) {
    const float eps = 1e-12f;
    const Floats x = random_floats(rows * dim, 40 + rows * dim);
    Floats ref(rows * dim);
    row_l2_normalize<Cpu>(rows, dim, eps, x.data(), ref.data());
    // Sum of squares: relative error <= dim eps; sqrt halves it and adds 1
    // eps; the division 1 more: |y - exact| <= (dim / 2 + 2) eps |y|.
    Oracle oracle(rows * dim);
    for (std::int64_t r = 0; r < rows; ++r) {
      double sum_sq = 0.0;
      for (std::int64_t c = 0; c < dim; ++c)
        sum_sq += static_cast<double>(x[r * dim + c]) * x[r * dim + c];
      const double norm = std::max(std::sqrt(sum_sq), static_cast<double>(eps));
      for (std::int64_t c = 0; c < dim; ++c) {
        oracle.exact[r * dim + c] = x[r * dim + c] / norm;
        oracle.bound[r * dim + c] = (dim / 2.0 + 2.0) * kEps * std::fabs(oracle.exact[r * dim + c]);
      }
    }
    EXPECT_TRUE(within(ref, oracle));
    Tensor x_t = up(x), y = garbage(rows * dim);
    GNNREC_DISPATCH(device(), row_l2_normalize, rows, dim, eps, ptr(x_t), ptr(y));
    EXPECT_TRUE(within(down(y), oracle));  // another summation order, the same bound
  });
}

// The exact row_l2_normalize backward in double, and a bound on a float
// computation of it: the dot y . dy carries dim eps sum |y dy|; the
// difference dy - y (y . dy), the division and the norm a few eps more of
// (|dy| + |y| sum |y dy|) / norm.
Oracle l2_normalize_backward_oracle(std::int64_t rows, std::int64_t dim, float eps, const Floats& x,
                                    const Floats& y, const Floats& dy, const Floats& dx0) {
  Oracle oracle(rows * dim);
  for (std::int64_t r = 0; r < rows; ++r) {
    double sum_sq = 0.0, y_dot_dy = 0.0, abs_y_dot_dy = 0.0;
    for (std::int64_t c = 0; c < dim; ++c) {
      const std::int64_t i = r * dim + c;
      sum_sq += static_cast<double>(x[i]) * x[i];
      y_dot_dy += static_cast<double>(y[i]) * dy[i];
      abs_y_dot_dy += std::fabs(static_cast<double>(y[i]) * dy[i]);
    }
    const double norm = std::sqrt(sum_sq);
    for (std::int64_t c = 0; c < dim; ++c) {
      const std::int64_t i = r * dim + c;
      double grad, scale;
      if (norm > eps) {
        grad = (dy[i] - y[i] * y_dot_dy) / norm;
        scale = (std::fabs(dy[i]) + std::fabs(y[i]) * abs_y_dot_dy) / norm;
      } else {
        grad = dy[i] / eps;
        scale = std::fabs(grad);
      }
      oracle.exact[i] = dx0[i] + grad;
      oracle.bound[i] = (dim + 6.0) * kEps * scale + kEps * std::fabs(oracle.exact[i]);
    }
  }
  return oracle;
}

TEST_P(ElementwiseTest, RowL2NormalizeBackward) {
  {  // eps = 0.5. Row 0: x = [3, 4], y = [0.6, 0.8], dy = [1, 0]: y . dy = 0.6,
     //   dx = ([1, 0] - 0.6 [0.6, 0.8]) / 5 = [0.128, -0.096].
     // Row 1: x = [0, 0] (norm <= eps), dy = [1, -2]: dx = dy / 0.5 = [2, -4].
     // Both added to dx = 1.
    Tensor x = up({3, 4, 0, 0}), y = up({0.6f, 0.8f, 0, 0}), dy = up({1, 0, 1, -2});
    Tensor dx = up({1, 1, 1, 1});
    GNNREC_DISPATCH(device(), row_l2_normalize_backward, 2, 2, 0.5f, ptr(x), ptr(y), ptr(dy),
                    ptr(dx));
    EXPECT_ALL_CLOSE(down(dx), (Floats{1.128f, 0.904f, 3, -3}), 3e-7f, 0.0f);  // a few ulp
  }
  for_each_shape([&](std::int64_t rows, std::int64_t dim) {
    const float eps = 1e-12f;
    const std::int64_t n = rows * dim;
    const Floats x = random_floats(n, 50 + n), dy = random_floats(n, 51 + n),
                 dx0 = random_floats(n, 52 + n);
    Floats y(n);
    row_l2_normalize<Cpu>(rows, dim, eps, x.data(), y.data());
    Floats ref = dx0;
    row_l2_normalize_backward<Cpu>(rows, dim, eps, x.data(), y.data(), dy.data(), ref.data());
    const Oracle oracle = l2_normalize_backward_oracle(rows, dim, eps, x, y, dy, dx0);
    EXPECT_TRUE(within(ref, oracle));
    Tensor x_t = up(x), y_t = up(y), dy_t = up(dy), dx = up(dx0);
    GNNREC_DISPATCH(device(), row_l2_normalize_backward, rows, dim, eps, ptr(x_t), ptr(y_t),
                    ptr(dy_t), ptr(dx));
    EXPECT_TRUE(within(down(dx), oracle));  // another summation order, the same bound
  });
}

// The backward formula against central differences of the forward (CPU):
// L(x) = sum_i w_i y_i(x), so dL/dx = row_l2_normalize_backward(dy = w).
// Step 1e-3 on the float grid; the forward's rounding (~1e-7 per term, 7
// terms) over 2h gives ~5e-4, the truncation h^2 |y'''| less; tolerance 2e-3.
// Covers both branches: ordinary rows and a row with norm below eps.
TEST(ElementwiseGradCheck, RowL2NormalizeMatchesFiniteDifferences) {
  const std::int64_t rows = 5, dim = 7;
  const float eps = 0.05f;
  Floats x = random_floats(rows * dim, 60, 0.2f, 1.0f);
  for (std::int64_t c = 0; c < dim; ++c) x[4 * dim + c] = 0.001f * (c + 1);  // norm 0.0118 < eps
  const Floats w = random_floats(rows * dim, 61);
  Floats y(rows * dim), dx(rows * dim, 0.0f);
  row_l2_normalize<Cpu>(rows, dim, eps, x.data(), y.data());
  row_l2_normalize_backward<Cpu>(rows, dim, eps, x.data(), y.data(), w.data(), dx.data());
  auto loss = [&](const Floats& xx) {
    Floats yy(rows * dim);
    row_l2_normalize<Cpu>(rows, dim, eps, xx.data(), yy.data());
    double total = 0.0;
    for (std::int64_t i = 0; i < rows * dim; ++i) total += static_cast<double>(w[i]) * yy[i];
    return total;
  };
  for (std::int64_t i = 0; i < rows * dim; ++i) {
    Floats plus = x, minus = x;
    plus[i] = static_cast<float>(x[i] + 1e-3);
    minus[i] = static_cast<float>(x[i] - 1e-3);
    if (i >= 4 * dim) {  // stay below eps in the small row
      plus[i] = static_cast<float>(x[i] + 1e-4);
      minus[i] = static_cast<float>(x[i] - 1e-4);
    }
    const double slope = (loss(plus) - loss(minus)) / (static_cast<double>(plus[i]) - minus[i]);
    EXPECT_NEAR(dx[i], slope, 2e-3 * std::max(1.0, std::fabs(slope))) << "element " << i;
  }
}

}  // namespace
}  // namespace gnnrec
