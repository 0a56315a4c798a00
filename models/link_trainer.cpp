#include "models/link_trainer.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/ops.h"

namespace gnnrec {
namespace {

AdamConfig adam_config(const LinkTrainConfig& config) {
  AdamConfig adam;
  adam.lr = config.lr;
  adam.weight_decay = config.weight_decay;
  return adam;
}

// The decoder's inputs for one side of the batch's pairs: the rows of the
// final representations and the index of each pair's node among them.
struct DecoderRows {
  ag::Var rows;
  std::vector<Tensor> indices;  // one per group of pairs (positives, negatives)
};

// The batch's nodes of each type, sorted and distinct (CPU), into
// batch.rows: the last layer then makes only those rows (HeteroSage::encode's
// output_rows). A type is left whole (an empty list) when the batch holds
// half of its nodes or more: then computing every row costs less than
// gathering. The buffers are kept from step to step.
void find_batch_rows(const LinkTask& task, const std::vector<std::int32_t>& node_counts,
                     const std::vector<const Tensor*>& src_local,
                     const std::vector<const Tensor*>& dst_local, BatchRows& batch) {
  const std::size_t n_types = node_counts.size();
  batch.in_batch.resize(n_types);
  batch.rows.resize(n_types);
  batch.row_of_node.resize(n_types);
  for (std::size_t t = 0; t < n_types; ++t) {
    batch.in_batch[t].assign(static_cast<std::size_t>(node_counts[t]), 0);
    batch.rows[t].clear();
  }
  // A flag per node of each task type, then the flagged ids in order.
  auto flag_nodes = [&](int type, const std::vector<const Tensor*>& locals, std::int32_t begin) {
    std::vector<char>& flags = batch.in_batch[static_cast<std::size_t>(type)];
    for (const Tensor* local : locals) {
      const std::int32_t* data = local->data<std::int32_t>();
      for (std::int64_t i = 0; i < local->numel(); ++i) {
        flags[static_cast<std::size_t>(begin + data[i])] = 1;
      }
    }
  };
  flag_nodes(task.src_type, src_local, task.src_begin);
  flag_nodes(task.dst_type, dst_local, task.dst_begin);
  for (std::size_t t = 0; t < n_types; ++t) {
    const std::vector<char>& flags = batch.in_batch[t];
    std::vector<std::int32_t>& rows = batch.rows[t];
    std::vector<std::int32_t>& row_of_node = batch.row_of_node[t];
    for (std::size_t node = 0; node < flags.size(); ++node) {
      if (flags[node]) rows.push_back(static_cast<std::int32_t>(node));
    }
    if (2 * static_cast<std::int64_t>(rows.size()) >= node_counts[t]) rows.clear();
    row_of_node.resize(flags.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      row_of_node[static_cast<std::size_t>(rows[i])] = static_cast<std::int32_t>(i);
    }
  }
}

// The decoder rows of the nodes [begin, end) of `type` given by local ids:
// a slice of h when h has every row of the type, else the positions of
// the nodes in its row list (every node of the batch is in it).
DecoderRows decoder_rows(ag::Tape& tape, const ag::Var& h, const BatchRows& batch, int type,
                         std::int32_t begin, std::int32_t end,
                         const std::vector<const Tensor*>& locals) {
  DecoderRows out;
  const auto t = static_cast<std::size_t>(type);
  if (batch.rows.empty() || batch.rows[t].empty()) {
    out.rows = ag::slice_rows(tape, h, begin, end);
    for (const Tensor* local : locals) out.indices.push_back(*local);
    return out;
  }
  out.rows = h;
  const std::vector<std::int32_t>& row_of_node = batch.row_of_node[t];
  for (const Tensor* local : locals) {
    Tensor positions = Tensor::empty(local->shape(), DType::I32, local->device());
    const std::int32_t* ids = local->data<std::int32_t>();
    std::int32_t* position = positions.data<std::int32_t>();
    for (std::int64_t i = 0; i < local->numel(); ++i) {
      position[i] = row_of_node[static_cast<std::size_t>(begin + ids[i])];
    }
    out.indices.push_back(positions);
  }
  return out;
}

}  // namespace

LinkTrainer::LinkTrainer(HeteroSage& model, const SageGraph& graph, LinkTask task,
                         const LinkTrainConfig& config, Device device)
    : model_(model),
      graph_(graph),
      task_(std::move(task)),
      config_(config),
      device_(device),
      optimizer_(model.parameters(), adam_config(config)) {
  GNNREC_CHECK(!task_.train_src.empty() && task_.train_src.size() == task_.train_dst.size(),
               "link prediction: no supervision edges to train on");
  GNNREC_CHECK(config.batch_size >= 1, "batch size must be >= 1, got " << config.batch_size);
  GNNREC_CHECK(config.negatives_per_positive >= 1,
               "negatives per positive must be >= 1, got " << config.negatives_per_positive);
  GNNREC_CHECK(task_.train_positives.n_rows() == task_.src_end - task_.src_begin &&
                   task_.train_positives.n_cols() == task_.dst_end - task_.dst_begin,
               "link prediction: train_positives does not match the candidate ranges");
  train_positives_on_device_ = task_.train_positives.to(device);
}

std::int64_t LinkTrainer::batches_per_epoch() const {
  const auto n = static_cast<std::int64_t>(task_.train_src.size());
  return (n + config_.batch_size - 1) / config_.batch_size;
}

EpochProgress LinkTrainer::train_epoch(
    int epoch, std::int64_t first_batch,
    const std::function<bool(std::int64_t, std::int64_t)>& keep_going) {
  const auto n = static_cast<std::int64_t>(task_.train_src.size());
  const std::int64_t ratio = config_.negatives_per_positive;

  // This epoch's order from (seed, epoch); positives in local ids, and each
  // batch's negative sources (its positives' sources, `ratio` times) laid
  // out contiguously, so a batch is a slice of each array.
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(config_.seed ^ (0x9e3779b97f4a7c15ull * static_cast<std::uint64_t>(epoch)));
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<std::int32_t> src(order.size()), dst(order.size()), neg_src;
  neg_src.reserve(order.size() * static_cast<std::size_t>(ratio));
  for (std::size_t e = 0; e < order.size(); ++e) {
    src[e] = task_.train_src[static_cast<std::size_t>(order[e])] - task_.src_begin;
    dst[e] = task_.train_dst[static_cast<std::size_t>(order[e])] - task_.dst_begin;
  }
  const std::int64_t n_batches = batches_per_epoch();
  for (std::int64_t b = 0; b < n_batches; ++b) {
    const std::int64_t begin = b * config_.batch_size;
    const std::int64_t end = std::min(n, begin + config_.batch_size);
    for (std::int64_t k = 0; k < ratio; ++k) {
      neg_src.insert(neg_src.end(), src.begin() + begin, src.begin() + end);
    }
  }
  const Tensor epoch_src = Tensor::from_vector(src, {n}, device_);
  const Tensor epoch_dst = Tensor::from_vector(dst, {n}, device_);
  const Tensor epoch_neg_src = Tensor::from_vector(neg_src, {n * ratio}, device_);
  const std::int32_t n_dst = task_.dst_end - task_.dst_begin;

  GNNREC_CHECK(first_batch >= 0 && first_batch <= n_batches,
               "train_epoch: first batch " << first_batch << " of " << n_batches);
  Tensor batch_losses = Tensor::zeros({n_batches}, DType::F32, device_);
  EpochProgress progress;
  progress.n_batches = n_batches;
  progress.batches_done = first_batch;
  for (std::int64_t b = first_batch; b < n_batches; ++b) {
    const std::int64_t begin = b * config_.batch_size;
    const std::int64_t end = std::min(n, begin + config_.batch_size);
    const std::int64_t n_pos = end - begin;
    const auto step = static_cast<std::uint64_t>((epoch - 1) * n_batches + b);
    const Tensor pos_src = epoch_src.slice_rows(begin, end);
    const Tensor pos_dst = epoch_dst.slice_rows(begin, end);
    const Tensor neg_src_batch = epoch_neg_src.slice_rows(begin * ratio, end * ratio);
    const Tensor neg_dst =
        ops::sample_negatives(train_positives_on_device_, neg_src_batch, n_dst, config_.seed, step);

    ag::Tape tape;
    // On the CPU the last layer makes only the batch's rows; the GPU makes
    // them all (choosing the rows would read the negatives back to the host).
    const std::vector<const Tensor*> src_local = {&pos_src, &neg_src_batch};
    const std::vector<const Tensor*> dst_local = {&pos_dst, &neg_dst};
    if (device_.is_cpu()) {
      find_batch_rows(task_, graph_.counts, src_local, dst_local, batch_rows_);
    }
    const std::vector<ag::Var> h =
        model_.encode(tape, graph_, /*training=*/true, step, batch_rows_.rows);
    const DecoderRows sources =
        decoder_rows(tape, h[static_cast<std::size_t>(task_.src_type)], batch_rows_, task_.src_type,
                     task_.src_begin, task_.src_end, src_local);
    const DecoderRows destinations =
        decoder_rows(tape, h[static_cast<std::size_t>(task_.dst_type)], batch_rows_, task_.dst_type,
                     task_.dst_begin, task_.dst_end, dst_local);
    ag::Var pos_logits =
        model_.decode_pairs(tape, sources.rows, sources.indices[0], destinations.rows,
                            destinations.indices[0], true, step);
    ag::Var neg_logits =
        model_.decode_pairs(tape, sources.rows, sources.indices[1], destinations.rows,
                            destinations.indices[1], true, step);
    // Each bce is a mean; weight them by their counts for the mean over all pairs.
    const float n_all = static_cast<float>(n_pos * (1 + ratio));
    ag::Var loss = ag::add(
        tape,
        ag::scale(tape, ag::bce_with_logits(tape, pos_logits, Tensor::full({n_pos}, 1.0f, device_)),
                  static_cast<float>(n_pos) / n_all),
        ag::scale(
            tape,
            ag::bce_with_logits(tape, neg_logits, Tensor::full({n_pos * ratio}, 0.0f, device_)),
            static_cast<float>(n_pos * ratio) / n_all));
    tape.backward(loss);
    optimizer_.step();
    Tensor loss_slot = batch_losses.slice_rows(b, b + 1);
    loss_slot.copy_from(loss.value());
    progress.batches_done = b + 1;
    if (keep_going && !keep_going(b + 1, n_batches)) break;
  }
  const std::vector<float> losses =
      batch_losses.slice_rows(first_batch, progress.batches_done).to_vector<float>();
  progress.loss_sum = sum_finite_losses(losses, epoch, first_batch, n_batches);
  return progress;
}

std::vector<Tensor> LinkTrainer::encode() const {
  ag::Tape tape;
  std::vector<Tensor> h;
  for (const ag::Var& x : model_.encode(tape, graph_, /*training=*/false, 0))
    h.push_back(x.value());
  return h;
}

std::vector<float> LinkTrainer::score(const std::vector<Tensor>& h,
                                      const std::vector<std::int32_t>& src,
                                      const std::vector<std::int32_t>& dst) const {
  GNNREC_CHECK(src.size() == dst.size(),
               "score: " << src.size() << " sources but " << dst.size() << " destinations");
  if (src.empty()) return {};
  const auto n = static_cast<std::int64_t>(src.size());
  ag::Tape tape;  // constants only: records nothing
  return model_
      .decode_pairs(tape, ag::Var::constant(h[static_cast<std::size_t>(task_.src_type)]),
                    Tensor::from_vector(src, {n}, device_),
                    ag::Var::constant(h[static_cast<std::size_t>(task_.dst_type)]),
                    Tensor::from_vector(dst, {n}, device_), false, 0)
      .value()
      .to_vector<float>();
}

RankingReport LinkTrainer::rank(const std::vector<Tensor>& h, const Csr& exclude, const Csr& truth,
                                const std::vector<int>& ks) const {
  GNNREC_CHECK(model_.config().decoder == SageDecoder::Dot,
               "full ranking needs the dot decoder (an MLP would score every pair one by one)");
  return evaluate_ranking(
      h[static_cast<std::size_t>(task_.src_type)].slice_rows(task_.src_begin, task_.src_end),
      h[static_cast<std::size_t>(task_.dst_type)].slice_rows(task_.dst_begin, task_.dst_end),
      exclude, truth, ks);
}

}  // namespace gnnrec
