// One epoch of BPR training for LightGCN (and BPR-MF, its K = 0 case).
//
// An epoch visits every training edge (u, i) once, in an order shuffled with
// (seed, epoch), in batches of batch_size (the last one smaller). For each
// batch: one negative item j per edge, drawn on the device and rejected
// while it is a training item of u (kernels/sampling.h; Philox keyed by
// (seed, step), so a run is the same on every backend and after a resume);
// a full propagation over Â (as in the paper); the BPR + L2 loss; backward;
// one dense Adam step.
//
// The shuffled edges of the epoch go to the device once, as two tensors that
// the batches slice; a step copies nothing from the host and reads nothing
// back. The epoch's mean loss is summed on the device and read once.
#pragma once

#include <cstdint>
#include <functional>

#include "core/csr.h"
#include "models/lightgcn.h"
#include "models/optim.h"

namespace gnnrec {

struct BprTrainConfig {
  std::int32_t batch_size = 2048;
  float lr = 1e-3f;
  float l2 = 1e-4f;
  std::uint64_t seed = 42;
};

class BprTrainer {
 public:
  // train: the (n_users, n_items) training graph on the CPU.
  BprTrainer(LightGcn& model, const Csr& train, const BprTrainConfig& config);

  // Runs epoch `epoch` (1-based) and returns its mean batch loss. Calls
  // on_batch(done, total) after each batch (for a progress bar). A
  // non-finite loss is an Error naming the epoch.
  double train_epoch(int epoch, const std::function<void(std::int64_t, std::int64_t)>& on_batch);

  std::int64_t batches_per_epoch() const;
  const Csr& adjacency() const { return adjacency_; }  // Â on the model's device
  Adam& optimizer() { return optimizer_; }

 private:
  LightGcn& model_;
  BprTrainConfig config_;
  Csr train_on_device_;  // for rejecting a user's positives as negatives
  Csr adjacency_;
  std::vector<std::int32_t> edge_users_;  // the training edges, in CSR order
  std::vector<std::int32_t> edge_items_;
  Adam optimizer_;
};

}  // namespace gnnrec
