// Tests of kernels/embedding.h: gather_rows and scatter_add_rows on every
// device.
//
// gather_rows copies floats, so every comparison is exact. scatter_add_rows
// on the CPU adds in index order: it must equal a serial float loop bit for
// bit, for any OpenMP thread count. On the GPU, atomicAdd adds repeated rows
// in any order; a table element that receives k adds then differs from the
// reference by at most about k * eps * (|dtable| + sum |dout|) (float
// summation bound), which is the tolerance.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/embedding.h"
#include "tests/test_util.h"

namespace gnnrec {
namespace {

using testing::random_floats;
using testing::random_ints;
using Floats = std::vector<float>;
using Indices = std::vector<std::int32_t>;

constexpr double kEps = 1.0 / 16777216.0;  // 2^-24

class EmbeddingTest : public testing::DeviceTest {
 protected:
  Floats gather(std::int64_t dim, const Floats& table, const Indices& idx) {
    const auto n_idx = static_cast<std::int64_t>(idx.size());
    const auto n_table = static_cast<std::int64_t>(table.size()) / dim;
    Tensor table_t = Tensor::from_vector(table, {n_table, dim}, device());
    Tensor idx_t = Tensor::from_vector(idx, {n_idx}, device());
    Tensor out = Tensor::full({n_idx, dim}, -1.0f, device());
    GNNREC_DISPATCH(device(), gather_rows, n_idx, dim, table_t.data<float>(),
                    idx_t.data<std::int32_t>(), out.data<float>());
    return out.to_vector<float>();
  }

  Floats scatter_add(std::int64_t dim, const Floats& dout, const Indices& idx,
                     const Floats& dtable0) {
    const auto n_idx = static_cast<std::int64_t>(idx.size());
    const auto n_table = static_cast<std::int64_t>(dtable0.size()) / dim;
    Tensor dout_t = Tensor::from_vector(dout, {n_idx, dim}, device());
    Tensor idx_t = Tensor::from_vector(idx, {n_idx}, device());
    Tensor dtable = Tensor::from_vector(dtable0, {n_table, dim}, device());
    GNNREC_DISPATCH(device(), scatter_add_rows, n_idx, dim, dout_t.data<float>(),
                    idx_t.data<std::int32_t>(), dtable.data<float>());
    return dtable.to_vector<float>();
  }
};
GNNREC_INSTANTIATE_DEVICE_TESTS(EmbeddingTest);

// The serial loop of the header's formula, in index order, in float.
Floats serial_scatter_add(std::int64_t dim, const Floats& dout, const Indices& idx, Floats dtable) {
  for (std::size_t i = 0; i < idx.size(); ++i) {
    for (std::int64_t c = 0; c < dim; ++c) dtable[idx[i] * dim + c] += dout[i * dim + c];
  }
  return dtable;
}

// The largest k * eps * (|dtable0| + sum |dout|) over the table's elements,
// where k counts the adds into that element (plus one for the final rounding).
float atomic_order_tolerance(std::int64_t dim, const Floats& dout, const Indices& idx,
                             const Floats& dtable0) {
  std::vector<double> abs_total(dtable0.size());
  std::vector<double> adds(dtable0.size(), 1.0);
  for (std::size_t e = 0; e < dtable0.size(); ++e) abs_total[e] = std::fabs(dtable0[e]);
  for (std::size_t i = 0; i < idx.size(); ++i) {
    for (std::int64_t c = 0; c < dim; ++c) {
      abs_total[idx[i] * dim + c] += std::fabs(dout[i * dim + c]);
      adds[idx[i] * dim + c] += 1.0;
    }
  }
  double worst = 0.0;
  for (std::size_t e = 0; e < dtable0.size(); ++e) {
    worst = std::max(worst, adds[e] * kEps * abs_total[e]);
  }
  return static_cast<float>(worst);
}

TEST_P(EmbeddingTest, GatherHandWorked) {
  // table rows: 0 -> [0, 1], 1 -> [10, 11], 2 -> [20, 21], 3 -> [30, 31]
  const Floats table = {0, 1, 10, 11, 20, 21, 30, 31};
  EXPECT_EQ(gather(2, table, {2, 0, 2, 3}), (Floats{20, 21, 0, 1, 20, 21, 30, 31}));
  EXPECT_EQ(gather(2, table, {}), Floats{});  // nothing to gather
}

TEST_P(EmbeddingTest, ScatterAddHandWorked) {
  // dtable starts at 1 everywhere; idx = [1, 3, 1], dout rows [1, 2], [3, 4], [5, 6]:
  //   row 1: 1 + [1, 2] + [5, 6] = [7, 9];  row 3: 1 + [3, 4] = [4, 5];  rows 0, 2 stay 1.
  const Floats dtable0(8, 1.0f);
  EXPECT_EQ(scatter_add(2, {1, 2, 3, 4, 5, 6}, {1, 3, 1}, dtable0),
            (Floats{1, 1, 7, 9, 1, 1, 4, 5}));
  EXPECT_EQ(scatter_add(2, {}, {}, dtable0), dtable0);  // no indices: unchanged
}

TEST_P(EmbeddingTest, GatherRandomMatchesReference) {
  for (std::int64_t n_idx : testing::test_row_counts()) {
    for (std::int64_t dim : testing::test_widths()) {
      SCOPED_TRACE(std::to_string(n_idx) + " rows of width " + std::to_string(dim));
      const std::int64_t n_table = n_idx / 4 + 2;  // fewer rows than indices: repeats
      const Floats table = random_floats(n_table * dim, 500 + n_idx * dim);
      const Indices idx = random_ints(n_idx, 600 + n_idx, 0, static_cast<std::int32_t>(n_table));
      Floats reference(n_idx * dim);
      gather_rows<Cpu>(n_idx, dim, table.data(), idx.data(), reference.data());
      Floats plain(n_idx * dim);
      for (std::int64_t i = 0; i < n_idx; ++i) {
        for (std::int64_t c = 0; c < dim; ++c) plain[i * dim + c] = table[idx[i] * dim + c];
      }
      EXPECT_EQ(reference, plain);                    // a copy: exact
      EXPECT_EQ(gather(dim, table, idx), reference);  // a copy on the device too
    }
  }
}

TEST_P(EmbeddingTest, ScatterAddRandomMatchesReference) {
  for (std::int64_t n_idx : testing::test_row_counts()) {
    for (std::int64_t dim : testing::test_widths()) {
      SCOPED_TRACE(std::to_string(n_idx) + " rows of width " + std::to_string(dim));
      const std::int64_t n_table = n_idx / 4 + 2;  // about 4 adds per table row
      const Floats dout = random_floats(n_idx * dim, 700 + n_idx * dim);
      const Indices idx = random_ints(n_idx, 800 + n_idx, 0, static_cast<std::int32_t>(n_table));
      const Floats dtable0 = random_floats(n_table * dim, 900 + n_table * dim);
      Floats reference = dtable0;
      scatter_add_rows<Cpu>(n_idx, dim, dout.data(), idx.data(), reference.data());
      // The reference adds in index order: the serial float loop's bits.
      EXPECT_EQ(reference, serial_scatter_add(dim, dout, idx, dtable0));
      EXPECT_ALL_CLOSE(scatter_add(dim, dout, idx, dtable0), reference,
                       atomic_order_tolerance(dim, dout, idx, dtable0), 0.0f);
    }
  }
}

TEST_P(EmbeddingTest, ScatterAddAllIndicesOneRow) {
  // Every index hits row 2 of 3 (the worst case for atomics): row 2 gets all
  // 1,000 rows of dout, rows 0 and 1 stay as they were.
  const std::int64_t n_idx = 1000, dim = 17, n_table = 3;
  const Floats dout = random_floats(n_idx * dim, 11);
  const Indices idx(n_idx, 2);
  const Floats dtable0 = random_floats(n_table * dim, 12);
  std::vector<double> exact(dtable0.begin(), dtable0.end());
  for (std::int64_t i = 0; i < n_idx; ++i) {
    for (std::int64_t c = 0; c < dim; ++c) exact[2 * dim + c] += dout[i * dim + c];
  }
  const Floats got = scatter_add(dim, dout, idx, dtable0);
  const float tol = atomic_order_tolerance(dim, dout, idx, dtable0);
  for (std::int64_t e = 0; e < n_table * dim; ++e) {
    if (e < 2 * dim) {
      EXPECT_EQ(got[e], dtable0[e]) << "untouched element " << e;
    } else {
      EXPECT_NEAR(got[e], exact[e], tol) << "element " << e;
    }
  }
}

TEST(EmbeddingCpu, ScatterAddSameBitsForAnyThreadCount) {
  // The reference's row ownership (row % n_threads) must not change the
  // order of adds: 1, 2, 3 and 7 threads give the serial loop's bits.
  const std::int64_t n_idx = 1000, dim = 17, n_table = 40;
  const Floats dout = random_floats(n_idx * dim, 21);
  const Indices idx = random_ints(n_idx, 22, 0, static_cast<std::int32_t>(n_table));
  const Floats dtable0 = random_floats(n_table * dim, 23);
  const Floats serial = serial_scatter_add(dim, dout, idx, dtable0);
  const int saved_threads = omp_get_max_threads();
  for (int n_threads : {1, 2, 3, 7}) {
    omp_set_num_threads(n_threads);
    Floats dtable = dtable0;
    scatter_add_rows<Cpu>(n_idx, dim, dout.data(), idx.data(), dtable.data());
    EXPECT_EQ(dtable, serial) << n_threads << " threads";
  }
  omp_set_num_threads(saved_threads);
}

}  // namespace
}  // namespace gnnrec
