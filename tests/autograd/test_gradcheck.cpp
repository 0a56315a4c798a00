// Finite-difference checks of every differentiable op (DESIGN decision 3,
// STYLE habit 16), on the CPU backend.
//
// For each op, a scalar loss L is built from its output by a random-weighted
// sum (L = sum_i w_i out_i, w_i in [-1, 1] and never 0), so every entry of
// the output's gradient matters. Autograd's dL/dx is compared with central
// differences (L(x + h e_j) - L(x - h e_j)) / 2h, taken in double over the
// same float32 forward.
#include <cmath>
#include <functional>
#include <vector>

#include "core/autograd.h"
#include "core/csr.h"
#include "core/ops.h"
#include "tests/test_util.h"

namespace gnnrec {
namespace {

using ag::Tape;
using ag::Var;
using gnnrec::testing::random_floats;
using gnnrec::testing::random_tensor;

// Builds the scalar loss from the inputs (in the order given to the check).
using Forward = std::function<Var(Tape&, const std::vector<Var>&)>;

// Step and tolerance. Inputs and weights are O(1) and the losses O(1..10).
// - Rounding: each float32 loss carries a relative error of a few 1e-7, so
//   the difference quotient carries ~|L| * 1e-7 / h ~ 1e-4 for h = 5e-3.
// - Truncation: central differences err by h^2/6 * |f'''| ~ 4e-6 * |f'''|;
//   zero for the ops that are linear in each input (add, mul, matmul,
//   spmm, gather, ...), O(1) for the smooth nonlinear ones (losses,
//   normalize) at these input sizes.
// Both sit well under atol = 2e-3, rtol = 1e-2, while a wrong gradient (a
// missing term, a transposed product, a lost factor 1/n) is off by O(0.1).
constexpr double kStep = 5e-3;
constexpr float kAtol = 2e-3f;
constexpr float kRtol = 1e-2f;

float scalar_of(const Var& loss) { return loss.value().to_vector<float>().at(0); }

// L = sum_i w_i out_i with fixed weights from `seed`.
Var random_weighted_total(Tape& tape, const Var& out, std::uint64_t seed = 99) {
  Var weights = Var::constant(random_tensor(out.value().shape(), seed, Device::cpu()));
  return ag::sum(tape, ag::mul(tape, out, weights));
}

// Runs `forward` once with autograd and once per input element and side
// with perturbed constants, and compares the gradients of every input.
void expect_gradients_match(const std::vector<Tensor>& inputs, const Forward& forward) {
  std::vector<Var> params;
  for (const Tensor& input : inputs) params.push_back(Var::parameter(input.clone()));
  Tape tape;
  tape.backward(forward(tape, params));

  for (std::size_t i = 0; i < inputs.size(); ++i) {
    SCOPED_TRACE("input " + std::to_string(i) + " of shape " + shape_str(inputs[i].shape()));
    std::vector<Var> constants;
    for (const Tensor& input : inputs) constants.push_back(Var::constant(input));
    Tensor perturbed = inputs[i].clone();
    constants[i] = Var::constant(perturbed);
    float* x = perturbed.data<float>();

    std::vector<float> numeric(static_cast<std::size_t>(perturbed.numel()));
    for (std::int64_t j = 0; j < perturbed.numel(); ++j) {
      const float original = x[j];
      const float x_plus = static_cast<float>(original + kStep);
      const float x_minus = static_cast<float>(original - kStep);
      Tape no_grad_tape;  // constants only: records nothing
      x[j] = x_plus;
      const double loss_plus = scalar_of(forward(no_grad_tape, constants));
      x[j] = x_minus;
      const double loss_minus = scalar_of(forward(no_grad_tape, constants));
      x[j] = original;
      // Divide by the step actually taken in float32, not the nominal 2h.
      numeric[static_cast<std::size_t>(j)] =
          static_cast<float>((loss_plus - loss_minus) / (static_cast<double>(x_plus) - x_minus));
      EXPECT_EQ(no_grad_tape.size(), 0u);
    }
    ASSERT_TRUE(params[i].has_grad()) << "no gradient reached input " << i;
    const std::vector<float> analytic = params[i].grad().to_vector<float>();
    EXPECT_ALL_CLOSE(analytic, numeric, kAtol, kRtol);

    double max_abs = 0.0;
    for (float g : analytic) max_abs = std::max(max_abs, std::fabs(static_cast<double>(g)));
    EXPECT_GT(max_abs, 1e-3) << "a vanishing gradient would pass vacuously";
  }
}

// Random values with |x| in [0.2, 1]: away from relu's kink at 0.
Tensor random_away_from_zero(const Shape& shape, std::uint64_t seed) {
  std::int64_t n = 1;
  for (std::int64_t extent : shape) n *= extent;
  std::vector<float> values = random_floats(n, seed, 0.2f, 1.0f);
  std::vector<float> signs = random_floats(n, seed + 1);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] *= signs[i] < 0.0f ? -1.0f : 1.0f;
  return Tensor::from_vector(values, shape);
}

Tensor rand(const Shape& shape, std::uint64_t seed) {
  return random_tensor(shape, seed, Device::cpu());
}

// ---- one test per op ---------------------------------------------------------------

TEST(Gradcheck, Add) {
  expect_gradients_match({rand({3, 4}, 1), rand({3, 4}, 2)}, [](Tape& t, const auto& x) {
    return random_weighted_total(t, ag::add(t, x[0], x[1]));
  });
}

TEST(Gradcheck, Mul) {
  expect_gradients_match({rand({3, 4}, 3), rand({3, 4}, 4)}, [](Tape& t, const auto& x) {
    return random_weighted_total(t, ag::mul(t, x[0], x[1]));
  });
}

TEST(Gradcheck, Scale) {
  expect_gradients_match({rand({3, 4}, 5)}, [](Tape& t, const auto& x) {
    return random_weighted_total(t, ag::scale(t, x[0], -1.7f));
  });
}

TEST(Gradcheck, AddBias) {
  expect_gradients_match({rand({5, 3}, 6), rand({3}, 7)}, [](Tape& t, const auto& x) {
    return random_weighted_total(t, ag::add_bias(t, x[0], x[1]));
  });
}

TEST(Gradcheck, Relu) {
  expect_gradients_match({random_away_from_zero({4, 5}, 8)}, [](Tape& t, const auto& x) {
    return random_weighted_total(t, ag::relu(t, x[0]));
  });
}

TEST(Gradcheck, Dropout) {
  // Fixed (seed, step): the mask is a function of the counter, so it stays
  // the same under every perturbation.
  const float p = 0.4f;
  Tensor x = rand({8, 8}, 9);
  std::vector<float> out = ops::dropout(x, p, 17, 3).to_vector<float>();
  int n_dropped = 0;
  for (float v : out) n_dropped += v == 0.0f;
  ASSERT_GT(n_dropped, 0);
  ASSERT_LT(n_dropped, 64);
  expect_gradients_match({x}, [p](Tape& t, const auto& in) {
    return random_weighted_total(t, ag::dropout(t, in[0], p, 17, 3));
  });
}

TEST(Gradcheck, RowDot) {
  expect_gradients_match({rand({6, 5}, 10), rand({6, 5}, 11)}, [](Tape& t, const auto& x) {
    return random_weighted_total(t, ag::row_dot(t, x[0], x[1]));
  });
  // One input on both sides (squared row norms): the first side writes the
  // gradient, the second adds to it.
  expect_gradients_match({rand({6, 5}, 15)}, [](Tape& t, const auto& x) {
    return random_weighted_total(t, ag::row_dot(t, x[0], x[0]));
  });
  // relu's input feeding relu and row_dot: row_dot (recorded last) writes
  // the gradient first, relu's backward adds.
  expect_gradients_match({random_away_from_zero({6, 5}, 16), rand({6, 5}, 17)},
                         [](Tape& t, const auto& x) {
                           Var sum = ag::add(t, x[0], x[1]);
                           return random_weighted_total(t, ag::row_dot(t, ag::relu(t, sum), sum));
                         });
}

TEST(Gradcheck, WeightedSum) {
  expect_gradients_match({rand({4, 3}, 12), rand({4, 3}, 13), rand({4, 3}, 14)}, [](Tape& t,
                                                                                    const auto& x) {
    return random_weighted_total(t, ag::weighted_sum(t, {x[0], x[1], x[2]}, {0.5f, -1.25f, 2.0f}));
  });
}

TEST(Gradcheck, RowL2Normalize) {
  expect_gradients_match({rand({5, 4}, 15)}, [](Tape& t, const auto& x) {
    return random_weighted_total(t, ag::row_l2_normalize(t, x[0]));
  });
}

TEST(Gradcheck, Sum) {
  expect_gradients_match({rand({7, 3}, 16)}, [](Tape& t, const auto& x) {
    return random_weighted_total(t, ag::sum(t, x[0]));
  });
}

TEST(Gradcheck, Mean) {
  expect_gradients_match({rand({7, 3}, 17)}, [](Tape& t, const auto& x) {
    return random_weighted_total(t, ag::mean(t, x[0]));
  });
}

// C = op(A) op(B) with op(A) (3, 4), op(B) (4, 5): every trans combination.
TEST(Gradcheck, MatmulAllTransposeCases) {
  const std::int64_t m = 3, k = 4, n = 5;
  for (bool trans_a : {false, true}) {
    for (bool trans_b : {false, true}) {
      SCOPED_TRACE(std::string("trans_a=") + (trans_a ? "1" : "0") +
                   " trans_b=" + (trans_b ? "1" : "0"));
      const Shape a_shape = trans_a ? Shape{k, m} : Shape{m, k};
      const Shape b_shape = trans_b ? Shape{n, k} : Shape{k, n};
      expect_gradients_match({rand(a_shape, 18), rand(b_shape, 19)},
                             [trans_a, trans_b](Tape& t, const auto& x) {
                               Var c = ag::matmul(t, x[0], x[1], trans_a, trans_b);
                               EXPECT_EQ(c.value().shape(), (Shape{3, 5}));
                               return random_weighted_total(t, c);
                             });
    }
  }
}

// A non-square, non-symmetric A (4 x 6) with weighted entries: the backward
// must use Aᵀ, and a wrong one has the wrong shape or wrong values.
Csr nonsymmetric_csr() {
  return Csr::from_coo(4, 6, {0, 0, 1, 2, 2, 2, 3}, {1, 4, 0, 2, 3, 5, 4},
                       {0.5f, -1.5f, 2.0f, 0.25f, 1.0f, -0.75f, 1.25f});
}

TEST(Gradcheck, Spmm) {
  const Csr a = nonsymmetric_csr();
  const Csr a_transposed = a.transpose();
  expect_gradients_match({rand({6, 3}, 20)}, [&](Tape& t, const auto& x) {
    return random_weighted_total(t, ag::spmm(t, a, a_transposed, x[0]));
  });
}

// A square, non-symmetric A: the backward must use Aᵀ in every power.
TEST(Gradcheck, PropagationMean) {
  const Csr a = Csr::from_coo(5, 5, {0, 0, 1, 2, 2, 3, 4, 4}, {1, 4, 0, 2, 3, 4, 0, 2},
                              {0.5f, -1.5f, 2.0f, 0.25f, 1.0f, -0.75f, 1.25f, 0.5f});
  const Csr a_transposed = a.transpose();
  for (int n_powers : {1, 2, 3}) {
    SCOPED_TRACE("n_powers " + std::to_string(n_powers));
    expect_gradients_match({rand({5, 3}, 30 + n_powers)}, [&](Tape& t, const auto& x) {
      return random_weighted_total(t, ag::propagation_mean(t, a, a_transposed, x[0], n_powers));
    });
  }
}

// Every input of a SAGE relation term, both orders of the neighbour product,
// with a non-square A (6 sources, 4 destinations); and one Var as both the
// source and the destination rows (a user -> user relation).
TEST(Gradcheck, SageRelation) {
  const Csr mean = nonsymmetric_csr().row_normalized();  // (4, 6)
  const Csr mean_transposed = mean.transpose();
  for (bool project_first : {true, false}) {
    SCOPED_TRACE(project_first ? "project first" : "mean first");
    expect_gradients_match(
        {rand({6, 3}, 40), rand({4, 2}, 41), rand({5, 3}, 42), rand({5}, 43), rand({5, 2}, 44)},
        [&](Tape& t, const auto& x) {
          return random_weighted_total(t, ag::sage_relation(t, mean, mean_transposed, x[0], x[1],
                                                            x[2], x[3], x[4], project_first));
        });
  }
  // No root term (h_dst and W_root undefined).
  for (bool project_first : {true, false}) {
    SCOPED_TRACE(project_first ? "no root, project first" : "no root, mean first");
    expect_gradients_match(
        {rand({6, 3}, 60), rand({5, 3}, 61), rand({5}, 62)}, [&](Tape& t, const auto& x) {
          return random_weighted_total(t, ag::sage_relation(t, mean, mean_transposed, x[0], Var(),
                                                            x[1], x[2], Var(), project_first));
        });
  }
  const Csr square = Csr::from_coo(5, 5, {0, 0, 1, 2, 3, 4}, {1, 2, 0, 4, 3, 1}).row_normalized();
  const Csr square_transposed = square.transpose();
  expect_gradients_match({rand({5, 3}, 45), rand({3, 3}, 46), rand({3}, 47), rand({3, 3}, 48)},
                         [&](Tape& t, const auto& x) {
                           return random_weighted_total(
                               t, ag::sage_relation(t, square, square_transposed, x[0], x[0], x[1],
                                                    x[2], x[3], false));
                         });
}

TEST(SageRelation, RejectsShapesThatDoNotFit) {
  const Csr mean = nonsymmetric_csr().row_normalized();  // (4, 6)
  const Csr mean_transposed = mean.transpose();
  Tape t;
  const Var h_src = Var::parameter(rand({6, 3}, 50)), h_dst = Var::parameter(rand({4, 2}, 51));
  const Var w_neigh = Var::parameter(rand({5, 3}, 52)), bias = Var::parameter(rand({5}, 53));
  const Var w_root = Var::parameter(rand({5, 2}, 54));
  EXPECT_THROW(ag::sage_relation(t, mean, mean, h_src, h_dst, w_neigh, bias, w_root, true),
               Error);  // A instead of Aᵀ
  EXPECT_THROW(
      ag::sage_relation(t, mean, mean_transposed, h_dst, h_dst, w_neigh, bias, w_root, true),
      Error);  // 4 source rows for 6 sources
  EXPECT_THROW(
      ag::sage_relation(t, mean, mean_transposed, h_src, h_dst, w_root, bias, w_root, false),
      Error);  // W_neigh of the wrong width
  EXPECT_THROW(
      ag::sage_relation(t, mean, mean_transposed, h_src, h_dst, w_neigh, bias, Var(), true),
      Error);  // h_dst without W_root
}

// The forward against the layers summed one by one.
TEST(PropagationMean, IsTheMeanOfThePowers) {
  const Csr a = Csr::from_coo(5, 5, {0, 0, 1, 2, 2, 3, 4, 4}, {1, 4, 0, 2, 3, 4, 0, 2},
                              {0.5f, -1.5f, 2.0f, 0.25f, 1.0f, -0.75f, 1.25f, 0.5f});
  const Tensor x = rand({5, 7}, 35);
  std::vector<Tensor> powers = {x};
  for (int n_powers = 1; n_powers <= 4; ++n_powers) {
    powers.push_back(ops::spmm(a, powers.back()));
    const std::vector<float> weights(powers.size(), 1.0f / static_cast<float>(powers.size()));
    EXPECT_ALL_CLOSE(ops::propagation_mean(a, x, n_powers).to_vector<float>(),
                     ops::weighted_sum(powers, weights).to_vector<float>(), 1e-6, 1e-5)
        << "n_powers " << n_powers;
  }
  EXPECT_THROW(ops::propagation_mean(a, x, 0), Error);
  EXPECT_THROW(ops::propagation_mean(nonsymmetric_csr(), rand({6, 3}, 36), 1), Error);  // 4 x 6
}

TEST(Gradcheck, GatherRowsWithRepeatedIndices) {
  // Row 3 is gathered three times (its gradient is the sum of three rows);
  // rows 2 and 4 are never gathered (zero gradient). 0 and 1 appear once.
  const Tensor idx = Tensor::from_vector<std::int32_t>({3, 0, 3, 3, 1}, {5});
  Tensor table = rand({5, 3}, 21);
  expect_gradients_match({table}, [&](Tape& t, const auto& x) {
    return random_weighted_total(t, ag::gather_rows(t, x[0], idx));
  });
}

// Rows of two tables by index, with repeats on both sides; and one table
// on both sides (a homogeneous graph's dot decoder), its gradient the sum
// of the two scatters.
TEST(Gradcheck, GatheredRowDot) {
  const Tensor a_idx = Tensor::from_vector<std::int32_t>({3, 0, 3, 1, 3}, {5});
  const Tensor b_idx = Tensor::from_vector<std::int32_t>({1, 1, 0, 5, 2}, {5});
  expect_gradients_match({rand({5, 3}, 70), rand({6, 3}, 71)}, [&](Tape& t, const auto& x) {
    return random_weighted_total(t, ag::gathered_row_dot(t, x[0], a_idx, x[1], b_idx));
  });
  const Tensor same_idx = Tensor::from_vector<std::int32_t>({1, 0, 4, 1, 3}, {5});
  expect_gradients_match({rand({5, 3}, 72)}, [&](Tape& t, const auto& x) {
    return random_weighted_total(t, ag::gathered_row_dot(t, x[0], a_idx, x[0], same_idx));
  });
}

TEST(Gradcheck, SliceRowsOfTwoRangesAccumulate) {
  // Rows 2 and 3 are in both slices (their gradients add); row 6 in neither.
  expect_gradients_match({rand({7, 3}, 25)}, [](Tape& t, const auto& x) {
    return ag::add(t, random_weighted_total(t, ag::slice_rows(t, x[0], 0, 4), 5),
                   random_weighted_total(t, ag::slice_rows(t, x[0], 2, 6), 6));
  });
}

TEST(Gradcheck, Reshape) {
  expect_gradients_match({rand({4, 3}, 26)}, [](Tape& t, const auto& x) {
    return random_weighted_total(t, ag::reshape(t, x[0], {2, 6}));
  });
}

TEST(Gradcheck, BprLoss) {
  expect_gradients_match({rand({6}, 22), rand({6}, 23)}, [](Tape& t, const auto& x) {
    return random_weighted_total(t, ag::bpr_loss(t, x[0], x[1]));
  });
}

TEST(Gradcheck, BceWithLogits) {
  const Tensor labels = Tensor::from_vector<float>({0, 1, 1, 0, 1, 0, 0}, {7});
  expect_gradients_match({rand({7}, 24)}, [&](Tape& t, const auto& x) {
    return random_weighted_total(t, ag::bce_with_logits(t, x[0], labels));
  });
}

TEST(Gradcheck, SquaredL2) {
  expect_gradients_match({rand({4, 3}, 25)}, [](Tape& t, const auto& x) {
    return random_weighted_total(t, ag::squared_l2(t, x[0]));
  });
}

// ---- accumulation and composition ----------------------------------------------------

// x feeds three uses: both sides of x * x, and scale(x): dL/dx = w (2x + 3).
TEST(Gradcheck, TensorFeedingSeveralOpsAccumulates) {
  expect_gradients_match({rand({3, 4}, 26)}, [](Tape& t, const auto& x) {
    return random_weighted_total(t, ag::add(t, ag::mul(t, x[0], x[0]), ag::scale(t, x[0], 3.0f)));
  });
}

// The gradient through two branches equals the sum of the two branches'
// gradients taken separately.
TEST(Gradcheck, TwoBranchesEqualSumOfSeparateGradients) {
  const Tensor x_value = rand({4, 3}, 27);
  const Tensor y_value = rand({4, 3}, 28);
  auto branch_mul = [&](Tape& t, const Var& x) {
    return random_weighted_total(t, ag::mul(t, x, Var::constant(y_value)), 5);
  };
  auto branch_normalize = [&](Tape& t, const Var& x) {
    return random_weighted_total(t, ag::row_l2_normalize(t, x), 6);
  };
  auto gradient_of = [&](const std::function<Var(Tape&, const Var&)>& f) {
    Var x = Var::parameter(x_value.clone());
    Tape tape;
    tape.backward(f(tape, x));
    return x.grad().to_vector<float>();
  };
  const std::vector<float> both = gradient_of(
      [&](Tape& t, const Var& x) { return ag::add(t, branch_mul(t, x), branch_normalize(t, x)); });
  const std::vector<float> first = gradient_of(branch_mul);
  const std::vector<float> second = gradient_of(branch_normalize);
  std::vector<float> summed(first.size());
  for (std::size_t i = 0; i < summed.size(); ++i) summed[i] = first[i] + second[i];
  EXPECT_ALL_CLOSE(both, summed, 1e-6f, 1e-6f);
}

// Two LightGCN layers on a tiny user-item graph and their mean (one op), BPR on
// (user, positive, negative) triples and an L2 term on the layer-0 rows:
// every op of the LightGCN loss in one gradient check of the embeddings.
TEST(Gradcheck, TwoLayerLightGcnWithBpr) {
  const std::int32_t n_users = 3, n_items = 4, n_nodes = n_users + n_items;
  std::vector<std::int32_t> rows, cols;
  const std::vector<std::pair<int, int>> interactions = {{0, 0}, {0, 2}, {1, 1}, {1, 2},
                                                         {2, 3}, {2, 0}, {1, 3}};
  for (auto [user, item] : interactions) {
    rows.push_back(user);
    cols.push_back(n_users + item);
    rows.push_back(n_users + item);
    cols.push_back(user);
  }
  const Csr adjacency = Csr::from_coo(n_nodes, n_nodes, rows, cols).symmetric_normalized();
  const Tensor users = Tensor::from_vector<std::int32_t>({0, 1, 2, 0}, {4});
  const Tensor positives = Tensor::from_vector<std::int32_t>({3, 4, 6, 5}, {4});
  const Tensor negatives = Tensor::from_vector<std::int32_t>({4, 3, 5, 6}, {4});

  expect_gradients_match({rand({n_nodes, 4}, 29)}, [&](Tape& t, const auto& x) {
    const Var& embeddings = x[0];
    Var final_embeddings = ag::propagation_mean(t, adjacency, adjacency, embeddings, 2);
    Var user_rows = ag::gather_rows(t, final_embeddings, users);
    Var pos_scores = ag::row_dot(t, user_rows, ag::gather_rows(t, final_embeddings, positives));
    Var neg_scores = ag::row_dot(t, user_rows, ag::gather_rows(t, final_embeddings, negatives));
    Var l2 = ag::squared_l2(t, ag::gather_rows(t, embeddings, users));
    return ag::add(t, ag::bpr_loss(t, pos_scores, neg_scores), ag::scale(t, l2, 0.1f));
  });
}

// ---- the tape itself -----------------------------------------------------------------

TEST(Tape, OpsOnConstantsRecordNothing) {
  Tape tape;
  Var a = Var::constant(rand({2, 3}, 30));
  Var b = Var::constant(rand({2, 3}, 31));
  Var c = ag::relu(tape, ag::add(tape, a, b));
  EXPECT_FALSE(c.requires_grad());
  EXPECT_EQ(tape.size(), 0u);
  EXPECT_THROW(tape.backward(ag::sum(tape, c)), Error);
}

TEST(Tape, OnlyInputsThatNeedGradientsGetThem) {
  Tape tape;
  Var a = Var::parameter(rand({2, 3}, 32));
  Var b = Var::constant(rand({2, 3}, 33));
  tape.backward(ag::sum(tape, ag::mul(tape, a, b)));
  EXPECT_TRUE(a.has_grad());
  EXPECT_FALSE(b.has_grad());
  EXPECT_EQ(tape.size(), 0u) << "backward clears the tape";
}

TEST(Tape, ParameterGradientsAccumulateAcrossBackwardCalls) {
  Var x = Var::parameter(rand({3}, 34));
  for (int pass = 0; pass < 2; ++pass) {
    Tape tape;
    tape.backward(ag::sum(tape, ag::scale(tape, x, 2.0f)));
  }
  EXPECT_ALL_CLOSE(x.grad().to_vector<float>(), std::vector<float>(3, 4.0f), 0.0f, 0.0f);
  x.zero_grad();
  EXPECT_ALL_CLOSE(x.grad().to_vector<float>(), std::vector<float>(3, 0.0f), 0.0f, 0.0f);
}

TEST(Tape, BackwardNeedsAOneElementLoss) {
  Tape tape;
  Var x = Var::parameter(rand({3}, 35));
  try {
    tape.backward(ag::scale(tape, x, 2.0f));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(3)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gnnrec
