// What the trainers share: the record of one (possibly partial) epoch, and
// the check of its batch losses.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/error.h"

namespace gnnrec {

// What train_epoch ran.
struct EpochProgress {
  double loss_sum = 0.0;          // sum of the losses of the batches run
  std::int64_t batches_done = 0;  // the epoch's batches finished, counting from its first
  std::int64_t n_batches = 0;     // batches in a whole epoch
  bool complete() const { return batches_done == n_batches; }
};

// The sum of `losses` (batches first_batch, first_batch + 1, ... of epoch
// `epoch`, read back from the device); an Error naming the epoch and the
// step of the first non-finite one.
inline double sum_finite_losses(const std::vector<float>& losses, int epoch,
                                std::int64_t first_batch, std::int64_t n_batches) {
  double sum = 0.0;
  for (std::size_t b = 0; b < losses.size(); ++b) {
    const std::int64_t batch = first_batch + static_cast<std::int64_t>(b);
    GNNREC_CHECK(std::isfinite(losses[b]), "the training loss became "
                                               << losses[b] << " in epoch " << epoch << ", step "
                                               << (epoch - 1) * n_batches + batch + 1 << " (batch "
                                               << batch + 1 << " of " << n_batches
                                               << "); try a smaller --lr");
    sum += static_cast<double>(losses[b]);
  }
  return sum;
}

}  // namespace gnnrec
