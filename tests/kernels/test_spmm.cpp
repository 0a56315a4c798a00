// spmm_csr (kernels/spmm.h) on both backends: a hand-computed 3x3 case,
// random CSR graphs (empty rows, one long row) against a double loop, the
// CUDA warp-per-row kernel bit-equal to the CPU, cuSPARSE within tolerance,
// invariance to COO order, the transpose, and the Gowalla graph; spmm_csr_add.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <sstream>
#include <utility>

#include "core/csr.h"
#include "kernels/spmm.h"
#include "tests/test_util.h"

namespace gnnrec {
namespace {

using testing::random_floats;

const SpmmAlgo kAllAlgos[] = {SpmmAlgo::WarpPerRow, SpmmAlgo::CusparseAlg2, SpmmAlgo::CusparseAlg3};
const std::vector<std::int64_t> kDims = {1, 17, 64, 128};

// Y = A·X on `device`, Y pre-filled with NaN to check it is overwritten.
// `csr` and `x` live on the CPU; `values_override` replaces the view's
// values pointer (nullptr: every value is 1).
std::vector<float> run_spmm(Device device, const Csr& csr, const std::vector<float>& x,
                            std::int64_t dim, SpmmAlgo algo, bool all_ones = false) {
  const Csr a = csr.to(device);
  CsrView view = a.view();
  if (all_ones) view.values = nullptr;
  Tensor x_t = Tensor::from_vector(x, {csr.n_cols(), dim}, device);
  Tensor y_t = Tensor::full({csr.n_rows(), dim}, std::numeric_limits<float>::quiet_NaN(), device);
  GNNREC_DISPATCH(device, spmm_csr, view, x_t.data<float>(), dim, y_t.data<float>(), algo);
  return y_t.to_vector<float>();
}

// The reference in double: Y[i, c] = sum_p val[p] * X[col[p], c], and the
// magnitude sum_p |val[p] * X[col[p], c]| and term count that bound the
// float rounding error of any summation order.
struct Reference {
  std::vector<double> value;
  std::vector<double> magnitude;
  std::vector<std::int64_t> n_terms;  // per row
};

Reference reference_spmm(const Csr& csr, const std::vector<float>& x, std::int64_t dim) {
  const std::vector<std::int32_t> row_ptr = csr.row_ptr().to_vector<std::int32_t>();
  const std::vector<std::int32_t> col_idx = csr.col_idx().to_vector<std::int32_t>();
  const std::vector<float> values = csr.values().to_vector<float>();
  Reference ref{std::vector<double>(csr.n_rows() * dim, 0.0),
                std::vector<double>(csr.n_rows() * dim, 0.0),
                std::vector<std::int64_t>(csr.n_rows())};
  for (std::int32_t r = 0; r < csr.n_rows(); ++r) {
    ref.n_terms[r] = row_ptr[r + 1] - row_ptr[r];
    for (std::int32_t p = row_ptr[r]; p < row_ptr[r + 1]; ++p) {
      for (std::int64_t c = 0; c < dim; ++c) {
        const double term = static_cast<double>(values[p]) * x[col_idx[p] * dim + c];
        ref.value[r * dim + c] += term;
        ref.magnitude[r * dim + c] += std::fabs(term);
      }
    }
  }
  return ref;
}

// Tolerance: a float sum of n products in any order is within about
// (n + 1) * u * magnitude of the exact sum, u = 2^-24 (Higham, eq. 3.5; the
// +1 covers rounding each product). We allow twice that (FLT_EPSILON = 2u);
// +1e-30 lets exact zeros (empty rows) compare.
::testing::AssertionResult close_to_reference(const std::vector<float>& got, const Reference& ref,
                                              std::int64_t dim) {
  std::int64_t n_bad = 0;
  std::ostringstream first;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const std::int64_t n_terms = ref.n_terms[i / dim];
    const double tol = (n_terms + 1) * static_cast<double>(FLT_EPSILON) * ref.magnitude[i] + 1e-30;
    const double err = std::fabs(static_cast<double>(got[i]) - ref.value[i]);
    if (!(err <= tol)) {
      if (n_bad < 5) {
        first << "\n  [row " << i / dim << ", col " << i % dim << "] got " << got[i]
              << ", reference " << ref.value[i] << ", error " << err << " > tolerance " << tol;
      }
      ++n_bad;
    }
  }
  if (n_bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << n_bad << " of " << got.size() << " elements off the double reference:" << first.str();
}

// Bit-for-bit equality (so +0 and -0 differ, as do NaNs); prints the first
// differences instead of whole vectors.
::testing::AssertionResult bit_equal(const std::vector<float>& got,
                                     const std::vector<float>& expected) {
  if (got.size() != expected.size()) {
    return ::testing::AssertionFailure()
           << "sizes differ: " << got.size() << " vs " << expected.size();
  }
  std::int64_t n_bad = 0;
  std::ostringstream first;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (std::memcmp(&got[i], &expected[i], sizeof(float)) != 0) {
      if (n_bad < 5) {
        first << "\n  [" << i << "] got " << got[i] << ", expected " << expected[i] << " (diff "
              << got[i] - expected[i] << ")";
      }
      ++n_bad;
    }
  }
  if (n_bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << n_bad << " of " << got.size() << " elements differ in their bits:" << first.str();
}

// Distinct random (row, col) pairs with random values: about 4 per row,
// every 5th row left empty, and row n_rows / 2 much longer than the others
// (min(n_cols, 300) entries: more than 32, so the warp kernel loops over
// several batches of pairs). Returned in random order.
struct Coo {
  std::vector<std::int32_t> rows, cols;
  std::vector<float> values;
};

Coo random_coo(std::int32_t n_rows, std::int32_t n_cols, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::set<std::pair<std::int32_t, std::int32_t>> pairs;
  std::uniform_int_distribution<std::int32_t> pick_col(0, n_cols - 1);
  for (std::int32_t r = 0; r < n_rows; ++r) {
    if (r % 5 == 4) continue;
    for (int e = 0; e < 4; ++e) pairs.insert({r, pick_col(rng)});
  }
  const std::int32_t long_row = n_rows / 2;
  const std::int32_t long_len = std::min<std::int32_t>(n_cols, 300);
  for (std::int32_t e = 0; e < long_len; ++e) pairs.insert({long_row, e});
  Coo coo;
  for (const auto& [r, c] : pairs) {
    coo.rows.push_back(r);
    coo.cols.push_back(c);
  }
  coo.values = random_floats(static_cast<std::int64_t>(coo.rows.size()), seed + 1);
  std::vector<std::size_t> order(coo.rows.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  Coo shuffled;
  for (std::size_t i : order) {
    shuffled.rows.push_back(coo.rows[i]);
    shuffled.cols.push_back(coo.cols[i]);
    shuffled.values.push_back(coo.values[i]);
  }
  return shuffled;
}

Csr csr_of(std::int32_t n_rows, std::int32_t n_cols, const Coo& coo) {
  return Csr::from_coo(n_rows, n_cols, coo.rows, coo.cols, coo.values);
}

class SpmmTest : public testing::DeviceTest {};

TEST(SpmmAlgoName, NamesEveryAlgorithm) {
  EXPECT_STREQ(spmm_algo_name(SpmmAlgo::WarpPerRow), "warp_per_row");
  EXPECT_STREQ(spmm_algo_name(SpmmAlgo::CusparseAlg2), "cusparse_alg2");
  EXPECT_STREQ(spmm_algo_name(SpmmAlgo::CusparseAlg3), "cusparse_alg3");
}

TEST_P(SpmmTest, HandComputed3x3) {
  //     [1 0 2]       [1 2]            [11 14]
  // A = [0 0 0],  X = [3 4],  A·X =    [ 0  0]   (1*[1 2] + 2*[5 6]; 3*[1 2] + 4*[3 4])
  //     [3 4 0]       [5 6]            [15 22]
  const Csr a = Csr::from_arrays(3, 3, {0, 2, 2, 4}, {0, 2, 0, 1}, {1, 2, 3, 4});
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};
  const std::vector<float> expected = {11, 14, 0, 0, 15, 22};
  for (SpmmAlgo algo : kAllAlgos) {
    SCOPED_TRACE(spmm_algo_name(algo));
    EXPECT_EQ(run_spmm(device(), a, x, 2, algo), expected);
  }
  // values == nullptr means every value is 1: [6 8], [0 0], [4 6].
  const std::vector<float> expected_ones = {6, 8, 0, 0, 4, 6};
  EXPECT_EQ(run_spmm(device(), a, x, 2, SpmmAlgo::WarpPerRow, /*all_ones=*/true), expected_ones);
  if (device().is_cuda()) {
    // cuSPARSE needs real values; the refusal must say so.
    try {
      run_spmm(device(), a, x, 2, SpmmAlgo::CusparseAlg2, /*all_ones=*/true);
      ADD_FAILURE() << "cuSPARSE with values == nullptr did not throw";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("values == nullptr"), std::string::npos) << e.what();
    }
  }
}

TEST_P(SpmmTest, RandomGraphsMatchReference) {
  for (std::int64_t n_rows : testing::test_row_counts()) {
    const std::int32_t rows = static_cast<std::int32_t>(n_rows);
    const std::int32_t cols = 2 * rows + 3;  // not square: catches swapped shapes
    const Csr a = csr_of(rows, cols, random_coo(rows, cols, 100 + n_rows));
    for (std::int64_t dim : kDims) {
      SCOPED_TRACE(::testing::Message() << "n_rows=" << n_rows << " dim=" << dim);
      const std::vector<float> x = random_floats(cols * dim, 7 * n_rows + dim);
      const Reference ref = reference_spmm(a, x, dim);
      const std::vector<float> cpu = run_spmm(Device::cpu(), a, x, dim, SpmmAlgo::WarpPerRow);
      EXPECT_TRUE(close_to_reference(cpu, ref, dim));
      for (SpmmAlgo algo : kAllAlgos) {
        SCOPED_TRACE(spmm_algo_name(algo));
        const std::vector<float> got = run_spmm(device(), a, x, dim, algo);
        if (device().is_cpu() || algo == SpmmAlgo::WarpPerRow) {
          // Same sums in the same (CSR) order: the same bits.
          EXPECT_TRUE(bit_equal(got, cpu));
        } else {
          EXPECT_TRUE(close_to_reference(got, ref, dim));
        }
      }
    }
  }
}

// The CPU kernel passes a dim of 32, 64 or 128 to spmm_row as a
// compile-time constant (the row of Y in registers); that path must give
// the bits of the plain body with a run-time dim: the same sums in the same
// order. (33 takes the run-time path in both.)
TEST(SpmmCpu, ConstantWidthsAreThePlainRowBody) {
  const std::int32_t rows = 301, cols = 257;
  const Csr a = csr_of(rows, cols, random_coo(rows, cols, 77));
  for (std::int64_t dim : {32, 33, 64, 128}) {
    SCOPED_TRACE(::testing::Message() << "dim=" << dim);
    const std::vector<float> x = random_floats(cols * dim, 78 + dim);
    std::vector<float> kernel(rows * dim), plain(rows * dim);
    spmm_csr<Cpu>(a.view(), x.data(), dim, kernel.data());
    for (std::int32_t r = 0; r < rows; ++r) {
      spmm_row(a.view(), r, x.data(), dim, plain.data() + r * dim);
    }
    EXPECT_TRUE(bit_equal(kernel, plain));
  }
}

// spmm_csr_add: Y = a_scale·(A·X) + z_scale·Z, against spmm_csr on the CPU
// followed by the same formula per element (the CPU and the warp kernel:
// the same bits; cuSPARSE: within the SpMM tolerance, scaled).
TEST_P(SpmmTest, AddIsTheProductScaledPlusZ) {
  const float a_scale = 0.75f, z_scale = -1.5f;
  for (std::int64_t n_rows : testing::test_row_counts()) {
    const std::int32_t rows = static_cast<std::int32_t>(n_rows);
    const std::int32_t cols = rows + 5;
    const Csr a = csr_of(rows, cols, random_coo(rows, cols, 300 + n_rows));
    for (std::int64_t dim : kDims) {
      SCOPED_TRACE(::testing::Message() << "n_rows=" << n_rows << " dim=" << dim);
      const std::vector<float> x = random_floats(cols * dim, 11 * n_rows + dim);
      const std::vector<float> z = random_floats(rows * dim, 13 * n_rows + dim);
      std::vector<float> want = run_spmm(Device::cpu(), a, x, dim, SpmmAlgo::WarpPerRow);
      for (std::size_t i = 0; i < want.size(); ++i) want[i] = a_scale * want[i] + z_scale * z[i];
      const Csr a_device = a.to(device());
      const Tensor x_t = Tensor::from_vector(x, {cols, dim}, device());
      const Tensor z_t = Tensor::from_vector(z, {rows, dim}, device());
      for (SpmmAlgo algo : kAllAlgos) {
        SCOPED_TRACE(spmm_algo_name(algo));
        Tensor y_t = Tensor::full({rows, dim}, std::numeric_limits<float>::quiet_NaN(), device());
        GNNREC_DISPATCH(device(), spmm_csr_add, a_device.view(), x_t.data<float>(), dim, a_scale,
                        z_t.data<float>(), z_scale, y_t.data<float>(), algo);
        const std::vector<float> got = y_t.to_vector<float>();
        if (device().is_cpu() || algo == SpmmAlgo::WarpPerRow) {
          EXPECT_TRUE(bit_equal(got, want));
        } else {
          EXPECT_TRUE(testing::all_close(got, want, 1e-5, 1e-4));
        }
      }
    }
  }
}

TEST_P(SpmmTest, ShuffledCooGivesTheSameResult) {
  const std::int32_t rows = 1000, cols = 700;
  const Coo coo = random_coo(rows, cols, 5);
  Coo shuffled = coo;
  std::vector<std::size_t> order(coo.rows.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(6));
  for (std::size_t i = 0; i < order.size(); ++i) {
    shuffled.rows[i] = coo.rows[order[i]];
    shuffled.cols[i] = coo.cols[order[i]];
    shuffled.values[i] = coo.values[order[i]];
  }
  const Csr a = csr_of(rows, cols, coo), b = csr_of(rows, cols, shuffled);
  const std::int64_t dim = 17;
  const std::vector<float> x = random_floats(cols * dim, 8);
  for (SpmmAlgo algo : kAllAlgos) {
    SCOPED_TRACE(spmm_algo_name(algo));
    EXPECT_TRUE(
        bit_equal(run_spmm(device(), b, x, dim, algo), run_spmm(device(), a, x, dim, algo)));
  }
}

TEST_P(SpmmTest, TransposeMatchesDenseTransposeProduct) {
  const std::int32_t rows = 31, cols = 45;
  const Csr a = csr_of(rows, cols, random_coo(rows, cols, 9));
  const Csr a_t = a.transpose();  // (cols x rows)
  // Dense A, then Aᵀ·X (X is rows x dim) by brute force in double.
  std::vector<double> dense(static_cast<std::size_t>(rows) * cols, 0.0);
  const std::vector<std::int32_t> row_ptr = a.row_ptr().to_vector<std::int32_t>();
  const std::vector<std::int32_t> col_idx = a.col_idx().to_vector<std::int32_t>();
  const std::vector<float> values = a.values().to_vector<float>();
  for (std::int32_t r = 0; r < rows; ++r) {
    for (std::int32_t p = row_ptr[r]; p < row_ptr[r + 1]; ++p) {
      dense[r * cols + col_idx[p]] = values[p];
    }
  }
  for (std::int64_t dim : kDims) {
    SCOPED_TRACE(::testing::Message() << "dim=" << dim);
    const std::vector<float> x = random_floats(rows * dim, 10 + dim);
    const std::vector<std::int32_t> col_degrees = a.col_degrees();  // terms per row of Aᵀ
    Reference ref{std::vector<double>(cols * dim, 0.0), std::vector<double>(cols * dim, 0.0),
                  std::vector<std::int64_t>(col_degrees.begin(), col_degrees.end())};
    for (std::int32_t c = 0; c < cols; ++c) {
      for (std::int32_t r = 0; r < rows; ++r) {
        for (std::int64_t j = 0; j < dim; ++j) {
          const double term = dense[r * cols + c] * x[r * dim + j];
          ref.value[c * dim + j] += term;
          ref.magnitude[c * dim + j] += std::fabs(term);
        }
      }
    }
    for (SpmmAlgo algo : kAllAlgos) {
      SCOPED_TRACE(spmm_algo_name(algo));
      EXPECT_TRUE(close_to_reference(run_spmm(device(), a_t, x, dim, algo), ref, dim));
    }
  }
}

// Gowalla (LightGCN's split): each line is `user item item ...`. Returns the
// symmetric normalized bipartite adjacency D^-1/2 A D^-1/2 over
// n_users + n_items nodes (users first), or an empty Csr when absent.
Csr load_gowalla_adjacency(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::int32_t> users, items;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::int32_t user = 0, item = 0;
    if (!(fields >> user)) continue;
    while (fields >> item) {
      users.push_back(user);
      items.push_back(item);
    }
  }
  const std::int32_t n_users = *std::max_element(users.begin(), users.end()) + 1;
  const std::int32_t n_items = *std::max_element(items.begin(), items.end()) + 1;
  const std::int32_t n_nodes = n_users + n_items;
  std::vector<std::int32_t> rows, cols;
  rows.reserve(2 * users.size());
  cols.reserve(2 * users.size());
  for (std::size_t e = 0; e < users.size(); ++e) {
    rows.push_back(users[e]);
    cols.push_back(n_users + items[e]);
    rows.push_back(n_users + items[e]);
    cols.push_back(users[e]);
  }
  return Csr::from_coo(n_nodes, n_nodes, rows, cols).symmetric_normalized();
}

TEST_P(SpmmTest, GowallaNormalizedAdjacency) {
  const std::string path = testing::shared_dataset_path("gowalla/train.txt");
  if (path.empty()) GTEST_SKIP() << "gowalla/train.txt not found under shared/datasets";
  static const Csr a = load_gowalla_adjacency(path);  // parsed once for both backends
  ASSERT_EQ(a.n_rows(), 29858 + 40981);
  ASSERT_EQ(a.nnz(), 2 * 810128);
  const std::int64_t dim = 64;
  const std::vector<float> x = random_floats(a.n_cols() * dim, 64);
  const std::vector<float> cpu = run_spmm(Device::cpu(), a, x, dim, SpmmAlgo::WarpPerRow);
  if (device().is_cpu()) {
    EXPECT_TRUE(close_to_reference(cpu, reference_spmm(a, x, dim), dim));
    return;
  }
  EXPECT_TRUE(bit_equal(run_spmm(device(), a, x, dim, SpmmAlgo::WarpPerRow), cpu));
  const Reference ref = reference_spmm(a, x, dim);
  for (SpmmAlgo algo : {SpmmAlgo::CusparseAlg2, SpmmAlgo::CusparseAlg3}) {
    SCOPED_TRACE(spmm_algo_name(algo));
    EXPECT_TRUE(close_to_reference(run_spmm(device(), a, x, dim, algo), ref, dim));
  }
}

GNNREC_INSTANTIATE_DEVICE_TESTS(SpmmTest);

}  // namespace
}  // namespace gnnrec
