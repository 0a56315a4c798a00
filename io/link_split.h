// A split of one relation's edges for link prediction, like PyTorch
// Geometric's RandomLinkSplit.
//
// The target relation's edges are shuffled with the seed and cut into
// validation, test and train (io/split.h: the first validation_fraction · N
// shuffled edges, the next test_fraction · N, both rounded down, the rest
// train). A repeated edge counts once, so one pair is never both a train
// and an evaluation edge. Validation and test edges leave the graph: the
// returned message_graph holds only train edges in the target relation.
// Split the directed relation first, then make the message graph undirected
// (add_reverse_relations, or make_symmetric for a relation within one type),
// so no reverse of an evaluation edge carries a message. (A relation within
// one type that already holds both directions of a pair must be given one
// direction only: its reverse would otherwise stay behind as a message.)
//
// disjoint_train_ratio r, as in PyG: the first floor(r · n_train) shuffled
// train edges are the supervision edges (train_src, train_dst) and are
// removed from message passing; the other train edges are the message edges
// and are not supervised. Supervision and message edges are then disjoint,
// so the model never predicts an edge that it also passes as a message.
// With r = 0 (or floor(r · n_train) = 0) every train edge is both a message
// and a supervision edge. The message graph is the same for training and
// evaluation; to evaluate like PyG's validation data (messages over every
// train edge), append train_src/train_dst to the target relation.
//
// Validation and test get eval_negatives_per_positive negatives per
// positive, drawn once with the seed: distinct pairs, uniform over the
// non-edges of candidate_src × candidate_dst -- a source uniform over the
// nodes that are a source of some target edge and a destination uniform
// over those that are a destination of one, redrawn while the pair is an
// edge of the target relation (in any split), a pair already drawn, or,
// for a relation within one type, a node paired with itself. Where fewer
// such non-edges exist than negatives are asked for, an Error. Training
// negatives are drawn per epoch by the trainer.
//
// Other relations of the graph are copied unchanged.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/hetero_graph.h"

namespace gnnrec::io {

struct LinkSplitOptions {
  double validation_fraction = 0.1;
  double test_fraction = 0.1;
  double disjoint_train_ratio = 0.0;  // in [0, 1): share of train edges used only for supervision
  int eval_negatives_per_positive = 1;
  std::uint64_t seed = 42;
};

// Labeled pairs (src, dst) of the target relation: positives first, then negatives.
struct LinkExamples {
  std::vector<std::int32_t> src, dst;
  std::vector<float> label;  // 1 for an edge, 0 for a sampled non-edge
  std::int64_t size() const { return static_cast<std::int64_t>(src.size()); }
};

struct LinkSplit {
  HeteroGraph message_graph;  // the input graph, target relation cut down to message edges
  int target = -1;            // the target relation's index (same in both graphs)
  std::vector<std::int32_t> train_src, train_dst;  // supervision positives
  LinkExamples validation, test;
  // Sources and destinations that appear in the target relation (any split),
  // sorted: where negatives are drawn from.
  std::vector<std::int32_t> candidate_src, candidate_dst;
};

// `target` names a relation of `graph`. An Error for an unknown relation,
// fractions out of range (negative, or validation + test >= 1), a
// disjoint_train_ratio outside [0, 1), a negative
// eval_negatives_per_positive, a relation with no edges, or too few
// non-edges for the negatives.
LinkSplit random_link_split(const HeteroGraph& graph, const std::string& target,
                            const LinkSplitOptions& options);

}  // namespace gnnrec::io
