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
    const std::vector<ag::Var> h = model_.encode(tape, graph_, /*training=*/true, step);
    ag::Var sources = ag::slice_rows(tape, h[static_cast<std::size_t>(task_.src_type)],
                                     task_.src_begin, task_.src_end);
    ag::Var destinations = ag::slice_rows(tape, h[static_cast<std::size_t>(task_.dst_type)],
                                          task_.dst_begin, task_.dst_end);
    ag::Var pos_logits = model_.decode(tape, ag::gather_rows(tape, sources, pos_src),
                                       ag::gather_rows(tape, destinations, pos_dst), true, step);
    ag::Var neg_logits = model_.decode(tape, ag::gather_rows(tape, sources, neg_src_batch),
                                       ag::gather_rows(tape, destinations, neg_dst), true, step);
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
  ag::Var sources = ag::Var::constant(ops::gather_rows(h[static_cast<std::size_t>(task_.src_type)],
                                                       Tensor::from_vector(src, {n}, device_)));
  ag::Var destinations = ag::Var::constant(ops::gather_rows(
      h[static_cast<std::size_t>(task_.dst_type)], Tensor::from_vector(dst, {n}, device_)));
  return model_.decode(tape, sources, destinations, false, 0).value().to_vector<float>();
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
