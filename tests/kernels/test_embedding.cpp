// Tests of kernels/embedding.h: gather_rows, scatter_add_rows and
// gathered_row_dot on every device.
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

#include "kernels/elementwise.h"
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

// ---- gathered_row_dot ----------------------------------------------------------

// Random pairs of rows of two tables (with repeats), and their dot products
// and gradients three ways: the CPU kernels, the CPU's gather + row_dot (+
// row_dot_backward + scatter_add_rows), and the device's kernels.
struct GatheredRowDotCase {
  std::int64_t n_idx, dim, a_rows, b_rows;
  Floats a, b, dout, da0, db0;
  Indices a_idx, b_idx;
  GatheredRowDotCase(std::int64_t n, std::int64_t width, std::uint64_t seed)
      : n_idx(n), dim(width), a_rows(n / 4 + 2), b_rows(n / 3 + 3) {
    a = random_floats(a_rows * dim, seed);
    b = random_floats(b_rows * dim, seed + 1);
    dout = random_floats(n_idx, seed + 2);
    da0 = random_floats(a_rows * dim, seed + 3);
    db0 = random_floats(b_rows * dim, seed + 4);
    a_idx = random_ints(n_idx, seed + 5, 0, static_cast<std::int32_t>(a_rows));
    b_idx = random_ints(n_idx, seed + 6, 0, static_cast<std::int32_t>(b_rows));
  }
};

TEST_P(EmbeddingTest, GatheredRowDotIsRowDotOfGathers) {
  {  // a rows [1, 2], [3, 4]; b rows [5, 6], [7, 8], [9, 10]; pairs (1, 2), (0, 0), (1, 2):
     // [3, 4]·[9, 10] = 67, [1, 2]·[5, 6] = 17. Backward with dout = [1, 2, 3] from zeros:
     // da row 1 += 1 [9, 10] + 3 [9, 10] = [36, 40], da row 0 += 2 [5, 6] = [10, 12];
     // db row 2 += 1 [3, 4] + 3 [3, 4] = [12, 16], db row 0 += 2 [1, 2] = [2, 4].
    Tensor a = Tensor::from_vector(Floats{1, 2, 3, 4}, {2, 2}, device());
    Tensor b = Tensor::from_vector(Floats{5, 6, 7, 8, 9, 10}, {3, 2}, device());
    Tensor a_idx = Tensor::from_vector(Indices{1, 0, 1}, {3}, device());
    Tensor b_idx = Tensor::from_vector(Indices{2, 0, 2}, {3}, device());
    Tensor out = Tensor::full({3}, -1.0f, device());
    GNNREC_DISPATCH(device(), gathered_row_dot, 3, 2, a.data<float>(), a_idx.data<std::int32_t>(),
                    b.data<float>(), b_idx.data<std::int32_t>(), out.data<float>());
    EXPECT_EQ(out.to_vector<float>(), (Floats{67, 17, 67}));
    Tensor dout = Tensor::from_vector(Floats{1, 2, 3}, {3}, device());
    Tensor da = Tensor::zeros({2, 2}, DType::F32, device());
    Tensor db = Tensor::zeros({3, 2}, DType::F32, device());
    GNNREC_DISPATCH(device(), gathered_row_dot_backward, 3, 2, dout.data<float>(), a.data<float>(),
                    a_idx.data<std::int32_t>(), b.data<float>(), b_idx.data<std::int32_t>(),
                    da.data<float>(), db.data<float>());
    EXPECT_EQ(da.to_vector<float>(), (Floats{10, 12, 36, 40}));
    EXPECT_EQ(db.to_vector<float>(), (Floats{2, 4, 0, 0, 12, 16}));
  }
  for (std::int64_t n_idx : testing::test_row_counts()) {
    for (std::int64_t dim : testing::test_widths()) {
      SCOPED_TRACE(std::to_string(n_idx) + " pairs of width " + std::to_string(dim));
      const GatheredRowDotCase t(n_idx, dim, 1000 + n_idx * dim);
      // The CPU kernel against row_dot of two gathers: the same bits.
      Floats out(n_idx), a_rows(n_idx * dim), b_rows(n_idx * dim), composed(n_idx);
      gathered_row_dot<Cpu>(n_idx, dim, t.a.data(), t.a_idx.data(), t.b.data(), t.b_idx.data(),
                            out.data());
      gather_rows<Cpu>(n_idx, dim, t.a.data(), t.a_idx.data(), a_rows.data());
      gather_rows<Cpu>(n_idx, dim, t.b.data(), t.b_idx.data(), b_rows.data());
      row_dot<Cpu>(n_idx, dim, a_rows.data(), b_rows.data(), composed.data());
      EXPECT_EQ(out, composed);
      // Its backward against row_dot_backward + scatter_add_rows: the same bits.
      Floats da = t.da0, db = t.db0;
      gathered_row_dot_backward<Cpu>(n_idx, dim, t.dout.data(), t.a.data(), t.a_idx.data(),
                                     t.b.data(), t.b_idx.data(), da.data(), db.data());
      Floats da_rows(n_idx * dim), db_rows(n_idx * dim), da_ref = t.da0, db_ref = t.db0;
      row_dot_backward<Cpu>(n_idx, dim, t.dout.data(), a_rows.data(), b_rows.data(), 0.0f,
                            da_rows.data(), 0.0f, db_rows.data());
      scatter_add_rows<Cpu>(n_idx, dim, da_rows.data(), t.a_idx.data(), da_ref.data());
      scatter_add_rows<Cpu>(n_idx, dim, db_rows.data(), t.b_idx.data(), db_ref.data());
      EXPECT_EQ(da, da_ref);
      EXPECT_EQ(db, db_ref);
      // The device: the forward's sum in another order, the backward's adds
      // in any order (atomics): within the float bounds.
      Tensor a_t = Tensor::from_vector(t.a, {t.a_rows, dim}, device());
      Tensor b_t = Tensor::from_vector(t.b, {t.b_rows, dim}, device());
      Tensor a_idx_t = Tensor::from_vector(t.a_idx, {n_idx}, device());
      Tensor b_idx_t = Tensor::from_vector(t.b_idx, {n_idx}, device());
      Tensor out_t = Tensor::full({n_idx}, -1.0f, device());
      GNNREC_DISPATCH(device(), gathered_row_dot, n_idx, dim, a_t.data<float>(),
                      a_idx_t.data<std::int32_t>(), b_t.data<float>(), b_idx_t.data<std::int32_t>(),
                      out_t.data<float>());
      const Floats out_device = out_t.to_vector<float>();
      for (std::int64_t i = 0; i < n_idx; ++i) {
        double abs_sum = 0.0;
        for (std::int64_t c = 0; c < dim; ++c) {
          abs_sum += std::fabs(static_cast<double>(a_rows[i * dim + c]) * b_rows[i * dim + c]);
        }
        EXPECT_NEAR(out_device[i], out[i], 2.0 * dim * kEps * abs_sum) << "pair " << i;
      }
      Tensor dout_t = Tensor::from_vector(t.dout, {n_idx}, device());
      Tensor da_t = Tensor::from_vector(t.da0, {t.a_rows, dim}, device());
      Tensor db_t = Tensor::from_vector(t.db0, {t.b_rows, dim}, device());
      GNNREC_DISPATCH(device(), gathered_row_dot_backward, n_idx, dim, dout_t.data<float>(),
                      a_t.data<float>(), a_idx_t.data<std::int32_t>(), b_t.data<float>(),
                      b_idx_t.data<std::int32_t>(), da_t.data<float>(), db_t.data<float>());
      EXPECT_ALL_CLOSE(da_t.to_vector<float>(), da,
                       2.0f * atomic_order_tolerance(dim, da_rows, t.a_idx, t.da0), 0.0f);
      EXPECT_ALL_CLOSE(db_t.to_vector<float>(), db,
                       2.0f * atomic_order_tolerance(dim, db_rows, t.b_idx, t.db0), 0.0f);
    }
  }
}

TEST(EmbeddingCpu, GatheredRowDotBackwardSameBitsForAnyThreadCount) {
  const GatheredRowDotCase t(1000, 17, 31);
  const int saved_threads = omp_get_max_threads();
  Floats da_one, db_one;
  for (int n_threads : {1, 2, 3, 7}) {
    omp_set_num_threads(n_threads);
    Floats da = t.da0, db = t.db0;
    gathered_row_dot_backward<Cpu>(t.n_idx, t.dim, t.dout.data(), t.a.data(), t.a_idx.data(),
                                   t.b.data(), t.b_idx.data(), da.data(), db.data());
    if (n_threads == 1) {
      da_one = da;
      db_one = db;
    }
    EXPECT_EQ(da, da_one) << n_threads << " threads";
    EXPECT_EQ(db, db_one) << n_threads << " threads";
  }
  omp_set_num_threads(saved_threads);
}

}  // namespace
}  // namespace gnnrec
