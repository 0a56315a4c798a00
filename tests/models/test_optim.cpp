// Optimizers (models/optim.h): Adam converges on a quadratic, one step is
// the formula of kernels/adam.h, SparseAdam touches only the listed rows with
// its own eps placement, and a training step allocates nothing once warm.
#include <cmath>
#include <vector>

#include "core/allocator.h"
#include "core/autograd.h"
#include "core/csr.h"
#include "core/ops.h"
#include "models/optim.h"
#include "tests/test_util.h"

namespace gnnrec {
namespace {

using ag::Tape;
using ag::Var;
using gnnrec::testing::random_floats;
using gnnrec::testing::random_tensor;

// L = ||x - target||^2, minimum 0 at x = target.
TEST(Adam, ConvergesOnAQuadratic) {
  const Tensor target = random_tensor({10}, 1, Device::cpu(), -2.0f, 2.0f);
  const Var minus_target = Var::constant(ops::scale(target, -1.0f));
  Var x = Var::parameter(random_tensor({10}, 2, Device::cpu(), -2.0f, 2.0f));
  AdamConfig config;
  config.lr = 0.05f;
  Adam adam({x}, config);
  float first_loss = 0.0f, loss = 0.0f;
  for (int step = 0; step < 1000; ++step) {
    Tape tape;
    Var l = ag::squared_l2(tape, ag::add(tape, x, minus_target));
    loss = l.value().to_vector<float>()[0];
    if (step == 0) first_loss = loss;
    tape.backward(l);
    adam.step();
  }
  EXPECT_EQ(adam.step_count(), 1000);
  EXPECT_GT(first_loss, 1.0f);
  EXPECT_LT(loss, 1e-4f);
  EXPECT_ALL_CLOSE(x.value().to_vector<float>(), target.to_vector<float>(), 1e-2f, 0.0f);
}

// The dense update in double, as kernels/adam.h states it.
struct AdamReference {
  AdamConfig config;
  double theta, m = 0.0, v = 0.0;
  void step(double grad, std::int64_t t, bool sparse) {
    const double g = grad + config.weight_decay * theta;
    m = config.beta1 * m + (1.0 - config.beta1) * g;
    v = config.beta2 * v + (1.0 - config.beta2) * g * g;
    const double bias1 = 1.0 - std::pow(double{config.beta1}, double(t));
    const double bias2 = 1.0 - std::pow(double{config.beta2}, double(t));
    if (sparse) {  // eps on the uncorrected sqrt(v)
      theta -= config.lr * std::sqrt(bias2) / bias1 * m / (std::sqrt(v) + config.eps);
    } else {
      theta -= config.lr / bias1 * m / (std::sqrt(v) / std::sqrt(bias2) + config.eps);
    }
  }
};

// eps large enough that its placement shows in the result.
AdamConfig test_config() {
  AdamConfig config;
  config.lr = 0.1f;
  config.eps = 1e-2f;
  config.weight_decay = 0.05f;
  return config;
}

// Float32 kernel vs double reference: a few ulps of lr-sized steps.
constexpr float kAdamTol = 1e-5f;

TEST(Adam, ThreeStepsFollowTheFormulaAndZeroTheGradient) {
  const AdamConfig config = test_config();
  const std::vector<float> theta0 = random_floats(6, 3);
  Var p = Var::parameter(Tensor::from_vector(theta0, {2, 3}));
  Adam adam({p}, config);
  std::vector<AdamReference> ref;
  for (float t0 : theta0) ref.push_back({config, t0});
  for (std::int64_t t = 1; t <= 3; ++t) {
    const std::vector<float> grad = random_floats(6, 10 + static_cast<std::uint64_t>(t));
    p.grad().copy_from(Tensor::from_vector(grad, {2, 3}));
    adam.step();
    for (std::size_t i = 0; i < ref.size(); ++i) ref[i].step(grad[i], t, false);
    std::vector<float> expected;
    for (const AdamReference& r : ref) expected.push_back(static_cast<float>(r.theta));
    EXPECT_ALL_CLOSE(p.value().to_vector<float>(), expected, kAdamTol, kAdamTol);
    EXPECT_ALL_CLOSE(p.grad().to_vector<float>(), std::vector<float>(6, 0.0f), 0.0f, 0.0f);
  }
}

// After a step the gradient is zero and marked so: the next step's first
// contribution is written over it (grad_slot's beta 0), a grad() (a reader
// that may add) ends that, and later contributions add. Each step's
// gradient of p·dy + relu(p), two contributions, is dy + (p > 0): nothing
// of the previous step left, nothing lost.
TEST(Adam, TheNextStepWritesItsFirstGradient) {
  Var p = Var::parameter(Tensor::from_vector(random_floats(6, 4), {2, 3}));
  Adam adam({p}, test_config());
  const std::vector<float> dy = random_floats(6, 5);
  auto expect_gradient_of_two_uses = [&] {
    Tape tape;
    Var y = ag::add(tape, ag::mul(tape, p, Var::constant(Tensor::from_vector(dy, {2, 3}))),
                    ag::relu(tape, p));
    tape.backward(ag::sum(tape, y));
    const std::vector<float> theta = p.value().to_vector<float>();
    const std::vector<float> grad = p.grad().to_vector<float>();
    for (std::size_t i = 0; i < theta.size(); ++i) {
      EXPECT_FLOAT_EQ(grad[i], dy[i] + (theta[i] > 0 ? 1.0f : 0.0f)) << "element " << i;
    }
  };
  expect_gradient_of_two_uses();  // a new buffer
  adam.step();
  expect_gradient_of_two_uses();  // over the zeroed one
  adam.step();
  EXPECT_EQ(p.grad_slot().beta, 0.0f);  // zeroed and marked by the step
  EXPECT_EQ(p.grad_slot().beta, 1.0f);  // that call took the mark
  p.mark_grad_zeroed();
  p.grad();
  EXPECT_EQ(p.grad_slot().beta, 1.0f);
  p.zero_grad();
  EXPECT_EQ(p.grad_slot().beta, 0.0f);
}

TEST(SparseAdam, UpdatesOnlyListedRowsWithSparseEps) {
  const AdamConfig config = test_config();
  const std::int64_t n_rows = 4, dim = 3;
  const std::vector<float> theta0 = random_floats(n_rows * dim, 4);
  Var table = Var::parameter(Tensor::from_vector(theta0, {n_rows, dim}));
  SparseAdam adam(table, config);
  std::vector<AdamReference> ref;
  for (float t0 : theta0) ref.push_back({config, t0});
  const std::vector<std::int32_t> listed = {2, 0};
  const std::vector<float> grad = random_floats(n_rows * dim, 5);
  for (std::int64_t t = 1; t <= 2; ++t) {
    table.grad().copy_from(Tensor::from_vector(grad, {n_rows, dim}));
    adam.step(Tensor::from_vector(listed, {2}));
    for (std::int32_t row : listed) {
      for (std::int64_t c = 0; c < dim; ++c) ref[row * dim + c].step(grad[row * dim + c], t, true);
    }
  }
  const std::vector<float> theta = table.value().to_vector<float>();
  const std::vector<float> grad_after = table.grad().to_vector<float>();
  for (std::int64_t r = 0; r < n_rows; ++r) {
    const bool is_listed = r == 0 || r == 2;
    for (std::int64_t c = 0; c < dim; ++c) {
      const std::size_t i = static_cast<std::size_t>(r * dim + c);
      if (is_listed) {
        EXPECT_NEAR(theta[i], ref[i].theta, kAdamTol) << "row " << r;
        EXPECT_EQ(grad_after[i], 0.0f) << "row " << r;
      } else {  // untouched: theta and its gradient stay as they were
        EXPECT_EQ(theta[i], theta0[i]) << "row " << r;
        EXPECT_EQ(grad_after[i], grad[i]) << "row " << r;
      }
    }
  }
  // The dense formula would give a visibly different step (eps placement).
  AdamReference dense{config, theta0[0]};
  dense.step(grad[0], 1, false);
  dense.step(grad[0], 2, false);
  EXPECT_GT(std::fabs(dense.theta - ref[0].theta), 1e-4);
}

TEST(SparseAdam, RejectsRepeatedOrOutOfRangeRows) {
  Var table = Var::parameter(random_tensor({4, 3}, 6, Device::cpu()));
  SparseAdam adam(table, AdamConfig{});
  EXPECT_THROW(adam.step(Tensor::from_vector<std::int32_t>({1, 1}, {2})), Error);
  EXPECT_THROW(adam.step(Tensor::from_vector<std::int32_t>({4}, {1})), Error);
  EXPECT_EQ(adam.step_count(), 0) << "a rejected step does not count";
}

TEST(Adam, RejectsConstants) {
  EXPECT_THROW(Adam({Var::constant(random_tensor({3}, 7, Device::cpu()))}, AdamConfig{}), Error);
}

// ---- no allocations in a warm training step (DESIGN: a step does no cudaMalloc) ----

class OptimOnDevice : public gnnrec::testing::DeviceTest {};

Tensor all_rows(std::int32_t n_rows, Device on) {
  std::vector<std::int32_t> rows(static_cast<std::size_t>(n_rows));
  for (std::int32_t r = 0; r < n_rows; ++r) rows[static_cast<std::size_t>(r)] = r;
  return Tensor::from_vector(rows, {n_rows}, on);
}

// One step of a tiny model: propagate, project, score, BPR + L2,
// backward, dense Adam on the weights and row-sparse Adam on the table.
struct TinyModel {
  Device device;
  Csr adjacency, adjacency_t;
  Tensor users, positives, negatives, touched_rows;
  Var table, weight, bias;
  Adam dense_adam;
  SparseAdam sparse_adam;

  explicit TinyModel(Device on)
      : device(on),
        adjacency(Csr::from_coo(20, 20, gnnrec::testing::random_ints(60, 8, 0, 20),
                                gnnrec::testing::random_ints(60, 9, 0, 20))
                      .row_normalized()
                      .to(on)),
        adjacency_t(adjacency.to(Device::cpu()).transpose().to(on)),
        users(Tensor::from_vector<std::int32_t>({0, 1, 2, 3}, {4}, on)),
        positives(Tensor::from_vector<std::int32_t>({10, 11, 12, 13}, {4}, on)),
        negatives(Tensor::from_vector<std::int32_t>({14, 15, 16, 17}, {4}, on)),
        touched_rows(all_rows(20, on)),
        table(Var::parameter(random_tensor({20, 8}, 10, on))),
        weight(Var::parameter(random_tensor({8, 8}, 11, on))),
        bias(Var::parameter(random_tensor({8}, 12, on))),
        dense_adam({weight, bias}, AdamConfig{}),
        sparse_adam(table, AdamConfig{}) {}

  void train_step() {
    Tape tape;
    Var h = ag::spmm(tape, adjacency, adjacency_t, table);
    h = ag::relu(tape, ag::add_bias(tape, ag::matmul(tape, h, weight, false, true), bias));
    Var user_rows = ag::gather_rows(tape, h, users);
    Var pos = ag::row_dot(tape, user_rows, ag::gather_rows(tape, h, positives));
    Var neg = ag::row_dot(tape, user_rows, ag::gather_rows(tape, h, negatives));
    Var l2 = ag::squared_l2(tape, ag::gather_rows(tape, table, users));
    tape.backward(ag::add(tape, ag::bpr_loss(tape, pos, neg), ag::scale(tape, l2, 1e-3f)));
    dense_adam.step();
    // spmm spreads the gradient beyond the gathered rows to their
    // neighbours: list every row, so no gradient lingers into the next step.
    sparse_adam.step(touched_rows);
  }
};

TEST_P(OptimOnDevice, WarmTrainingStepMakesNoSystemAllocations) {
  TinyModel model(device());
  model.train_step();  // warm: the cache fills
  const std::int64_t after_first = allocator_for(device()).stats().n_system_allocs;
  model.train_step();
  const std::int64_t after_second = allocator_for(device()).stats().n_system_allocs;
  model.train_step();
  const std::int64_t after_third = allocator_for(device()).stats().n_system_allocs;
  EXPECT_EQ(after_second, after_first);
  EXPECT_EQ(after_third, after_second);
  EXPECT_EQ(model.dense_adam.step_count(), 3);
}

GNNREC_INSTANTIATE_DEVICE_TESTS(OptimOnDevice);

}  // namespace
}  // namespace gnnrec
