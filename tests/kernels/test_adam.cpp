// Adam and row-sparse Adam: against PyTorch's formulas evaluated in double,
// the row-sparse semantics (only listed rows move, eps on the raw sqrt(v)),
// and the CUDA kernels bit-equal to the CPU reference.
#include "kernels/adam.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "tests/test_util.h"

namespace gnnrec {
namespace {

using testing::random_floats;
using testing::random_ints;

// Adam state on the host: theta, grad, m, v of one size.
struct AdamState {
  std::vector<float> theta, grad, m, v;
};

AdamState random_state(std::int64_t n, std::uint64_t seed) {
  AdamState s;
  s.theta = random_floats(n, seed);
  s.grad = random_floats(n, seed + 1);
  s.m = random_floats(n, seed + 2, -0.1f, 0.1f);
  s.v = random_floats(n, seed + 3, 0.0f, 0.01f);
  return s;
}

// Runs one step on `device` (copying the state there and back).
void dense_step_on(Device device, const AdamStep& step, AdamState& s) {
  const std::int64_t n = static_cast<std::int64_t>(s.theta.size());
  Tensor theta = Tensor::from_vector(s.theta, {n}, device);
  Tensor grad = Tensor::from_vector(s.grad, {n}, device);
  Tensor m = Tensor::from_vector(s.m, {n}, device);
  Tensor v = Tensor::from_vector(s.v, {n}, device);
  GNNREC_DISPATCH(device, adam_dense, n, step, theta.data<float>(), grad.data<float>(),
                  m.data<float>(), v.data<float>());
  s.theta = theta.to_vector<float>();
  s.grad = grad.to_vector<float>();
  s.m = m.to_vector<float>();
  s.v = v.to_vector<float>();
}

void sparse_step_on(Device device, std::int64_t dim, const std::vector<std::int32_t>& rows,
                    const AdamStep& step, AdamState& s) {
  const std::int64_t n = static_cast<std::int64_t>(s.theta.size());
  const std::int64_t n_rows = static_cast<std::int64_t>(rows.size());
  Tensor row_ids = Tensor::from_vector(rows, {n_rows}, device);
  Tensor theta = Tensor::from_vector(s.theta, {n}, device);
  Tensor grad = Tensor::from_vector(s.grad, {n}, device);
  Tensor m = Tensor::from_vector(s.m, {n}, device);
  Tensor v = Tensor::from_vector(s.v, {n}, device);
  GNNREC_DISPATCH(device, adam_row_sparse, n_rows, dim, row_ids.data<std::int32_t>(), step,
                  theta.data<float>(), grad.data<float>(), m.data<float>(), v.data<float>());
  s.theta = theta.to_vector<float>();
  s.grad = grad.to_vector<float>();
  s.m = m.to_vector<float>();
  s.v = v.to_vector<float>();
}

// PyTorch's dense Adam (torch/optim/_functional.py adam), in double:
//   g = grad + wd * theta;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   denom = sqrt(v) / sqrt(1 - b2^t) + eps;  theta -= lr / (1 - b1^t) * m / denom
struct DoubleAdam {
  double theta, m, v;
  void step(const AdamConfig& c, std::int64_t t, double grad) {
    const double g = grad + double{c.weight_decay} * theta;
    m = double{c.beta1} * m + (1.0 - c.beta1) * g;
    v = double{c.beta2} * v + (1.0 - c.beta2) * g * g;
    const double bias1 = 1.0 - std::pow(double{c.beta1}, static_cast<double>(t));
    const double bias2 = 1.0 - std::pow(double{c.beta2}, static_cast<double>(t));
    theta -= c.lr / bias1 * m / (std::sqrt(v) / std::sqrt(bias2) + c.eps);
  }
  // PyTorch SparseAdam (sparse_adam in _functional.py): eps on the raw sqrt(v).
  void sparse_step(const AdamConfig& c, std::int64_t t, double g) {
    m = double{c.beta1} * m + (1.0 - c.beta1) * g;
    v = double{c.beta2} * v + (1.0 - c.beta2) * g * g;
    const double bias1 = 1.0 - std::pow(double{c.beta1}, static_cast<double>(t));
    const double bias2 = 1.0 - std::pow(double{c.beta2}, static_cast<double>(t));
    theta -= c.lr * std::sqrt(bias2) / bias1 * m / (std::sqrt(v) + c.eps);
  }
};

class AdamTest : public testing::DeviceTest {};

TEST(AdamStepTest, StepCountStartsAtOne) {
  EXPECT_THROW(AdamStep::dense(AdamConfig{}, 0), Error);
  EXPECT_THROW(AdamStep::sparse(AdamConfig{}, -1), Error);
  EXPECT_NO_THROW(AdamStep::dense(AdamConfig{}, 1));
}

TEST(AdamStepTest, BiasCorrectionsInDouble) {
  AdamConfig c;
  c.lr = 0.01f;
  const std::int64_t t = 3;
  const double b1 = 1.0 - std::pow(double{c.beta1}, 3.0), b2 = 1.0 - std::pow(double{c.beta2}, 3.0);
  AdamStep dense = AdamStep::dense(c, t);
  EXPECT_EQ(dense.step_size, static_cast<float>(double{c.lr} / b1));
  EXPECT_EQ(dense.bias2_sqrt, static_cast<float>(std::sqrt(b2)));
  AdamStep sparse = AdamStep::sparse(c, t);
  EXPECT_EQ(sparse.step_size, static_cast<float>(double{c.lr} * std::sqrt(b2) / b1));
  EXPECT_EQ(sparse.bias2_sqrt, 1.0f);
}

TEST_P(AdamTest, OneDenseStepByHand) {
  // t = 1 from zero moments: m = 0.1 g, v = 0.001 g^2, and the update is
  // lr * g / (|g| + eps / ...) ~ lr * sign(g).
  AdamConfig c;
  c.lr = 0.1f;
  AdamState s;
  s.theta = {1.0f, -2.0f, 0.5f, 3.0f};
  s.grad = {0.5f, -0.25f, 2.0f, 1e-9f};
  s.m = {0.0f, 0.0f, 0.0f, 0.0f};
  s.v = {0.0f, 0.0f, 0.0f, 0.0f};
  const AdamState before = s;
  dense_step_on(device(), AdamStep::dense(c, 1), s);
  for (std::size_t i = 0; i < s.theta.size(); ++i) {
    DoubleAdam ref{before.theta[i], 0.0, 0.0};
    ref.step(c, 1, before.grad[i]);
    // float rounding of a handful of operations: a few ulps relative.
    EXPECT_NEAR(s.theta[i], ref.theta, 1e-6 * std::fabs(ref.theta)) << "element " << i;
    EXPECT_NEAR(s.m[i], ref.m, 1e-6 * std::fabs(ref.m)) << "element " << i;
    EXPECT_NEAR(s.v[i], ref.v, 1e-6 * std::fabs(ref.v)) << "element " << i;
    EXPECT_EQ(s.grad[i], 0.0f) << "gradient not zeroed at " << i;
  }
  // By hand: theta0 = 1 - 0.1 * 0.05 / 0.1 / (sqrt(0.00025) / sqrt(0.001) + 1e-8) = 0.9.
  EXPECT_NEAR(s.theta[0], 0.9f, 1e-6f);
  EXPECT_NEAR(s.theta[1], -1.9f, 1e-6f);
  // A tiny gradient: eps matters, update = lr * 1e-9 / (1e-9 + 1e-8) = lr / 11.
  EXPECT_NEAR(s.theta[3], 3.0 - 0.1 / 11.0, 1e-6);
}

TEST_P(AdamTest, ManyStepsMatchDoubleReference) {
  AdamConfig c;
  c.lr = 0.01f;
  constexpr std::int64_t n = 257;
  constexpr int n_steps = 20;
  AdamState s;
  s.theta = random_floats(n, 11);
  s.m.assign(n, 0.0f);
  s.v.assign(n, 0.0f);
  std::vector<DoubleAdam> ref(n);
  for (std::int64_t i = 0; i < n; ++i) ref[i] = {s.theta[i], 0.0, 0.0};
  for (int t = 1; t <= n_steps; ++t) {
    s.grad = random_floats(n, 100 + t);
    for (std::int64_t i = 0; i < n; ++i) ref[i].step(c, t, s.grad[i]);
    dense_step_on(device(), AdamStep::dense(c, t), s);
  }
  for (std::int64_t i = 0; i < n; ++i) {
    // Each step moves theta by <= ~lr; float rounding of the moments and of
    // theta over 20 steps stays far below 1e-5 absolute.
    EXPECT_NEAR(s.theta[i], ref[i].theta, 1e-5) << "element " << i;
    EXPECT_NEAR(s.m[i], ref[i].m, 1e-6) << "element " << i;
    EXPECT_NEAR(s.v[i], ref[i].v, 1e-6) << "element " << i;
  }
}

TEST_P(AdamTest, WeightDecayAddsToGradient) {
  AdamConfig c;
  c.lr = 0.05f;
  c.weight_decay = 0.1f;
  constexpr std::int64_t n = 64;
  AdamState s = random_state(n, 21);
  const AdamState before = s;
  dense_step_on(device(), AdamStep::dense(c, 4), s);
  for (std::int64_t i = 0; i < n; ++i) {
    DoubleAdam ref{before.theta[i], before.m[i], before.v[i]};
    ref.step(c, 4, before.grad[i]);
    EXPECT_NEAR(s.theta[i], ref.theta, 2e-6) << "element " << i;
    EXPECT_NEAR(s.m[i], ref.m, 1e-7) << "element " << i;
    EXPECT_NEAR(s.v[i], ref.v, 1e-7) << "element " << i;
    EXPECT_EQ(s.grad[i], 0.0f);
  }
  // A zero gradient still moves theta towards zero through the decay.
  AdamState zero_grad{{2.0f}, {0.0f}, {0.0f}, {0.0f}};
  dense_step_on(device(), AdamStep::dense(c, 1), zero_grad);
  EXPECT_LT(zero_grad.theta[0], 2.0f);
}

TEST_P(AdamTest, RowSparseTouchesOnlyListedRows) {
  AdamConfig c;
  c.lr = 0.02f;
  constexpr std::int64_t n_table = 40, dim = 17;
  const std::vector<std::int32_t> rows = {3, 0, 39, 17, 18};  // distinct, unsorted
  AdamState s = random_state(n_table * dim, 31);
  const AdamState before = s;
  const std::int64_t t = 5;
  sparse_step_on(device(), dim, rows, AdamStep::sparse(c, t), s);
  std::vector<bool> listed(n_table, false);
  for (std::int32_t r : rows) listed[r] = true;
  for (std::int64_t r = 0; r < n_table; ++r) {
    for (std::int64_t col = 0; col < dim; ++col) {
      const std::int64_t i = r * dim + col;
      if (!listed[r]) {
        // Untouched rows keep every bit: no decay of their moments.
        EXPECT_EQ(s.theta[i], before.theta[i]) << "row " << r;
        EXPECT_EQ(s.grad[i], before.grad[i]) << "row " << r;
        EXPECT_EQ(s.m[i], before.m[i]) << "row " << r;
        EXPECT_EQ(s.v[i], before.v[i]) << "row " << r;
        continue;
      }
      DoubleAdam ref{before.theta[i], before.m[i], before.v[i]};
      ref.sparse_step(c, t, before.grad[i]);
      EXPECT_NEAR(s.theta[i], ref.theta, 2e-6) << "row " << r;
      EXPECT_NEAR(s.m[i], ref.m, 1e-7) << "row " << r;
      EXPECT_NEAR(s.v[i], ref.v, 1e-7) << "row " << r;
      EXPECT_EQ(s.grad[i], 0.0f) << "row " << r;
    }
  }
}

TEST_P(AdamTest, RowSparseEpsSitsOnRawSqrtV) {
  // A large eps and t = 2 make the placement visible: SparseAdam divides by
  // sqrt(v) + eps, dense Adam by sqrt(v) / sqrt(1 - b2^2) + eps.
  AdamConfig c;
  c.lr = 0.1f;
  c.eps = 0.01f;
  AdamState s{{1.0f}, {0.02f}, {0.01f}, {0.0004f}};
  const AdamState before = s;
  sparse_step_on(device(), 1, {0}, AdamStep::sparse(c, 2), s);
  DoubleAdam sparse_ref{before.theta[0], before.m[0], before.v[0]};
  sparse_ref.sparse_step(c, 2, before.grad[0]);
  DoubleAdam dense_ref{before.theta[0], before.m[0], before.v[0]};
  dense_ref.step(c, 2, before.grad[0]);
  EXPECT_NEAR(s.theta[0], sparse_ref.theta, 1e-6);
  EXPECT_GT(std::fabs(sparse_ref.theta - dense_ref.theta), 1e-3)
      << "the test inputs do not tell the two eps placements apart";
}

TEST_P(AdamTest, DenseBitEqualToCpu) {
  AdamConfig c;
  c.lr = 0.003f;
  c.weight_decay = 1e-4f;
  for (std::int64_t rows : testing::test_row_counts()) {
    for (std::int64_t width : testing::test_widths()) {
      const std::int64_t n = rows * width;
      AdamState cpu = random_state(n, static_cast<std::uint64_t>(n) * 7 + 1);
      AdamState dev = cpu;
      for (std::int64_t t = 1; t <= 3; ++t) {
        const AdamStep step = AdamStep::dense(c, t);
        adam_dense<Cpu>(n, step, cpu.theta.data(), cpu.grad.data(), cpu.m.data(), cpu.v.data());
        dense_step_on(device(), step, dev);
        cpu.grad = dev.grad = random_floats(n, static_cast<std::uint64_t>(n + t));
      }
      EXPECT_EQ(dev.theta, cpu.theta) << rows << " x " << width;
      EXPECT_EQ(dev.m, cpu.m) << rows << " x " << width;
      EXPECT_EQ(dev.v, cpu.v) << rows << " x " << width;
    }
  }
}

TEST_P(AdamTest, RowSparseBitEqualToCpu) {
  AdamConfig c;
  c.lr = 0.003f;
  for (std::int64_t n_table : testing::test_row_counts()) {
    for (std::int64_t dim : testing::test_widths()) {
      // About half the rows, distinct, in a shuffled order.
      std::vector<std::int32_t> rows;
      std::vector<std::int32_t> coin =
          random_ints(n_table, static_cast<std::uint64_t>(n_table), 0, 2);
      for (std::int32_t r = static_cast<std::int32_t>(n_table) - 1; r >= 0; --r) {
        if (coin[r] == 1 || r == 0) rows.push_back(r);
      }
      AdamState cpu = random_state(n_table * dim, static_cast<std::uint64_t>(n_table * dim) + 5);
      AdamState dev = cpu;
      const AdamStep step = AdamStep::sparse(c, 7);
      adam_row_sparse<Cpu>(static_cast<std::int64_t>(rows.size()), dim, rows.data(), step,
                           cpu.theta.data(), cpu.grad.data(), cpu.m.data(), cpu.v.data());
      sparse_step_on(device(), dim, rows, step, dev);
      EXPECT_EQ(dev.theta, cpu.theta) << n_table << " x " << dim;
      EXPECT_EQ(dev.grad, cpu.grad) << n_table << " x " << dim;
      EXPECT_EQ(dev.m, cpu.m) << n_table << " x " << dim;
      EXPECT_EQ(dev.v, cpu.v) << n_table << " x " << dim;
    }
  }
}

GNNREC_INSTANTIATE_DEVICE_TESTS(AdamTest);

}  // namespace
}  // namespace gnnrec
