// GraphSAGE for link prediction (Hamilton et al., NeurIPS 2017), with mean
// aggregation as PyTorch Geometric's SAGEConv, on a heterogeneous graph as
// PyG's to_hetero(..., aggr="sum") builds it.
//
// One layer, for a relation r = (s, name, t) and a node v of type t:
//   m_r(v) = mean over u with an edge u -> v in r of h_s(u)          (A_r · H_s)
//   h_t'(v) = sum over relations r into t of
//               W_neigh[r] · m_r(v) + b[r] + W_root[r] · h_t(v)
// optionally each output row L2-normalized; ReLU and dropout between
// layers (not after the last). A homogeneous graph is the case of one type
// and one relation: h' = W_neigh · mean(h_u) + b + W_root · h_v, SAGEConv
// exactly. A_r is the row-normalized (n_t, n_s) CSR of r's edges
// (core/hetero_graph.h, mean_aggregation_csr).
//
// The mean is linear, so W_neigh · m_r(v) = mean of W_neigh · h_s(u): the
// product is taken before the mean when type s has fewer nodes than t (on
// Last.fm, 1,892 users' rows instead of 17,632 artists' for user -> artist),
// after it otherwise; the bias is added after the mean either way. DGL's
// SAGEConv makes the same choice by width (lin_before_mp).
//
// The relations into t all multiply the same h_t by their W_root[r], so
// their root products are one: (sum over r of W_root[r]) · h_t, a 64 x 64
// sum of weights and one GEMM instead of one per relation (on Last.fm the
// users receive two relations, listened-by and friends).
//
// Backward of the mean: m = A·H_s gives dH_s += Aᵀ·dm. A is not symmetric
// (rows are divided by the destination's in-degree), so the backward needs
// Aᵀ as its own CSR, built once: SageGraph keeps both.
//
// Inputs: h_t at layer 0 is a learnable embedding row per node (when
// embeddings are on) plus W_in[t] · x_t + b_in[t] for a type with input
// features x_t. Decoders for a pair (u, v):
//   dot:  logit = h(u) · h(v)
//   mlp:  logit = w2 · dropout(relu(W1 (h(u) ⊙ h(v)) + b1)) + b2
// Parameters start as in PyTorch: Linear weights and biases uniform in
// ±1/sqrt(fan_in); embeddings normal(0, init_std), 0.1 by default (PyTorch's
// 1 overfits Last.fm sooner: test AUC 0.893 against 0.916 after 15-20 epochs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/hetero_graph.h"

namespace gnnrec {

enum class SageDecoder { Dot, Mlp };

struct SageConfig {
  int layers = 2;
  std::int64_t hidden = 64;
  float dropout = 0.0f;
  bool normalize = false;  // L2-normalize each layer's output rows
  bool embeddings = true;  // a learnable table per node type
  float init_std = 0.1f;   // of the embeddings (torch.nn.Embedding uses 1)
  SageDecoder decoder = SageDecoder::Dot;
};

// The message-passing structure of a HeteroGraph on one device.
struct SageGraph {
  struct Edges {
    int src_type = 0, dst_type = 0;
    Csr mean;             // A_r (n_dst, n_src)
    Csr mean_transposed;  // A_rᵀ, for the backward
  };
  std::vector<std::int32_t> counts;  // nodes per type
  std::vector<Tensor> features;      // per type on the device; undefined where none
  std::vector<Edges> relations;      // one per relation of the graph, in its order

  static SageGraph build(const HeteroGraph& graph, Device device);
};

class HeteroSage {
 public:
  HeteroSage(const HeteroGraph& graph, const SageConfig& config, std::uint64_t seed, Device device);

  // h_t for every node type t (index as in the graph), each (count_t, hidden).
  // `training` turns dropout on; `step` picks its masks.
  // With `output_rows` (CPU only) the last layer makes, for each type t with
  // a non-empty output_rows[t] (sorted distinct node ids), only those rows:
  // h_t is then (output_rows[t].size(), hidden), row i for node
  // output_rows[t][i]. A layer's rows are independent of each other, so they
  // are the rows the whole layer would give (a training step needs only the
  // batch's nodes: on Last.fm about a third of the artists).
  std::vector<ag::Var> encode(ag::Tape& tape, const SageGraph& graph, bool training,
                              std::uint64_t step,
                              const std::vector<std::vector<std::int32_t>>& output_rows = {}) const;

  // Logits (n) of pairs whose representations are the rows of src_rows and
  // dst_rows (n, hidden) each.
  ag::Var decode(ag::Tape& tape, const ag::Var& src_rows, const ag::Var& dst_rows, bool training,
                 std::uint64_t step) const;
  // decode of the pairs (src_table[src_idx[i]], dst_table[dst_idx[i]]); the
  // dot decoder without gathering the rows first (ag::gathered_row_dot).
  ag::Var decode_pairs(ag::Tape& tape, const ag::Var& src_table, const Tensor& src_idx,
                       const ag::Var& dst_table, const Tensor& dst_idx, bool training,
                       std::uint64_t step) const;

  // Every parameter, and its name ("layer1.listens.neigh.weight", ...), in a
  // fixed order: for the optimizer and checkpoints.
  const std::vector<ag::Var>& parameters() const { return parameters_; }
  const std::vector<std::string>& parameter_names() const { return parameter_names_; }
  const SageConfig& config() const { return config_; }

 private:
  struct Linear {
    ag::Var weight;  // (out, in)
    ag::Var bias;    // (out), or undefined
    ag::Var forward(ag::Tape& tape, const ag::Var& x) const;
  };
  struct LayerRelation {
    Linear neigh;  // with bias
    Linear root;   // without
  };
  Linear make_linear(const std::string& name, std::int64_t in, std::int64_t out, bool bias);

  SageConfig config_;
  std::uint64_t seed_;
  Device device_;
  std::vector<ag::Var> embeddings_;                 // per type, or undefined
  std::vector<Linear> input_;                       // per type with features
  std::vector<std::vector<LayerRelation>> layers_;  // [layer][relation]
  Linear mlp_hidden_, mlp_out_;                     // the MLP decoder
  std::vector<ag::Var> parameters_;
  std::vector<std::string> parameter_names_;
};

}  // namespace gnnrec
