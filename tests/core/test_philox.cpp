// Philox-4x32-10: the Random123 known answers, the word stream, and the
// distributions built on it (bounded integers, uniform floats).
#include "core/philox.h"

#include <cstdint>
#include <vector>

#include "tests/test_util.h"

namespace gnnrec {
namespace {

void expect_words(const Philox4& got, std::uint32_t w0, std::uint32_t w1, std::uint32_t w2,
                  std::uint32_t w3) {
  EXPECT_EQ(got.w[0], w0);
  EXPECT_EQ(got.w[1], w1);
  EXPECT_EQ(got.w[2], w2);
  EXPECT_EQ(got.w[3], w3);
}

// Random123 tests/kat_vectors, philox4x32 with 10 rounds.
TEST(PhiloxTest, KnownAnswerZeros) {
  expect_words(philox4x32_10(Philox4{{0, 0, 0, 0}}, 0, 0), 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu,
               0x9b00dbd8u);
}

TEST(PhiloxTest, KnownAnswerAllOnes) {
  const std::uint32_t ones = 0xffffffffu;
  expect_words(philox4x32_10(Philox4{{ones, ones, ones, ones}}, ones, ones), 0x408f276du,
               0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu);
}

TEST(PhiloxTest, KnownAnswerPi) {
  expect_words(philox4x32_10(Philox4{{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}},
                             0xa4093822u, 0x299f31d0u),
               0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u);
}

TEST(PhiloxTest, BlockCounterLayout) {
  // philox_block puts index, purpose|block and the step into the counter and
  // the seed into the key (low word first).
  const std::uint64_t seed = 0x0123456789abcdefull, step = 0x0000000500000007ull;
  Philox4 expected =
      philox4x32_10(Philox4{{42u, (3u << 16) | 9u, 7u, 5u}}, 0x89abcdefu, 0x01234567u);
  Philox4 got = philox_block(seed, 3, step, 42, 9);
  for (int w = 0; w < 4; ++w) EXPECT_EQ(got.w[w], expected.w[w]) << "word " << w;
}

TEST(PhiloxTest, WordsStreamBlockZeroThenBlockOne) {
  PhiloxWords words(1234, kRngNegativeSampling, 56, 78);
  const Philox4 block0 = philox_block(1234, kRngNegativeSampling, 56, 78, 0);
  const Philox4 block1 = philox_block(1234, kRngNegativeSampling, 56, 78, 1);
  for (int w = 0; w < 4; ++w) EXPECT_EQ(words(), block0.w[w]) << "word " << w;
  for (int w = 0; w < 4; ++w) EXPECT_EQ(words(), block1.w[w]) << "word " << 4 + w;
}

TEST(PhiloxTest, DifferentPurposesStepsAndIndicesDiffer) {
  const Philox4 base = philox_block(1, kRngDropout, 0, 0);
  EXPECT_NE(base.w[0], philox_block(1, kRngNegativeSampling, 0, 0).w[0]);
  EXPECT_NE(base.w[0], philox_block(1, kRngDropout, 1, 0).w[0]);
  EXPECT_NE(base.w[0], philox_block(1, kRngDropout, 0, 1).w[0]);
  EXPECT_NE(base.w[0], philox_block(2, kRngDropout, 0, 0).w[0]);
}

TEST(PhiloxTest, BoundedUint32StaysInRange) {
  PhiloxWords words(7, kRngBatchSampling, 0, 0);
  for (std::uint32_t n : {1u, 2u, 3u, 7u, 1000u, 40981u, 0x80000001u, 0xffffffffu}) {
    for (int draw = 0; draw < 2000; ++draw) {
      std::uint32_t x = bounded_uint32(n, words);
      ASSERT_LT(x, n) << "n = " << n;
    }
  }
}

TEST(PhiloxTest, BoundedUint32IsUniformChiSquare) {
  // 70,000 draws in [0, 7): 10,000 expected per value. Chi-square with
  // 6 degrees of freedom; the critical value at p = 0.001 is 22.458.
  constexpr std::uint32_t n = 7;
  constexpr int n_draws = 70000;
  std::vector<int> counts(n, 0);
  for (int i = 0; i < n_draws; ++i) {
    PhiloxWords words(2024, kRngBatchSampling, 3, static_cast<std::uint32_t>(i));
    ++counts[bounded_uint32(n, words)];
  }
  const double expected = static_cast<double>(n_draws) / n;
  double chi_square = 0.0;
  for (int count : counts) chi_square += (count - expected) * (count - expected) / expected;
  EXPECT_LT(chi_square, 22.458);
}

TEST(PhiloxTest, BoundedUint32RejectsBelowThreshold) {
  // n = 2^31 + 1: threshold (2^32 - n) % n = 2^31 - 1, so a word whose
  // product's low half is below it is redrawn; the result consumes words in
  // order and stays reproducible.
  const std::uint32_t n = 0x80000001u;
  std::vector<std::uint32_t> script = {1u, 0x80000000u};  // 1*n: low = n, not < n: accepted
  std::size_t next = 0;
  EXPECT_EQ(bounded_uint32(n, [&] { return script[next++]; }), 0u);
  EXPECT_EQ(next, 1u);
  // word 2: m = 2n = 2^32 + 2, low = 2 < threshold: redrawn; then 0x80000000:
  // m = 2^62 + 2^31, high = 2^30.
  script = {2u, 0x80000000u};
  next = 0;
  EXPECT_EQ(bounded_uint32(n, [&] { return script[next++]; }), 0x40000000u);
  EXPECT_EQ(next, 2u);
}

TEST(PhiloxTest, UniformFloatInUnitInterval) {
  EXPECT_EQ(uniform_float(0u), 0.0f);
  EXPECT_LT(uniform_float(0xffffffffu), 1.0f);
  EXPECT_EQ(uniform_float(0xffffffffu), 1.0f - 1.0f / 16777216.0f);
  double sum = 0.0;
  constexpr int n_blocks = 25000;
  for (int i = 0; i < n_blocks; ++i) {
    Philox4 r = philox_block(99, kRngDropout, 0, static_cast<std::uint32_t>(i));
    for (std::uint32_t w : r.w) {
      const float u = uniform_float(w);
      ASSERT_GE(u, 0.0f);
      ASSERT_LT(u, 1.0f);
      sum += u;
    }
  }
  // Mean of 100,000 uniforms: standard deviation sqrt(1/12/1e5) ~ 0.00091.
  EXPECT_NEAR(sum / (4.0 * n_blocks), 0.5, 0.005);
}

}  // namespace
}  // namespace gnnrec
