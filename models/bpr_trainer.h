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
// back. Each batch's loss is copied into a device buffer that is read once,
// at the end: a non-finite loss is then reported with its step.
//
// An epoch can stop early (keep_going returns false: Ctrl-C) and be resumed
// from its next batch: the order and the negatives depend only on (seed,
// epoch, step), so the resumed epoch is the one an uninterrupted run has.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/csr.h"
#include "models/lightgcn.h"
#include "models/optim.h"
#include "models/training.h"

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

  // Runs batches [first_batch, batches_per_epoch()) of epoch `epoch`
  // (1-based), calling keep_going(done, total) after each; stops after a
  // batch where it returns false. A non-finite loss is an Error naming the
  // epoch and the step.
  EpochProgress train_epoch(int epoch, std::int64_t first_batch,
                            const std::function<bool(std::int64_t, std::int64_t)>& keep_going);

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
