// Uniform negative sampling with rejection of known positives
// (DESIGN decision 6, KERNELS.md section 5).
//
// For sample i with user u = users[i]: draw an item j uniformly in
// [0, n_items) from Philox (seed, kRngNegativeSampling, step, i), reject it
// if j is a positive of u (binary search in u's sorted row of `positives`),
// and retry up to kMaxNegativeDraws times. If every draw hit a positive, scan
// upward from the last draw (mod n_items) to the first non-positive; a user
// whose row holds every item gets -1. The result is uniform over u's
// non-positive items except in that (vanishingly rare) fallback.
// Same seed and step: the same samples on CPU and GPU.
// Cost, per sample: 16 bytes (users[i], neg_out[i], u's two row_ptr), a
// Philox block per 4 draws (10 rounds of two 32x32->64-bit products), and per
// draw a binary search reading ~ceil(log2(deg u + 1)) column ids, 4 bytes
// each. Expected draws 1 / (1 - deg u / n_items): at most 1.02 on Gowalla.
#pragma once

#include <cstdint>

#include "core/csr.h"
#include "core/hd.h"
#include "core/philox.h"
#include "kernels/backend.h"

namespace gnnrec {

constexpr int kMaxNegativeDraws = 32;

// True when `item` is in row `row` of `positives` (columns sorted).
GNNREC_HD inline bool csr_row_contains(const CsrView& positives, std::int32_t row,
                                       std::int32_t item) {
  std::int32_t lo = positives.row_ptr[row], hi = positives.row_ptr[row + 1];
  while (lo < hi) {
    std::int32_t mid = lo + (hi - lo) / 2;
    std::int32_t c = positives.col_idx[mid];
    if (c == item) return true;
    if (c < item)
      lo = mid + 1;
    else
      hi = mid;
  }
  return false;
}

// One negative for sample `i` of user `user` (the body both backends run).
GNNREC_HD inline std::int32_t sample_negative(const CsrView& positives, std::int32_t user,
                                              std::int32_t n_items, std::uint64_t seed,
                                              std::uint64_t step, std::int64_t i) {
  PhiloxWords words(seed, kRngNegativeSampling, step, static_cast<std::uint32_t>(i));
  std::int32_t item = 0;
  for (int draw = 0; draw < kMaxNegativeDraws; ++draw) {
    item = static_cast<std::int32_t>(bounded_uint32(static_cast<std::uint32_t>(n_items), words));
    if (!csr_row_contains(positives, user, item)) return item;
  }
  for (std::int32_t k = 1; k < n_items; ++k) {
    std::int32_t candidate = (item + k) % n_items;
    if (!csr_row_contains(positives, user, candidate)) return candidate;
  }
  return -1;
}

// neg_out[i] = a negative item of users[i], i < n.
template <class Backend>
void sample_negatives(std::int64_t n, const CsrView& positives, const std::int32_t* users,
                      std::int32_t n_items, std::uint64_t seed, std::uint64_t step,
                      std::int32_t* neg_out);

}  // namespace gnnrec
