// gemm (kernels/gemm.h) on both backends: a hand-computed product, every
// transpose combination, ragged random shapes against a double-precision
// triple loop, beta = 0 over NaN, and beta = 1 accumulation.
#include <cfloat>
#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

#include <omp.h>

#include "kernels/gemm.h"
#include "tests/test_util.h"

namespace gnnrec {
namespace {

using testing::random_floats;

class GemmTest : public testing::DeviceTest {
 protected:
  // Runs gemm on the fixture's device and returns C.
  std::vector<float> run(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
                         float alpha, const std::vector<float>& a, const std::vector<float>& b,
                         float beta, const std::vector<float>& c) {
    Tensor a_t = Tensor::from_vector(a, {static_cast<std::int64_t>(a.size())}, device());
    Tensor b_t = Tensor::from_vector(b, {static_cast<std::int64_t>(b.size())}, device());
    Tensor c_t = Tensor::from_vector(c, {static_cast<std::int64_t>(c.size())}, device());
    GNNREC_DISPATCH(device(), gemm, trans_a, trans_b, m, n, k, alpha, a_t.data<float>(),
                    b_t.data<float>(), beta, c_t.data<float>());
    return c_t.to_vector<float>();
  }
};

// The reference, in double: ref = alpha * op(A)·op(B) + beta * C, and for
// each element the magnitude |alpha| * sum_k |op(A)_ik op(B)_kj| + |beta C_ij|
// that bounds its rounding error.
struct Reference {
  std::vector<double> value;
  std::vector<double> magnitude;
};

Reference reference_gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
                         float alpha, const std::vector<float>& a, const std::vector<float>& b,
                         float beta, const std::vector<float>& c) {
  Reference ref{std::vector<double>(m * n), std::vector<double>(m * n)};
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      double sum = 0.0, sum_abs = 0.0;
      for (std::int64_t kk = 0; kk < k; ++kk) {
        const double a_ik = trans_a ? a[kk * m + i] : a[i * k + kk];
        const double b_kj = trans_b ? b[j * k + kk] : b[kk * n + j];
        sum += a_ik * b_kj;
        sum_abs += std::fabs(a_ik * b_kj);
      }
      double value = alpha * sum, magnitude = std::fabs(alpha) * sum_abs;
      if (beta != 0.0f) {
        value += beta * static_cast<double>(c[i * n + j]);
        magnitude += std::fabs(beta * static_cast<double>(c[i * n + j]));
      }
      ref.value[i * n + j] = value;
      ref.magnitude[i * n + j] = magnitude;
    }
  }
  return ref;
}

// Tolerance: a float sum of k products, added in any order (cuBLAS splits
// and reorders k; the CPU may sum in SIMD lanes), then scaled and added to
// beta*C, is off from the exact value by at most about (k + 2) * u * magnitude
// with u = 2^-24 (Higham, Accuracy and Stability, eq. 3.5). We allow twice
// that (FLT_EPSILON = 2u), plus 1e-30 so exact zeros compare.
::testing::AssertionResult close_to_reference(const std::vector<float>& got, const Reference& ref,
                                              std::int64_t k) {
  std::int64_t n_bad = 0;
  std::ostringstream first;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double tol = (k + 2) * static_cast<double>(FLT_EPSILON) * ref.magnitude[i] + 1e-30;
    const double err = std::fabs(static_cast<double>(got[i]) - ref.value[i]);
    if (!(err <= tol)) {
      if (n_bad < 5) {
        first << "\n  [" << i << "] got " << got[i] << ", reference " << ref.value[i] << ", error "
              << err << " > tolerance " << tol;
      }
      ++n_bad;
    }
  }
  if (n_bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << n_bad << " of " << got.size() << " elements off the double reference:" << first.str();
}

// Row-major (rows x cols) -> its transpose (cols x rows).
std::vector<float> transposed(const std::vector<float>& x, std::int64_t rows, std::int64_t cols) {
  std::vector<float> t(x.size());
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < cols; ++c) t[c * rows + r] = x[r * cols + c];
  }
  return t;
}

TEST_P(GemmTest, HandComputed2x3Times3x2) {
  // [1 2 3]   [ 7  8]   [ 58  64]
  // [4 5 6] · [ 9 10] = [139 154]
  //           [11 12]
  const std::vector<float> a = {1, 2, 3, 4, 5, 6}, b = {7, 8, 9, 10, 11, 12};
  const std::vector<float> c(4, 0.0f);
  const std::vector<float> expected = {58, 64, 139, 154};  // small integers: exact in any order
  EXPECT_EQ(run(false, false, 2, 2, 3, 1.0f, a, b, 0.0f, c), expected);
  // alpha = 0.5 and beta = 2 over C = [1 2; 3 4]: 0.5 * AB + 2 * C.
  const std::vector<float> c2 = {1, 2, 3, 4};
  const std::vector<float> expected2 = {31, 36, 75.5f, 85};
  EXPECT_EQ(run(false, false, 2, 2, 3, 0.5f, a, b, 2.0f, c2), expected2);
}

TEST_P(GemmTest, AllTransposeCombinationsOfTheHandCase) {
  const std::vector<float> a = {1, 2, 3, 4, 5, 6}, b = {7, 8, 9, 10, 11, 12};
  const std::vector<float> a_t = transposed(a, 2, 3), b_t = transposed(b, 3, 2);
  const std::vector<float> c(4, 0.0f);
  const std::vector<float> expected = {58, 64, 139, 154};
  EXPECT_EQ(run(false, false, 2, 2, 3, 1.0f, a, b, 0.0f, c), expected);
  EXPECT_EQ(run(true, false, 2, 2, 3, 1.0f, a_t, b, 0.0f, c), expected);
  EXPECT_EQ(run(false, true, 2, 2, 3, 1.0f, a, b_t, 0.0f, c), expected);
  EXPECT_EQ(run(true, true, 2, 2, 3, 1.0f, a_t, b_t, 0.0f, c), expected);
}

TEST_P(GemmTest, RandomRaggedShapesMatchDoubleReference) {
  const std::vector<std::int64_t> sizes = {1, 17, 31, 64, 100};
  std::uint64_t seed = 1;
  for (std::int64_t m : sizes) {
    for (std::int64_t n : sizes) {
      for (std::int64_t k : sizes) {
        for (int trans = 0; trans < 4; ++trans) {
          const bool trans_a = trans & 1, trans_b = trans & 2;
          SCOPED_TRACE(::testing::Message() << "m=" << m << " n=" << n << " k=" << k
                                            << " trans_a=" << trans_a << " trans_b=" << trans_b);
          const std::vector<float> a = random_floats(m * k, seed++);
          const std::vector<float> b = random_floats(k * n, seed++);
          const std::vector<float> c(m * n, 0.0f);
          const float alpha = 0.75f;
          const std::vector<float> got = run(trans_a, trans_b, m, n, k, alpha, a, b, 0.0f, c);
          EXPECT_TRUE(close_to_reference(
              got, reference_gemm(trans_a, trans_b, m, n, k, alpha, a, b, 0.0f, c), k));
        }
      }
    }
  }
}

// Shapes that reach every path of the CPU kernel: many row chunks of a
// weight gradient (trans_a, small C, k > 1024: chunks of 1024 rows in
// passes of 64, ragged), a trans_a product with a
// large C (A transposed first), and column blocks of a wide C (n > 512).
TEST_P(GemmTest, LargeRaggedShapesMatchDoubleReference) {
  struct Shape3 {
    std::int64_t m, n, k;
    bool trans_a, trans_b;
  };
  std::uint64_t seed = 500;
  for (const Shape3& s : {Shape3{3, 5, 1037, true, false}, Shape3{64, 64, 2049, true, false},
                          Shape3{300, 301, 7, true, false}, Shape3{5, 1300, 64, false, true},
                          Shape3{33, 1029, 65, true, true}}) {
    SCOPED_TRACE(::testing::Message() << "m=" << s.m << " n=" << s.n << " k=" << s.k
                                      << " trans_a=" << s.trans_a << " trans_b=" << s.trans_b);
    const std::vector<float> a = random_floats(s.m * s.k, seed++);
    const std::vector<float> b = random_floats(s.k * s.n, seed++);
    const std::vector<float> c = random_floats(s.m * s.n, seed++);
    const std::vector<float> got = run(s.trans_a, s.trans_b, s.m, s.n, s.k, 0.5f, a, b, 1.0f, c);
    EXPECT_TRUE(close_to_reference(
        got, reference_gemm(s.trans_a, s.trans_b, s.m, s.n, s.k, 0.5f, a, b, 1.0f, c), s.k));
  }
}

// The CPU result does not depend on the number of threads (issue 8: runs
// with --threads 1 and 2 agree), including the chunked weight gradient.
// Cases: the chunked weight gradient (Aᵀ·B, small C), and ragged tiled
// products with and without transposes.
TEST(GemmCpu, SameBitsWithOneOrTwoThreads) {
  struct Case {
    bool trans_a, trans_b;
    std::int64_t m, n, k;
  };
  const Case cases[] = {{true, false, 64, 64, 2049},
                        {false, false, 1001, 70, 64},
                        {false, true, 333, 129, 17},
                        {true, false, 301, 250, 45}};
  const int threads = omp_get_max_threads();
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message()
                 << c.trans_a << c.trans_b << " " << c.m << "x" << c.n << "x" << c.k);
    const std::vector<float> a = random_floats(c.m * c.k, 7);
    const std::vector<float> b = random_floats(c.k * c.n, 8);
    std::vector<float> one(c.m * c.n), two(c.m * c.n);
    omp_set_num_threads(1);
    gemm<Cpu>(c.trans_a, c.trans_b, c.m, c.n, c.k, 1.0f, a.data(), b.data(), 0.0f, one.data());
    omp_set_num_threads(2);
    gemm<Cpu>(c.trans_a, c.trans_b, c.m, c.n, c.k, 1.0f, a.data(), b.data(), 0.0f, two.data());
    EXPECT_EQ(one, two);
  }
  omp_set_num_threads(threads);
}

TEST_P(GemmTest, BetaZeroOverwritesNaN) {
  const std::int64_t m = 31, n = 17, k = 64;
  const std::vector<float> c(m * n, std::numeric_limits<float>::quiet_NaN());
  for (int trans = 0; trans < 4; ++trans) {
    const bool trans_a = trans & 1, trans_b = trans & 2;
    SCOPED_TRACE(::testing::Message() << "trans_a=" << trans_a << " trans_b=" << trans_b);
    const std::vector<float> a = random_floats(m * k, 11 + trans);
    const std::vector<float> b = random_floats(k * n, 21 + trans);
    const std::vector<float> got = run(trans_a, trans_b, m, n, k, 1.0f, a, b, 0.0f, c);
    for (float v : got) ASSERT_TRUE(std::isfinite(v)) << "NaN from C leaked through beta = 0";
    EXPECT_TRUE(
        close_to_reference(got, reference_gemm(trans_a, trans_b, m, n, k, 1.0f, a, b, 0.0f, c), k));
  }
}

TEST_P(GemmTest, BetaOneAccumulates) {
  const std::int64_t m = 100, n = 64, k = 31;
  for (int trans = 0; trans < 4; ++trans) {
    const bool trans_a = trans & 1, trans_b = trans & 2;
    SCOPED_TRACE(::testing::Message() << "trans_a=" << trans_a << " trans_b=" << trans_b);
    const std::vector<float> a = random_floats(m * k, 31 + trans);
    const std::vector<float> b = random_floats(k * n, 41 + trans);
    const std::vector<float> c = random_floats(m * n, 51 + trans);
    // Gradient accumulation: C += -0.5 * op(A)·op(B).
    const std::vector<float> got = run(trans_a, trans_b, m, n, k, -0.5f, a, b, 1.0f, c);
    EXPECT_TRUE(close_to_reference(
        got, reference_gemm(trans_a, trans_b, m, n, k, -0.5f, a, b, 1.0f, c), k));
    // Twice in a row adds the product twice.
    const std::vector<float> twice = run(trans_a, trans_b, m, n, k, -0.5f, a, b, 1.0f, got);
    EXPECT_TRUE(close_to_reference(
        twice, reference_gemm(trans_a, trans_b, m, n, k, -0.5f, a, b, 1.0f, got), k));
  }
}

GNNREC_INSTANTIATE_DEVICE_TESTS(GemmTest);

}  // namespace
}  // namespace gnnrec
