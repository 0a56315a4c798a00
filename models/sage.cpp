// Heterogeneous GraphSAGE built from autograd ops; the math is in the header.
#include "models/sage.h"

#include <cmath>

#include "models/init.h"

namespace gnnrec {

SageGraph SageGraph::build(const HeteroGraph& graph, Device device) {
  SageGraph g;
  for (const NodeType& type : graph.node_types()) {
    g.counts.push_back(type.count);
    g.features.push_back(type.features.defined() ? type.features.to(device) : Tensor());
  }
  for (int r = 0; r < static_cast<int>(graph.relations().size()); ++r) {
    const Relation& relation = graph.relation(r);
    Edges edges;
    edges.src_type = graph.node_type_index(relation.src_type);
    edges.dst_type = graph.node_type_index(relation.dst_type);
    const Csr mean = mean_aggregation_csr(graph, r, Device::cpu());
    edges.mean = mean.to(device);
    edges.mean_transposed = mean.transpose().to(device);
    g.relations.push_back(std::move(edges));
  }
  return g;
}

ag::Var HeteroSage::Linear::forward(ag::Tape& tape, const ag::Var& x) const {
  ag::Var y = ag::matmul(tape, x, weight, false, true);
  return bias.defined() ? ag::add_bias(tape, y, bias) : y;
}

HeteroSage::Linear HeteroSage::make_linear(const std::string& name, std::int64_t in,
                                           std::int64_t out, bool bias) {
  const float bound = 1.0f / std::sqrt(static_cast<float>(in));
  Linear linear;
  auto salt = [&] { return static_cast<std::uint32_t>(parameters_.size()); };
  linear.weight = ag::Var::parameter(uniform_init(out, in, bound, seed_, salt(), device_));
  parameters_.push_back(linear.weight);
  parameter_names_.push_back(name + ".weight");
  if (bias) {
    linear.bias =
        ag::Var::parameter(uniform_init(1, out, bound, seed_, salt(), device_).reshape({out}));
    parameters_.push_back(linear.bias);
    parameter_names_.push_back(name + ".bias");
  }
  return linear;
}

HeteroSage::HeteroSage(const HeteroGraph& graph, const SageConfig& config, std::uint64_t seed,
                       Device device)
    : config_(config), seed_(seed), device_(device) {
  GNNREC_CHECK(config.layers >= 1, "GraphSAGE: layers must be >= 1, got " << config.layers);
  GNNREC_CHECK(config.hidden >= 1, "GraphSAGE: hidden must be >= 1, got " << config.hidden);
  GNNREC_CHECK(config.dropout >= 0.0f && config.dropout < 1.0f,
               "GraphSAGE: dropout must be in [0, 1), got " << config.dropout);
  const int n_types = static_cast<int>(graph.node_types().size());
  std::vector<bool> receives(static_cast<std::size_t>(n_types), false);
  for (const Relation& r : graph.relations()) {
    receives[static_cast<std::size_t>(graph.node_type_index(r.dst_type))] = true;
  }
  for (int t = 0; t < n_types; ++t) {
    const NodeType& type = graph.node_type(t);
    GNNREC_CHECK(receives[static_cast<std::size_t>(t)],
                 "GraphSAGE: node type '" << type.name
                                          << "' receives no messages (no relation ends in it); "
                                             "add the reverse relations");
    GNNREC_CHECK(
        config.embeddings || type.features.defined(),
        "GraphSAGE: node type '" << type.name << "' has no input features; turn embeddings on");
    ag::Var table;
    if (config.embeddings) {
      try {
        table =
            ag::Var::parameter(normal_init(type.count, config.hidden, config.init_std, seed,
                                           static_cast<std::uint32_t>(parameters_.size()), device));
      } catch (const OutOfMemory& e) {
        throw OutOfMemory(std::string(e.what()) + " for the " + type.name + " embedding table (" +
                              std::to_string(type.count) + " nodes x hidden " +
                              std::to_string(config.hidden) + " floats)",
                          e.where());
      }
      parameters_.push_back(table);
      parameter_names_.push_back(type.name + ".embedding");
    }
    embeddings_.push_back(table);
    input_.push_back(
        type.features.defined()
            ? make_linear(type.name + ".input", type.features.cols(), config.hidden, true)
            : Linear{});
  }
  for (int l = 0; l < config.layers; ++l) {
    std::vector<LayerRelation> layer;
    for (const Relation& r : graph.relations()) {
      const std::string prefix = "layer" + std::to_string(l + 1) + "." + r.name;
      LayerRelation lr;
      lr.neigh = make_linear(prefix + ".neigh", config.hidden, config.hidden, true);
      lr.root = make_linear(prefix + ".root", config.hidden, config.hidden, false);
      layer.push_back(lr);
    }
    layers_.push_back(std::move(layer));
  }
  if (config.decoder == SageDecoder::Mlp) {
    mlp_hidden_ = make_linear("decoder.hidden", config.hidden, config.hidden, true);
    mlp_out_ = make_linear("decoder.out", config.hidden, 1, true);
  }
}

std::vector<ag::Var> HeteroSage::encode(
    ag::Tape& tape, const SageGraph& graph, bool training, std::uint64_t step,
    const std::vector<std::vector<std::int32_t>>& output_rows) const {
  const std::size_t n_types = graph.counts.size();
  const float p = training ? config_.dropout : 0.0f;
  std::uint64_t dropout_call = 0;  // one mask per dropout in the step
  auto dropout = [&](const ag::Var& x) {
    return ag::dropout(tape, x, p, seed_, step * 1024 + dropout_call++);
  };
  GNNREC_CHECK(output_rows.empty() || output_rows.size() == n_types,
               "GraphSAGE: output rows need one list per node type, got " << output_rows.size());
  for (const std::vector<std::int32_t>& rows : output_rows) {
    GNNREC_CHECK(rows.empty() || device_.is_cpu(), "GraphSAGE: output rows are for the CPU");
  }

  std::vector<ag::Var> h(n_types);
  for (std::size_t t = 0; t < n_types; ++t) {
    if (embeddings_[t].defined()) h[t] = embeddings_[t];
    if (input_[t].weight.defined()) {
      ag::Var projected = input_[t].forward(tape, ag::Var::constant(graph.features[t]));
      h[t] = h[t].defined() ? ag::add(tape, h[t], projected) : projected;
    }
  }
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const bool last = l + 1 == layers_.size();
    // The root products of the relations into one type t all multiply h_t,
    // so they are taken at once: sum over r of W_root[r]·h_t =
    // (sum over r of W_root[r])·h_t, with the first relation into t.
    std::vector<ag::Var> root_weight(n_types);
    for (std::size_t r = 0; r < graph.relations.size(); ++r) {
      const auto t = static_cast<std::size_t>(graph.relations[r].dst_type);
      const ag::Var& w = layers_[l][r].root.weight;
      root_weight[t] = root_weight[t].defined() ? ag::add(tape, root_weight[t], w) : w;
    }
    std::vector<ag::Var> next(n_types);
    for (std::size_t r = 0; r < graph.relations.size(); ++r) {
      const SageGraph::Edges& edges = graph.relations[r];
      const LayerRelation& weights = layers_[l][r];
      const auto s = static_cast<std::size_t>(edges.src_type);
      const auto t = static_cast<std::size_t>(edges.dst_type);
      const bool root = !next[t].defined();  // the first relation into t
      // The destination rows: all of type t, or (last layer) the listed ones.
      const bool restricted = last && !output_rows.empty() && !output_rows[t].empty();
      Csr mean = edges.mean, mean_transposed = edges.mean_transposed;
      if (restricted) {
        mean = edges.mean.select_rows(output_rows[t]);
        mean_transposed = mean.transpose();
      }
      ag::Var h_t;
      if (root) {
        h_t = h[t];
        if (restricted) {
          const auto n_rows = static_cast<std::int64_t>(output_rows[t].size());
          h_t = ag::gather_rows(tape, h[t], Tensor::from_vector(output_rows[t], {n_rows}, device_));
        }
      }
      // W_neigh · mean(h_s) + b (+ W_root · h_t), the neighbours' product on
      // the side with fewer nodes (chosen by the types' sizes, so that a
      // restricted layer's rows are the same floats as the full layer's).
      ag::Var term = ag::sage_relation(tape, mean, mean_transposed, h[s], h_t, weights.neigh.weight,
                                       weights.neigh.bias, root ? root_weight[t] : ag::Var(),
                                       graph.counts[s] < graph.counts[t]);
      next[t] = next[t].defined() ? ag::add(tape, next[t], term) : term;
    }
    for (ag::Var& x : next) {
      if (config_.normalize) x = ag::row_l2_normalize(tape, x);
      if (!last) x = dropout(ag::relu(tape, x));
    }
    h = std::move(next);
  }
  return h;
}

ag::Var HeteroSage::decode_pairs(ag::Tape& tape, const ag::Var& src_table, const Tensor& src_idx,
                                 const ag::Var& dst_table, const Tensor& dst_idx, bool training,
                                 std::uint64_t step) const {
  if (config_.decoder == SageDecoder::Dot) {
    return ag::gathered_row_dot(tape, src_table, src_idx, dst_table, dst_idx);
  }
  return decode(tape, ag::gather_rows(tape, src_table, src_idx),
                ag::gather_rows(tape, dst_table, dst_idx), training, step);
}

ag::Var HeteroSage::decode(ag::Tape& tape, const ag::Var& src_rows, const ag::Var& dst_rows,
                           bool training, std::uint64_t step) const {
  if (config_.decoder == SageDecoder::Dot) return ag::row_dot(tape, src_rows, dst_rows);
  ag::Var hidden = ag::relu(tape, mlp_hidden_.forward(tape, ag::mul(tape, src_rows, dst_rows)));
  hidden = ag::dropout(tape, hidden, training ? config_.dropout : 0.0f, seed_, step * 1024 + 1023);
  ag::Var logits = mlp_out_.forward(tape, hidden);  // (n, 1)
  return ag::reshape(tape, logits, {logits.value().rows()});
}

}  // namespace gnnrec
