// Philox-4x32-10, the counter-based random generator of Salmon et al.,
// "Parallel random numbers: as easy as 1, 2, 3" (SC'11), as in Random123 and
// cuRAND. Written once for host and device (DESIGN decision 2): the same
// (seed, counter) gives the same four words on the CPU and on the GPU, so
// negative samples and dropout masks agree between backends bit for bit.
//
//   one round:  (hi0, lo0) = M0 * c0,  (hi1, lo1) = M1 * c2      (32x32 -> 64 bits)
//               c = (hi1 ^ c1 ^ k0,  lo1,  hi0 ^ c3 ^ k1,  lo0)
//   ten rounds, the key bumped by (W0, W1) between rounds.
//
// How gnnrec forms counters: key = the run's 64-bit seed; the counter holds
// what the numbers are for (RngPurpose), the step, and the element or sample
// index (philox_block). Nothing is stateful: any thread computes any draw.
#pragma once

#include <cstdint>

#include "core/hd.h"

namespace gnnrec {

struct Philox4 {
  std::uint32_t w[4];
};

namespace philox_detail {
constexpr std::uint32_t kM0 = 0xD2511F53u;
constexpr std::uint32_t kM1 = 0xCD9E8D57u;
constexpr std::uint32_t kW0 = 0x9E3779B9u;
constexpr std::uint32_t kW1 = 0xBB67AE85u;
}  // namespace philox_detail

GNNREC_HD inline Philox4 philox4x32_10(Philox4 counter, std::uint32_t key0, std::uint32_t key1) {
  using namespace philox_detail;
  std::uint32_t c0 = counter.w[0], c1 = counter.w[1], c2 = counter.w[2], c3 = counter.w[3];
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key0 += kW0;
      key1 += kW1;
    }
    std::uint64_t p0 = static_cast<std::uint64_t>(kM0) * c0;
    std::uint64_t p1 = static_cast<std::uint64_t>(kM1) * c2;
    std::uint32_t hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
    std::uint32_t hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
    c0 = hi1 ^ c1 ^ key0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ key1;
    c3 = lo0;
  }
  return Philox4{{c0, c1, c2, c3}};
}

// Four random words for one draw. The 128-bit counter holds
//   w0 = index (which element or sample),  w1 = purpose << 16 | block,
//   w2, w3 = step (low, high 32 bits),
// so draws for different purposes, steps, elements or blocks never share a
// counter. `block` numbers consecutive blocks of one element (PhiloxWords).
GNNREC_HD inline Philox4 philox_block(std::uint64_t seed, std::uint32_t purpose, std::uint64_t step,
                                      std::uint32_t index, std::uint32_t block = 0) {
  Philox4 counter{{index, (purpose << 16) | (block & 0xFFFFu), static_cast<std::uint32_t>(step),
                   static_cast<std::uint32_t>(step >> 32)}};
  return philox4x32_10(counter, static_cast<std::uint32_t>(seed),
                       static_cast<std::uint32_t>(seed >> 32));
}

// Purposes used across gnnrec (one place, so no two uses collide).
enum RngPurpose : std::uint32_t {  // < 2^16
  kRngDropout = 1,
  kRngNegativeSampling = 2,
  kRngBatchSampling = 3,
  kRngInit = 4,
  kRngSplit = 5,
};

// A float uniform in [0, 1) from the top 24 bits of a word.
GNNREC_HD inline float uniform_float(std::uint32_t word) {
  return static_cast<float>(word >> 8) * (1.0f / 16777216.0f);
}

// Lemire's nearly divisionless bounded integer in [0, n), n > 0
// (arXiv 1805.10941). `next_word()` yields the next random word; the rare
// rejected draws consume more words in a fixed order, so it stays
// reproducible. Never x % n, which is biased.
template <class NextWord>
GNNREC_HD inline std::uint32_t bounded_uint32(std::uint32_t n, NextWord&& next_word) {
  std::uint64_t m = static_cast<std::uint64_t>(next_word()) * n;
  std::uint32_t low = static_cast<std::uint32_t>(m);
  if (low < n) {
    std::uint32_t threshold = (0u - n) % n;
    while (low < threshold) {
      m = static_cast<std::uint64_t>(next_word()) * n;
      low = static_cast<std::uint32_t>(m);
    }
  }
  return static_cast<std::uint32_t>(m >> 32);
}

// The stream of random words of one (seed, purpose, step, index): words
// 0..3 come from block 0, words 4..7 from block 1, and so on (up to 2^16
// blocks).
struct PhiloxWords {
  std::uint64_t seed;
  std::uint32_t purpose;
  std::uint64_t step;
  std::uint32_t index;
  std::uint32_t block = 0;
  int used = 4;
  Philox4 current{};

  GNNREC_HD PhiloxWords(std::uint64_t seed_, std::uint32_t purpose_, std::uint64_t step_,
                        std::uint32_t index_)
      : seed(seed_), purpose(purpose_), step(step_), index(index_) {}

  GNNREC_HD std::uint32_t operator()() {
    if (used == 4) {
      current = philox_block(seed, purpose, step, index, block++);
      used = 0;
    }
    // A select, not current.w[used]: a dynamic index would put the block in
    // local memory on the GPU.
    const int which = used++;
    return which == 0   ? current.w[0]
           : which == 1 ? current.w[1]
           : which == 2 ? current.w[2]
                        : current.w[3];
  }
};

}  // namespace gnnrec
