// Training and evaluation of link prediction with GraphSAGE (models/sage.h).
//
// The task: predict edges of one relation (s, name, t) -- users listening
// to artists, playlists containing tracks. Candidate sources are the nodes
// [src_begin, src_end) of type s, candidate destinations [dst_begin,
// dst_end) of type t (in a homogeneous graph both are ranges of the one
// type: the users, and the artists).
//
// An epoch visits the supervision edges once, shuffled with (seed, epoch),
// in batches. For a batch of B positives (u, v) it draws negatives_per_positive
// negatives (u, v') per positive on the device, v' uniform over the candidate
// destinations that are not a training edge of u (kernels/sampling.h), runs
// the full-graph encoder (every layer over the whole message graph; on the
// CPU the last layer only for the batch's nodes of a type when they are
// fewer than half of it, HeteroSage::encode's output_rows), decodes
// the B (1 + r) pairs and takes the mean binary cross-entropy with logits:
//   L = (1 / (B (1 + r))) [ sum_pos softplus(-z) + sum_neg softplus(z) ]
// then one Adam step over every parameter.
//
// Evaluation encodes once without dropout and scores given pairs (for
// ROC-AUC), or ranks all candidate destinations for each source (recall
// and NDCG@K, dot decoder only: a GEMM of the two embedding blocks).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/csr.h"
#include "models/evaluate.h"
#include "models/optim.h"
#include "models/sage.h"
#include "models/training.h"

namespace gnnrec {

struct LinkTask {
  int src_type = 0, dst_type = 0;
  std::int32_t src_begin = 0, src_end = 0, dst_begin = 0, dst_end = 0;
  std::vector<std::int32_t> train_src, train_dst;  // supervision positives (node ids)
  // Every training edge of the relation (message and supervision), as a
  // CSR of (src_end - src_begin, dst_end - dst_begin) local ids: what a
  // sampled negative must not be.
  Csr train_positives;
};

struct LinkTrainConfig {
  std::int32_t batch_size = 4096;
  int negatives_per_positive = 1;
  float lr = 5e-3f;
  float weight_decay = 0.0f;
  std::uint64_t seed = 42;
};

// The nodes of a training batch per node type (CPU; see find_batch_rows in
// models/link_trainer.cpp), in buffers kept from step to step.
struct BatchRows {
  std::vector<std::vector<char>> in_batch;             // per type: a flag per node
  std::vector<std::vector<std::int32_t>> rows;         // per type: sorted ids, or empty: every node
  std::vector<std::vector<std::int32_t>> row_of_node;  // per type: node -> index in rows
};

class LinkTrainer {
 public:
  LinkTrainer(HeteroSage& model, const SageGraph& graph, LinkTask task,
              const LinkTrainConfig& config, Device device);

  // Runs batches [first_batch, batches_per_epoch()) of epoch `epoch`
  // (1-based), calling keep_going(done, total) after each; stops after a
  // batch where it returns false (resume later from the next batch: the
  // order and negatives depend only on seed, epoch and step). A non-finite
  // loss is an Error naming the epoch and the step.
  EpochProgress train_epoch(int epoch, std::int64_t first_batch,
                            const std::function<bool(std::int64_t, std::int64_t)>& keep_going);
  std::int64_t batches_per_epoch() const;

  // Node representations in evaluation mode (no dropout), per type.
  std::vector<Tensor> encode() const;
  // Logits of pairs (node ids of the task's types) from representations `h`.
  std::vector<float> score(const std::vector<Tensor>& h, const std::vector<std::int32_t>& src,
                           const std::vector<std::int32_t>& dst) const;
  // Full ranking of the candidate destinations for every candidate source
  // with truth items (dot decoder). exclude and truth: local-id CSRs like
  // task().train_positives.
  RankingReport rank(const std::vector<Tensor>& h, const Csr& exclude, const Csr& truth,
                     const std::vector<int>& ks) const;

  const LinkTask& task() const { return task_; }
  Adam& optimizer() { return optimizer_; }

 private:
  HeteroSage& model_;
  const SageGraph& graph_;
  LinkTask task_;
  LinkTrainConfig config_;
  Device device_;
  Csr train_positives_on_device_;
  Adam optimizer_;
  BatchRows batch_rows_;  // empty on the GPU: its last layer makes every row
};

}  // namespace gnnrec
