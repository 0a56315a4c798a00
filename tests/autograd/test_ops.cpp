// The tensor ops of core/ops.h.
//
// 1. Bad input gives one clear Error that names the op and the operands'
//    shapes, never a crash inside a kernel.
// 2. Each op on the CUDA device matches the same op on the CPU (the
//    reference backend, DESIGN decision 1); skipped where no GPU is usable.
#include <cmath>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/csr.h"
#include "core/ops.h"
#include "kernels/topk.h"
#include "tests/test_util.h"

namespace gnnrec {
namespace {

using gnnrec::testing::random_ints;
using gnnrec::testing::random_tensor;

Tensor rand_cpu(const Shape& shape, std::uint64_t seed) {
  return random_tensor(shape, seed, Device::cpu());
}

// `call` must throw a gnnrec::Error whose message contains every fragment.
void expect_error_mentions(const std::function<void()>& call,
                           std::initializer_list<const char*> fragments) {
  try {
    call();
    ADD_FAILURE() << "expected a gnnrec::Error";
  } catch (const Error& e) {
    const std::string message = e.what();
    for (const char* fragment : fragments) {
      EXPECT_NE(message.find(fragment), std::string::npos)
          << "message \"" << message << "\" does not mention \"" << fragment << "\"";
    }
  }
}

// ---- bad input: one clear error -----------------------------------------------------

TEST(OpsErrors, AddMismatchedShapes) {
  expect_error_mentions(
      [] {
        ops::add(rand_cpu({3, 4}, 1), rand_cpu({3, 5}, 2));
      },
      {"add", "(3, 4)", "(3, 5)"});
}

TEST(OpsErrors, MulMismatchedShapes) {
  expect_error_mentions(
      [] {
        ops::mul(rand_cpu({2, 3}, 1), rand_cpu({3, 2}, 2));
      },
      {"mul", "(2, 3)", "(3, 2)"});
}

TEST(OpsErrors, MatmulInnerDimensions) {
  expect_error_mentions(
      [] {
        ops::matmul(rand_cpu({3, 4}, 1), rand_cpu({5, 2}, 2));
      },
      {"matmul", "(3, 4)", "(5, 2)", "4", "5"});
  // With trans_b, b (2, 5) is used as (5, 2): the check follows the flags.
  expect_error_mentions(
      [] {
        ops::matmul(rand_cpu({3, 4}, 1), rand_cpu({2, 5}, 2), false, true);
      },
      {"matmul", "(3, 4)", "(2, 5)^T"});
  EXPECT_NO_THROW(ops::matmul(rand_cpu({4, 3}, 1), rand_cpu({2, 4}, 2), true, true));
}

TEST(OpsErrors, MatmulNeeds2D) {
  expect_error_mentions(
      [] {
        ops::matmul(rand_cpu({12}, 1), rand_cpu({3, 4}, 2));
      },
      {"matmul", "2-D", "(12)"});
}

TEST(OpsErrors, RowDotMismatchedShapes) {
  expect_error_mentions(
      [] {
        ops::row_dot(rand_cpu({6, 4}, 1), rand_cpu({5, 4}, 2));
      },
      {"row_dot", "(6, 4)", "(5, 4)"});
}

TEST(OpsErrors, SpmmRowsOfXMustEqualColumnsOfA) {
  const Csr a = Csr::from_coo(4, 6, {0, 1, 3}, {5, 0, 2});
  expect_error_mentions([&] { ops::spmm(a, rand_cpu({5, 3}, 1)); }, {"spmm", "(4, 6)", "(5, 3)"});
}

TEST(OpsErrors, SpmmAutogradChecksTheTranspose) {
  const Csr a = Csr::from_coo(4, 6, {0, 1, 3}, {5, 0, 2});
  ag::Tape tape;
  ag::Var x = ag::Var::parameter(rand_cpu({6, 3}, 1));
  expect_error_mentions([&] { ag::spmm(tape, a, a, x); }, {"spmm", "transpose"});
}

TEST(OpsErrors, WrongDtype) {
  const Tensor ints = Tensor::from_vector<std::int32_t>({1, 2, 3, 4}, {2, 2});
  expect_error_mentions([&] { ops::add(ints, rand_cpu({2, 2}, 1)); }, {"add", "f32", "i32"});
  expect_error_mentions([&] { ops::relu(ints); }, {"relu", "f32", "i32"});
  // An index vector must be i32.
  expect_error_mentions(
      [] {
        ops::gather_rows(rand_cpu({5, 3}, 1), rand_cpu({2}, 2));
      },
      {"gather_rows", "i32", "f32"});
}

TEST(OpsErrors, GatherIndexOutOfRangeOnCpu) {
  const Tensor table = rand_cpu({5, 3}, 1);
  expect_error_mentions(
      [&] {
        ops::gather_rows(table, Tensor::from_vector<std::int32_t>({0, 4, 7}, {3}));
      },
      {"gather_rows", "index 7", "position 2", "(5, 3)"});
  expect_error_mentions(
      [&] { ops::gather_rows(table, Tensor::from_vector<std::int32_t>({-1}, {1})); },
      {"gather_rows", "index -1"});
  Tensor dtable = Tensor::zeros({5, 3}, DType::F32);
  expect_error_mentions(
      [&] {
        ops::scatter_add_rows_(dtable, Tensor::from_vector<std::int32_t>({5}, {1}),
                               rand_cpu({1, 3}, 2));
      },
      {"scatter_add_rows_", "index 5"});
}

TEST(OpsErrors, TopkKOutOfRange) {
  const Tensor scores = rand_cpu({2, 10}, 1);
  expect_error_mentions([&] { ops::topk_rows(scores, 0); }, {"topk_rows", "k", "got 0"});
  expect_error_mentions([&] { ops::topk_rows(scores, kMaxTopK + 1); },
                        {"topk_rows", std::to_string(kMaxTopK + 1).c_str()});
}

TEST(OpsErrors, OtherShapeChecks) {
  expect_error_mentions(
      [] {
        ops::add_bias(rand_cpu({3, 4}, 1), rand_cpu({5}, 2));
      },
      {"add_bias", "(5)", "(3, 4)"});
  expect_error_mentions([] { ops::bpr_loss(rand_cpu({4}, 1), rand_cpu({5}, 2)); },
                        {"bpr_loss", "(4)", "(5)"});
  expect_error_mentions(
      [] {
        ops::weighted_sum({rand_cpu({2, 2}, 1), rand_cpu({2, 3}, 2)}, {1.0f, 1.0f});
      },
      {"weighted_sum", "(2, 2)", "(2, 3)"});
  expect_error_mentions(
      [] {
        ops::weighted_sum({rand_cpu({2, 2}, 1)}, {1.0f, 2.0f});
      },
      {"weighted_sum", "1 tensors but 2 weights"});
  expect_error_mentions([] { ops::dropout(rand_cpu({2, 2}, 1), 1.0f, 0, 0); }, {"dropout", "p"});
  expect_error_mentions([] { ops::mean(Tensor::empty({0}, DType::F32)); }, {"mean", "empty"});
  const Tensor two = Tensor::from_vector<std::int32_t>({0, 1}, {2});
  expect_error_mentions(
      [&] {
        ops::gathered_row_dot(rand_cpu({3, 4}, 1), two, rand_cpu({3, 5}, 2), two);
      },
      {"gathered_row_dot", "(3, 4)", "(3, 5)"});
  expect_error_mentions(
      [&] {
        ops::gathered_row_dot(rand_cpu({3, 4}, 1), two, rand_cpu({3, 4}, 2),
                              Tensor::from_vector<std::int32_t>({0}, {1}));
      },
      {"gathered_row_dot", "same length"});
  expect_error_mentions(
      [&] {
        ops::gathered_row_dot(rand_cpu({3, 4}, 1), two, rand_cpu({1, 4}, 2), two);
      },
      {"gathered_row_dot", "1"});
}

// ---- the CUDA backend matches the CPU reference ---------------------------------------

class OpsOnDevice : public gnnrec::testing::DeviceTest {
 protected:
  // The same random tensor on the CPU and on device().
  struct Pair {
    Tensor cpu, dev;
  };
  Pair random_pair(const Shape& shape, std::uint64_t seed) const {
    Tensor cpu = rand_cpu(shape, seed);
    return {cpu, cpu.to(device())};
  }
  // Elementwise and row maps run the same per-element body (DESIGN
  // decision 10) with --fmad=false, so they agree to rounding: 1e-6. Sums
  // and products add in a different order on the GPU: a relative 1e-5 at
  // these sizes (a few hundred terms of O(1)).
  static constexpr float kTol = 1e-5f;
  void expect_match(const Tensor& on_device, const Tensor& on_cpu, float tol = kTol) const {
    EXPECT_EQ(on_device.device(), device());
    EXPECT_EQ(on_device.shape(), on_cpu.shape());
    EXPECT_ALL_CLOSE(on_device.to_vector<float>(), on_cpu.to_vector<float>(), tol, tol);
  }
};

TEST_P(OpsOnDevice, Elementwise) {
  const Pair a = random_pair({31, 17}, 1), b = random_pair({31, 17}, 2);
  const Pair bias = random_pair({17}, 3), c = random_pair({31, 17}, 4);
  expect_match(ops::add(a.dev, b.dev), ops::add(a.cpu, b.cpu));
  expect_match(ops::mul(a.dev, b.dev), ops::mul(a.cpu, b.cpu));
  expect_match(ops::scale(a.dev, 0.3f), ops::scale(a.cpu, 0.3f));
  expect_match(ops::add_bias(a.dev, bias.dev), ops::add_bias(a.cpu, bias.cpu));
  expect_match(ops::relu(a.dev), ops::relu(a.cpu));
  expect_match(ops::dropout(a.dev, 0.3f, 5, 9), ops::dropout(a.cpu, 0.3f, 5, 9));
  expect_match(ops::row_dot(a.dev, b.dev), ops::row_dot(a.cpu, b.cpu));
  expect_match(ops::weighted_sum({a.dev, b.dev, c.dev}, {0.5f, 0.25f, -1.0f}),
               ops::weighted_sum({a.cpu, b.cpu, c.cpu}, {0.5f, 0.25f, -1.0f}));
  expect_match(ops::row_l2_normalize(a.dev), ops::row_l2_normalize(a.cpu));
  Tensor y_dev = b.dev.clone(), y_cpu = b.cpu.clone();
  ops::add_scaled_(y_dev, -2.0f, a.dev);
  ops::add_scaled_(y_cpu, -2.0f, a.cpu);
  expect_match(y_dev, y_cpu);
}

TEST_P(OpsOnDevice, Reductions) {
  const Pair x = random_pair({1000, 17}, 5);
  expect_match(ops::sum(x.dev), ops::sum(x.cpu), 1e-4f);
  expect_match(ops::mean(x.dev), ops::mean(x.cpu), 1e-4f);
  expect_match(ops::column_sum(x.dev), ops::column_sum(x.cpu), 1e-4f);
}

TEST_P(OpsOnDevice, MatmulAllTransposeCases) {
  const std::int64_t m = 31, k = 17, n = 64;
  for (bool trans_a : {false, true}) {
    for (bool trans_b : {false, true}) {
      SCOPED_TRACE(std::string("trans_a=") + (trans_a ? "1" : "0") +
                   " trans_b=" + (trans_b ? "1" : "0"));
      const Pair a = random_pair(trans_a ? Shape{k, m} : Shape{m, k}, 6);
      const Pair b = random_pair(trans_b ? Shape{n, k} : Shape{k, n}, 7);
      expect_match(ops::matmul(a.dev, b.dev, trans_a, trans_b),
                   ops::matmul(a.cpu, b.cpu, trans_a, trans_b));
    }
  }
}

TEST_P(OpsOnDevice, SpmmAndGather) {
  const std::int32_t n_rows = 40, n_cols = 31;
  const std::vector<std::int32_t> rows = random_ints(200, 8, 0, n_rows);
  const std::vector<std::int32_t> cols = random_ints(200, 9, 0, n_cols);
  const Csr a_cpu = Csr::from_coo(n_rows, n_cols, rows, cols).row_normalized();
  const Pair x = random_pair({n_cols, 17}, 10);
  for (SpmmAlgo algo : {SpmmAlgo::WarpPerRow, SpmmAlgo::CusparseAlg2, SpmmAlgo::CusparseAlg3}) {
    SCOPED_TRACE(spmm_algo_name(algo));
    expect_match(ops::spmm(a_cpu.to(device()), x.dev, algo), ops::spmm(a_cpu, x.cpu));
  }
  const Tensor idx_cpu = Tensor::from_vector(random_ints(50, 11, 0, n_cols), {50});
  const Tensor idx_dev = idx_cpu.to(device());
  expect_match(ops::gather_rows(x.dev, idx_dev), ops::gather_rows(x.cpu, idx_cpu));
  Tensor dtable_dev = Tensor::zeros({n_cols, 17}, DType::F32, device());
  Tensor dtable_cpu = Tensor::zeros({n_cols, 17}, DType::F32);
  const Pair src = random_pair({50, 17}, 12);
  ops::scatter_add_rows_(dtable_dev, idx_dev, src.dev);
  ops::scatter_add_rows_(dtable_cpu, idx_cpu, src.cpu);
  expect_match(dtable_dev, dtable_cpu);
  const Tensor idx2_cpu = Tensor::from_vector(random_ints(50, 13, 0, n_cols), {50});
  expect_match(ops::gathered_row_dot(x.dev, idx_dev, x.dev, idx2_cpu.to(device())),
               ops::gathered_row_dot(x.cpu, idx_cpu, x.cpu, idx2_cpu));
}

TEST_P(OpsOnDevice, Losses) {
  const Pair pos = random_pair({1000}, 13), neg = random_pair({1000}, 14);
  std::vector<float> label_values(1000);
  for (std::size_t i = 0; i < label_values.size(); ++i)
    label_values[i] = (i % 3 == 0) ? 1.0f : 0.0f;
  const Tensor labels = Tensor::from_vector(label_values, {1000});
  expect_match(ops::bpr_loss(pos.dev, neg.dev), ops::bpr_loss(pos.cpu, neg.cpu), 1e-5f);
  expect_match(ops::bce_with_logits(pos.dev, labels.to(device())),
               ops::bce_with_logits(pos.cpu, labels), 1e-5f);
  expect_match(ops::squared_l2(pos.dev), ops::squared_l2(pos.cpu), 1e-5f);
}

// Same seed and step: the same negatives on both backends (DESIGN decision 2).
TEST_P(OpsOnDevice, SampleNegativesAreTheSame) {
  const std::int32_t n_users = 31, n_items = 50;
  const Csr positives = Csr::from_coo(n_users, n_items, random_ints(300, 15, 0, n_users),
                                      random_ints(300, 16, 0, n_items));
  const Tensor users = Tensor::from_vector(random_ints(1000, 17, 0, n_users), {1000});
  const Tensor on_cpu = ops::sample_negatives(positives, users, n_items, 3, 4);
  const Tensor on_device =
      ops::sample_negatives(positives.to(device()), users.to(device()), n_items, 3, 4);
  EXPECT_EQ(on_device.to_vector<std::int32_t>(), on_cpu.to_vector<std::int32_t>());
  const std::vector<std::int32_t> users_host = users.to_vector<std::int32_t>();
  const std::vector<std::int32_t> negatives = on_cpu.to_vector<std::int32_t>();
  for (std::size_t i = 0; i < negatives.size(); ++i) {
    EXPECT_FALSE(positives.contains(users_host[i], negatives[i])) << "sample " << i;
  }
}

// The mask and top-K select, so the two backends must agree exactly.
TEST_P(OpsOnDevice, MaskAndTopkAreTheSame) {
  const std::int32_t n_users = 31, n_items = 200;
  const Csr train = Csr::from_coo(n_users + 5, n_items, random_ints(400, 18, 0, n_users + 5),
                                  random_ints(400, 19, 0, n_items));
  const Pair scores = random_pair({n_users, n_items}, 20);
  Tensor masked_cpu = scores.cpu.clone(), masked_dev = scores.dev.clone();
  ops::apply_row_mask_(masked_cpu, train, 5);
  ops::apply_row_mask_(masked_dev, train.to(device()), 5);
  EXPECT_EQ(masked_dev.to_vector<float>(), masked_cpu.to_vector<float>());
  const ops::TopK top_cpu = ops::topk_rows(masked_cpu, 20);
  const ops::TopK top_dev = ops::topk_rows(masked_dev, 20);
  EXPECT_EQ(top_dev.values.to_vector<float>(), top_cpu.values.to_vector<float>());
  EXPECT_EQ(top_dev.indices.to_vector<std::int32_t>(), top_cpu.indices.to_vector<std::int32_t>());
}

// The backward closures on the device: gradients of a small two-layer
// model match the CPU's.
TEST_P(OpsOnDevice, AutogradGradientsMatchCpu) {
  const Csr a = Csr::from_coo(12, 12, random_ints(40, 21, 0, 12), random_ints(40, 22, 0, 12))
                    .row_normalized();
  const Tensor idx = Tensor::from_vector(random_ints(20, 23, 0, 12), {20});
  const Tensor labels = Tensor::from_vector(std::vector<float>(20, 1.0f), {20});
  auto gradients_on = [&](Device on, const Tensor& x0, const Tensor& w0, const Tensor& b0) {
    ag::Var x = ag::Var::parameter(x0.to(on)), w = ag::Var::parameter(w0.to(on));
    ag::Var bias = ag::Var::parameter(b0.to(on));
    const Csr a_on = a.to(on), a_t = a.transpose().to(on);
    ag::Tape t;
    ag::Var h = ag::spmm(t, a_on, a_t, x);
    h = ag::relu(t, ag::add_bias(t, ag::matmul(t, h, w, false, true), bias));
    h = ag::dropout(t, ag::row_l2_normalize(t, h), 0.2f, 1, 2);
    ag::Var rows = ag::gather_rows(t, h, idx.to(on));
    ag::Var logits = ag::row_dot(t, rows, ag::gather_rows(t, x, idx.to(on)));
    ag::Var loss =
        ag::add(t, ag::bce_with_logits(t, logits, labels.to(on)), ag::mean(t, ag::mul(t, x, x)));
    t.backward(loss);
    return std::vector<Tensor>{x.grad(), w.grad(), bias.grad()};
  };
  const Tensor x0 = rand_cpu({12, 8}, 24), w0 = rand_cpu({8, 8}, 25), b0 = rand_cpu({8}, 26);
  const std::vector<Tensor> ref = gradients_on(Device::cpu(), x0, w0, b0);
  const std::vector<Tensor> got = gradients_on(device(), x0, w0, b0);
  for (std::size_t i = 0; i < ref.size(); ++i) expect_match(got[i], ref[i], 1e-4f);
}

GNNREC_INSTANTIATE_DEVICE_TESTS(OpsOnDevice);

}  // namespace
}  // namespace gnnrec
