// Tests of kernels/loss.h: BPR, BCE with logits and squared L2, forward and
// backward, on every device.
//
// Checks: hand-worked values; random inputs against the CPU reference (and
// the reference against a plain double computation written here); the
// backward against central finite differences of the forward (CPU); and
// stability at |x| = 100 and 1000, where a naive log(1 + exp(x)) overflows.
//
// Tolerances: expf and log1pf are correctly rounded on neither side (glibc:
// < 1 ulp; CUDA: expf <= 2 ulp, log1pf <= 1 ulp), so results that go
// through them are compared with atol = rtol = 1e-6 (about 8 ulp near 1);
// squared L2 uses only * and must match bit for bit.
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kernels/loss.h"
#include "tests/test_util.h"

namespace gnnrec {
namespace {

using testing::random_floats;
using Floats = std::vector<float>;

constexpr float kTranscendentalTol = 1e-6f;

class LossTest : public testing::DeviceTest {
 protected:
  Tensor upload(const Floats& values) {
    return Tensor::from_vector(values, {static_cast<std::int64_t>(values.size())}, device());
  }

  Floats bpr_forward(const Floats& pos, const Floats& neg) {
    const auto n = static_cast<std::int64_t>(pos.size());
    Tensor pos_t = upload(pos), neg_t = upload(neg), terms = upload(Floats(n, -1.0f));
    GNNREC_DISPATCH(device(), bpr_loss_forward, n, pos_t.data<float>(), neg_t.data<float>(),
                    terms.data<float>());
    return terms.to_vector<float>();
  }
  std::pair<Floats, Floats> bpr_backward(float scale, float dloss, const Floats& pos,
                                         const Floats& neg, const Floats& dpos0,
                                         const Floats& dneg0) {
    const auto n = static_cast<std::int64_t>(pos.size());
    Tensor dloss_t = upload({dloss}), pos_t = upload(pos), neg_t = upload(neg);
    Tensor dpos = upload(dpos0), dneg = upload(dneg0);
    GNNREC_DISPATCH(device(), bpr_loss_backward, n, scale, dloss_t.data<float>(),
                    pos_t.data<float>(), neg_t.data<float>(), dpos.data<float>(),
                    dneg.data<float>());
    return {dpos.to_vector<float>(), dneg.to_vector<float>()};
  }

  Floats bce_forward(const Floats& logits, const Floats& labels) {
    const auto n = static_cast<std::int64_t>(logits.size());
    Tensor z = upload(logits), y = upload(labels), terms = upload(Floats(n, -1.0f));
    GNNREC_DISPATCH(device(), bce_with_logits_forward, n, z.data<float>(), y.data<float>(),
                    terms.data<float>());
    return terms.to_vector<float>();
  }
  Floats bce_backward(float scale, float dloss, const Floats& logits, const Floats& labels,
                      const Floats& dlogits0) {
    const auto n = static_cast<std::int64_t>(logits.size());
    Tensor dloss_t = upload({dloss}), z = upload(logits), y = upload(labels);
    Tensor dz = upload(dlogits0);
    GNNREC_DISPATCH(device(), bce_with_logits_backward, n, scale, dloss_t.data<float>(),
                    z.data<float>(), y.data<float>(), dz.data<float>());
    return dz.to_vector<float>();
  }

  Floats l2_forward(const Floats& x) {
    const auto n = static_cast<std::int64_t>(x.size());
    Tensor x_t = upload(x), terms = upload(Floats(n, -1.0f));
    GNNREC_DISPATCH(device(), squared_l2_forward, n, x_t.data<float>(), terms.data<float>());
    return terms.to_vector<float>();
  }
  Floats l2_backward(float scale, float dloss, const Floats& x, const Floats& dx0) {
    const auto n = static_cast<std::int64_t>(x.size());
    Tensor dloss_t = upload({dloss}), x_t = upload(x), dx = upload(dx0);
    GNNREC_DISPATCH(device(), squared_l2_backward, n, scale, dloss_t.data<float>(),
                    x_t.data<float>(), dx.data<float>());
    return dx.to_vector<float>();
  }
};
GNNREC_INSTANTIATE_DEVICE_TESTS(LossTest);

// Random labels in {0, 1}.
Floats random_labels(std::int64_t n, std::uint64_t seed) {
  Floats labels(n);
  const std::vector<std::int32_t> bits = testing::random_ints(n, seed, 0, 2);
  for (std::int64_t i = 0; i < n; ++i) labels[i] = static_cast<float>(bits[i]);
  return labels;
}

std::vector<std::int64_t> test_sizes() {
  std::vector<std::int64_t> sizes;
  for (std::int64_t rows : testing::test_row_counts()) {
    for (std::int64_t width : testing::test_widths()) sizes.push_back(rows * width);
  }
  return sizes;
}

// ---- Hand-worked values ---------------------------------------------------

TEST_P(LossTest, BprHandWorked) {
  // x = pos - neg = [2, 0, -2]; term = log(1 + e^-x):
  //   log(1 + e^-2) = 0.126928011, log 2 = 0.693147181, log(1 + e^2) = 2.126928011
  const Floats pos = {2.0f, 0.0f, 1.0f}, neg = {0.0f, 0.0f, 3.0f};
  EXPECT_ALL_CLOSE(bpr_forward(pos, neg), (Floats{0.126928011f, 0.693147181f, 2.126928011f}),
                   kTranscendentalTol, kTranscendentalTol);
  // g = scale * dloss = 0.5 * 2 = 1; d term / d neg = sigmoid(-x) =
  //   [0.119202922, 0.5, 0.880797078]; dpos gets the negatives, added to 1.
  auto [dpos, dneg] = bpr_backward(0.5f, 2.0f, pos, neg, {1.0f, 1.0f, 1.0f}, {0.0f, 0.0f, 0.0f});
  EXPECT_ALL_CLOSE(dpos, (Floats{0.880797078f, 0.5f, 0.119202922f}), kTranscendentalTol,
                   kTranscendentalTol);
  EXPECT_ALL_CLOSE(dneg, (Floats{0.119202922f, 0.5f, 0.880797078f}), kTranscendentalTol,
                   kTranscendentalTol);
}

TEST_P(LossTest, BceHandWorked) {
  // term = max(z, 0) - z y + log(1 + e^-|z|):
  //   z = 0,  y = 1:  0 - 0 + log 2            = 0.693147181
  //   z = 2,  y = 0:  2 - 0 + log(1 + e^-2)    = 2.126928011
  //   z = -1, y = 1:  0 + 1 + log(1 + e^-1)    = 1.313261688
  const Floats z = {0.0f, 2.0f, -1.0f}, y = {1.0f, 0.0f, 1.0f};
  EXPECT_ALL_CLOSE(bce_forward(z, y), (Floats{0.693147181f, 2.126928011f, 1.313261688f}),
                   kTranscendentalTol, kTranscendentalTol);
  // g = 0.25 * 4 = 1; d term / d z = sigmoid(z) - y = [-0.5, 0.880797078, -0.731058579],
  // added to [0, 1, -1].
  EXPECT_ALL_CLOSE(bce_backward(0.25f, 4.0f, z, y, {0.0f, 1.0f, -1.0f}),
                   (Floats{-0.5f, 1.880797078f, -1.731058579f}), kTranscendentalTol,
                   kTranscendentalTol);
}

TEST_P(LossTest, SquaredL2HandWorked) {
  // x^2 of [3, -0.5, 0] = [9, 0.25, 0]; backward with g = 0.25 * 1:
  // dx += 0.25 * 2x = [1.5, -0.25, 0], added to [1, 1, 1]. All exact in float.
  const Floats x = {3.0f, -0.5f, 0.0f};
  EXPECT_EQ(l2_forward(x), (Floats{9.0f, 0.25f, 0.0f}));
  EXPECT_EQ(l2_backward(0.25f, 1.0f, x, {1.0f, 1.0f, 1.0f}), (Floats{2.5f, 0.75f, 1.0f}));
}

// ---- Random inputs against the reference -----------------------------------

TEST_P(LossTest, BprRandomMatchesReference) {
  for (std::int64_t n : test_sizes()) {
    SCOPED_TRACE("n = " + std::to_string(n));
    const Floats pos = random_floats(n, 10 + n, -3.0f, 3.0f);
    const Floats neg = random_floats(n, 20 + n, -3.0f, 3.0f);
    const Floats dpos0 = random_floats(n, 30 + n), dneg0 = random_floats(n, 40 + n);
    const float scale = 1.0f / static_cast<float>(n), dloss = 0.7f;

    Floats terms_ref(n), dpos_ref = dpos0, dneg_ref = dneg0;
    bpr_loss_forward<Cpu>(n, pos.data(), neg.data(), terms_ref.data());
    bpr_loss_backward<Cpu>(n, scale, &dloss, pos.data(), neg.data(), dpos_ref.data(),
                           dneg_ref.data());

    Floats terms_exact(n), dpos_exact(n), dneg_exact(n);
    const double g = static_cast<double>(scale * dloss);
    for (std::int64_t i = 0; i < n; ++i) {
      const double x = static_cast<double>(pos[i]) - neg[i];
      terms_exact[i] = static_cast<float>(std::log1p(std::exp(-x)));
      const double s = 1.0 / (1.0 + std::exp(x));  // sigmoid(-x)
      dpos_exact[i] = static_cast<float>(dpos0[i] - g * s);
      dneg_exact[i] = static_cast<float>(dneg0[i] + g * s);
    }
    EXPECT_ALL_CLOSE(terms_ref, terms_exact, kTranscendentalTol, kTranscendentalTol);
    EXPECT_ALL_CLOSE(dpos_ref, dpos_exact, kTranscendentalTol, kTranscendentalTol);
    EXPECT_ALL_CLOSE(dneg_ref, dneg_exact, kTranscendentalTol, kTranscendentalTol);

    EXPECT_ALL_CLOSE(bpr_forward(pos, neg), terms_ref, kTranscendentalTol, kTranscendentalTol);
    auto [dpos, dneg] = bpr_backward(scale, dloss, pos, neg, dpos0, dneg0);
    EXPECT_ALL_CLOSE(dpos, dpos_ref, kTranscendentalTol, kTranscendentalTol);
    EXPECT_ALL_CLOSE(dneg, dneg_ref, kTranscendentalTol, kTranscendentalTol);
  }
}

TEST_P(LossTest, BceRandomMatchesReference) {
  for (std::int64_t n : test_sizes()) {
    SCOPED_TRACE("n = " + std::to_string(n));
    const Floats z = random_floats(n, 50 + n, -4.0f, 4.0f);
    const Floats y = random_labels(n, 60 + n);
    const Floats dz0 = random_floats(n, 70 + n);
    const float scale = 1.0f / static_cast<float>(n), dloss = 1.3f;

    Floats terms_ref(n), dz_ref = dz0;
    bce_with_logits_forward<Cpu>(n, z.data(), y.data(), terms_ref.data());
    bce_with_logits_backward<Cpu>(n, scale, &dloss, z.data(), y.data(), dz_ref.data());

    Floats terms_exact(n), dz_exact(n);
    const double g = static_cast<double>(scale * dloss);
    for (std::int64_t i = 0; i < n; ++i) {
      const double zi = z[i], p = 1.0 / (1.0 + std::exp(-zi));
      // -[y log p + (1 - y) log(1 - p)], the textbook form (fine for |z| <= 4)
      terms_exact[i] = static_cast<float>(-(y[i] * std::log(p) + (1.0 - y[i]) * std::log(1.0 - p)));
      dz_exact[i] = static_cast<float>(dz0[i] + g * (p - y[i]));
    }
    EXPECT_ALL_CLOSE(terms_ref, terms_exact, kTranscendentalTol, kTranscendentalTol);
    EXPECT_ALL_CLOSE(dz_ref, dz_exact, kTranscendentalTol, kTranscendentalTol);

    EXPECT_ALL_CLOSE(bce_forward(z, y), terms_ref, kTranscendentalTol, kTranscendentalTol);
    EXPECT_ALL_CLOSE(bce_backward(scale, dloss, z, y, dz0), dz_ref, kTranscendentalTol,
                     kTranscendentalTol);
  }
}

TEST_P(LossTest, SquaredL2RandomMatchesReference) {
  for (std::int64_t n : test_sizes()) {
    SCOPED_TRACE("n = " + std::to_string(n));
    const Floats x = random_floats(n, 80 + n), dx0 = random_floats(n, 90 + n);
    const float scale = 1.0f / static_cast<float>(n), dloss = 0.3f;
    Floats terms_ref(n), dx_ref = dx0;
    squared_l2_forward<Cpu>(n, x.data(), terms_ref.data());
    squared_l2_backward<Cpu>(n, scale, &dloss, x.data(), dx_ref.data());

    Floats terms_exact(n), dx_exact(n);
    const double g = static_cast<double>(scale * dloss);
    for (std::int64_t i = 0; i < n; ++i) {
      terms_exact[i] = static_cast<float>(static_cast<double>(x[i]) * x[i]);
      dx_exact[i] = static_cast<float>(dx0[i] + g * 2.0 * x[i]);
    }
    // x * x rounds once: the double product rounded is the same float.
    EXPECT_ALL_CLOSE(terms_ref, terms_exact, 0.0f, 0.0f);
    // g * (2x) rounds once, then the add: 2 roundings of values <= |dx|.
    EXPECT_ALL_CLOSE(dx_ref, dx_exact, 1e-7f, 2.5e-7f);

    // Same float operations in the same order on both devices: identical bits.
    EXPECT_ALL_CLOSE(l2_forward(x), terms_ref, 0.0f, 0.0f);
    EXPECT_ALL_CLOSE(l2_backward(scale, dloss, x, dx0), dx_ref, 0.0f, 0.0f);
  }
}

// ---- Numerical stability --------------------------------------------------

TEST_P(LossTest, BprStableAtLargeMargins) {
  // x = pos - neg = [100, -100, -100, 100, 1000, -1000].
  // term = log(1 + e^-x) = [3.7e-44 ~ 0, 100, 100, ~0, 0, 1000];
  // d term / d neg = sigmoid(-x) = [~0, 1, 1, ~0, 0, 1]. A naive
  // log(1 + exp(-x)) overflows to inf at x = -1000.
  const Floats pos = {100.0f, -100.0f, 0.0f, 0.0f, 1000.0f, -1000.0f};
  const Floats neg = {0.0f, 0.0f, 100.0f, -100.0f, 0.0f, 0.0f};
  const Floats terms = bpr_forward(pos, neg);
  for (float t : terms) EXPECT_TRUE(std::isfinite(t)) << t;
  EXPECT_ALL_CLOSE(terms, (Floats{0.0f, 100.0f, 100.0f, 0.0f, 0.0f, 1000.0f}), 1e-30f, 1e-6f);
  auto [dpos, dneg] = bpr_backward(1.0f, 1.0f, pos, neg, Floats(6, 0.0f), Floats(6, 0.0f));
  for (float d : dpos) EXPECT_TRUE(std::isfinite(d)) << d;
  EXPECT_ALL_CLOSE(dneg, (Floats{0.0f, 1.0f, 1.0f, 0.0f, 0.0f, 1.0f}), 1e-30f, 1e-6f);
  EXPECT_ALL_CLOSE(dpos, (Floats{0.0f, -1.0f, -1.0f, 0.0f, 0.0f, -1.0f}), 1e-30f, 1e-6f);
}

TEST_P(LossTest, BceStableAtLargeLogits) {
  // term = max(z, 0) - z y + log(1 + e^-|z|):
  //   z = 100, y = 1 -> ~0;  z = -100, y = 0 -> ~0;  z = 100, y = 0 -> 100;
  //   z = -100, y = 1 -> 100;  z = 1000, y = 1 -> 0;  z = -1000, y = 1 -> 1000.
  // d/dz = sigmoid(z) - y = [0, ~0, 1, -1, 0, -1].
  const Floats z = {100.0f, -100.0f, 100.0f, -100.0f, 1000.0f, -1000.0f};
  const Floats y = {1.0f, 0.0f, 0.0f, 1.0f, 1.0f, 1.0f};
  const Floats terms = bce_forward(z, y);
  for (float t : terms) EXPECT_TRUE(std::isfinite(t)) << t;
  EXPECT_ALL_CLOSE(terms, (Floats{0.0f, 0.0f, 100.0f, 100.0f, 0.0f, 1000.0f}), 1e-30f, 1e-6f);
  const Floats dz = bce_backward(1.0f, 1.0f, z, y, Floats(6, 0.0f));
  for (float d : dz) EXPECT_TRUE(std::isfinite(d)) << d;
  EXPECT_ALL_CLOSE(dz, (Floats{0.0f, 0.0f, 1.0f, -1.0f, 0.0f, -1.0f}), 1e-30f, 1e-6f);
}

// ---- Backward against finite differences (CPU) -------------------------------
//
// Each term depends on its own element only, so d(sum of terms)/dx_i is the
// central difference of term_i; perturbing every element at once gives all
// of them in one pair of forward calls. The step h = 1e-3 is rounded to the
// float grid, so the quotient divides by the float difference actually
// taken. Error: float rounding of the terms (~2e-7 for terms up to 3)
// divided by 2h, ~1e-4, plus the truncation h^2 f''' / 6 < 1e-7; tolerance
// 5e-4 (times g). A wrong sign or a missing factor is off by ~0.1 or more.

constexpr double kFdStep = 1e-3;
constexpr double kFdTol = 5e-4;

template <class Forward>
std::vector<double> central_differences(const Floats& x, Forward forward) {
  const auto n = static_cast<std::int64_t>(x.size());
  Floats x_plus(n), x_minus(n), terms_plus(n), terms_minus(n);
  for (std::int64_t i = 0; i < n; ++i) {
    x_plus[i] = static_cast<float>(x[i] + kFdStep);
    x_minus[i] = static_cast<float>(x[i] - kFdStep);
  }
  forward(x_plus, terms_plus);
  forward(x_minus, terms_minus);
  std::vector<double> slopes(n);
  for (std::int64_t i = 0; i < n; ++i) {
    slopes[i] = (static_cast<double>(terms_plus[i]) - terms_minus[i]) /
                (static_cast<double>(x_plus[i]) - x_minus[i]);
  }
  return slopes;
}

void expect_gradient(const Floats& analytic, const std::vector<double>& slopes, double g) {
  ASSERT_EQ(analytic.size(), slopes.size());
  for (std::size_t i = 0; i < slopes.size(); ++i) {
    EXPECT_NEAR(analytic[i], g * slopes[i], kFdTol * std::fabs(g)) << "element " << i;
  }
}

TEST(LossGradCheck, BprMatchesFiniteDifferences) {
  const std::int64_t n = 1000;
  const Floats pos = random_floats(n, 1, -3.0f, 3.0f), neg = random_floats(n, 2, -3.0f, 3.0f);
  const float scale = 0.5f, dloss = 1.5f;
  Floats dpos(n, 0.0f), dneg(n, 0.0f);
  bpr_loss_backward<Cpu>(n, scale, &dloss, pos.data(), neg.data(), dpos.data(), dneg.data());
  const double g = static_cast<double>(scale) * dloss;
  expect_gradient(dpos,
                  central_differences(pos,
                                      [&](const Floats& p, Floats& terms) {
                                        bpr_loss_forward<Cpu>(n, p.data(), neg.data(),
                                                              terms.data());
                                      }),
                  g);
  expect_gradient(dneg,
                  central_differences(neg,
                                      [&](const Floats& q, Floats& terms) {
                                        bpr_loss_forward<Cpu>(n, pos.data(), q.data(),
                                                              terms.data());
                                      }),
                  g);
}

TEST(LossGradCheck, BceMatchesFiniteDifferences) {
  const std::int64_t n = 1000;
  const Floats z = random_floats(n, 3, -4.0f, 4.0f), y = random_labels(n, 4);
  const float scale = 0.25f, dloss = 2.0f;
  Floats dz(n, 0.0f);
  bce_with_logits_backward<Cpu>(n, scale, &dloss, z.data(), y.data(), dz.data());
  expect_gradient(dz,
                  central_differences(z,
                                      [&](const Floats& zz, Floats& terms) {
                                        bce_with_logits_forward<Cpu>(n, zz.data(), y.data(),
                                                                     terms.data());
                                      }),
                  static_cast<double>(scale) * dloss);
}

TEST(LossGradCheck, SquaredL2MatchesFiniteDifferences) {
  const std::int64_t n = 1000;
  const Floats x = random_floats(n, 5, -2.0f, 2.0f);
  const float scale = 0.1f, dloss = 3.0f;
  Floats dx(n, 0.0f);
  squared_l2_backward<Cpu>(n, scale, &dloss, x.data(), dx.data());
  expect_gradient(dx,
                  central_differences(x,
                                      [&](const Floats& xx, Floats& terms) {
                                        squared_l2_forward<Cpu>(n, xx.data(), terms.data());
                                      }),
                  static_cast<double>(scale) * dloss);
}

}  // namespace
}  // namespace gnnrec
