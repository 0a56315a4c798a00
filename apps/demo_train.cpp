// demo_train: BPR matrix factorization on MovieLens, end to end on either
// backend -- loader, split, device negative sampling, autograd, Adam and
// full-ranking evaluation beside the most-popular baseline. The
// foundation's working demo until lightgcn_train replaces it.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "core/autograd.h"
#include "core/device.h"
#include "core/ops.h"
#include "io/movielens.h"
#include "io/split.h"
#include "models/bpr_mf.h"
#include "models/evaluate.h"
#include "models/optim.h"

namespace {

using namespace gnnrec;

struct Options {
  std::string ratings = "data/ml-latest-small/ratings.csv";
  std::string device = "auto";
  float min_rating = 3.5f;
  double test_fraction = 0.2;
  std::int64_t dim = 64;
  int epochs = 100;
  int batch_size = 2048;
  float lr = 1e-3f;
  float l2 = 1e-4f;
  int top_k = 20;
  int eval_every = 20;
  std::uint64_t seed = 42;
};

Csr edges_to_csr(const io::Interactions& data, const std::vector<std::int64_t>& edges) {
  std::vector<std::int32_t> rows, cols;
  rows.reserve(edges.size());
  cols.reserve(edges.size());
  for (std::int64_t e : edges) {
    rows.push_back(data.user[static_cast<std::size_t>(e)]);
    cols.push_back(data.item[static_cast<std::size_t>(e)]);
  }
  return Csr::from_coo(data.users.size(), data.items.size(), rows, cols);
}

void print_metrics(const char* label, const RankingMetrics& m) {
  std::printf("  %-13s recall@%d %.4f  ndcg@%d %.4f  precision@%d %.4f  hit@%d %.4f\n", label, m.k,
              m.recall, m.k, m.ndcg, m.k, m.precision, m.k, m.hit_rate);
}

int run(const Options& opt) {
  const Device device = resolve_device(opt.device);
  io::Interactions data = io::read_movielens_ratings(opt.ratings, opt.min_rating);
  io::EdgeSplit split = io::random_edge_split(static_cast<std::int64_t>(data.user.size()), 0.0,
                                              opt.test_fraction, opt.seed);
  const Csr train = edges_to_csr(data, split.train);
  const Csr test = edges_to_csr(data, split.test);
  const Csr train_on_device = train.to(device);
  // The user of each train entry, in CSR order (a batch picks entries uniformly).
  std::vector<std::int32_t> train_rows;
  const std::vector<std::int32_t> train_degrees = train.row_degrees();
  for (std::int32_t u = 0; u < train.n_rows(); ++u) {
    train_rows.insert(train_rows.end(), static_cast<std::size_t>(train_degrees[u]), u);
  }
  const std::vector<std::int32_t> train_cols = train.col_idx().to_vector<std::int32_t>();
  std::printf("demo_train: BPR-MF on %s, device %s\n", opt.ratings.c_str(), device.str().c_str());
  std::printf("  %d users, %d items, %lld train and %lld test edges (rating >= %.1f)\n",
              data.users.size(), data.items.size(), static_cast<long long>(train.nnz()),
              static_cast<long long>(test.nnz()), opt.min_rating);

  BprMf model(data.users.size(), data.items.size(), opt.dim, 0.1f, opt.seed, device);
  AdamConfig adam_config;
  adam_config.lr = opt.lr;
  Adam optimizer({model.user_emb, model.item_emb}, adam_config);

  print_metrics("most popular", most_popular_baseline(train, test, opt.top_k));

  std::mt19937_64 batch_rng(opt.seed);
  std::uniform_int_distribution<std::int64_t> pick_edge(0, train.nnz() - 1);
  const std::int64_t n_batches = (train.nnz() + opt.batch_size - 1) / opt.batch_size;
  std::uint64_t step = 0;
  std::vector<std::int32_t> users(static_cast<std::size_t>(opt.batch_size));
  std::vector<std::int32_t> pos(users.size());
  for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
    auto start = std::chrono::steady_clock::now();
    Tensor epoch_loss = Tensor::zeros({1}, DType::F32, device);
    for (std::int64_t b = 0; b < n_batches; ++b, ++step) {
      for (std::size_t s = 0; s < users.size(); ++s) {
        std::int64_t e = pick_edge(batch_rng);
        users[s] = train_rows[static_cast<std::size_t>(e)];
        pos[s] = train_cols[static_cast<std::size_t>(e)];
      }
      Tensor users_t = Tensor::from_vector(users, {opt.batch_size}, device);
      Tensor pos_t = Tensor::from_vector(pos, {opt.batch_size}, device);
      Tensor neg_t =
          ops::sample_negatives(train_on_device, users_t, data.items.size(), opt.seed, step);
      ag::Tape tape;
      ag::Var loss = model.loss(tape, users_t, pos_t, neg_t, opt.l2);
      tape.backward(loss);
      optimizer.step();
      ops::add_scaled_(epoch_loss, 1.0f, loss.value());
    }
    const float mean_loss = epoch_loss.to_vector<float>()[0] / static_cast<float>(n_batches);
    GNNREC_CHECK(std::isfinite(mean_loss),
                 "loss became " << mean_loss << " in epoch " << epoch << "; try a smaller --lr");
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("epoch %3d  loss %.4f  %.2f s\n", epoch, mean_loss, seconds);
    if (epoch % opt.eval_every == 0 || epoch == opt.epochs) {
      print_metrics("BPR-MF", evaluate_ranking(model.user_emb.value(), model.item_emb.value(),
                                               train, test, opt.top_k));
    }
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{"demo_train: BPR matrix factorization on MovieLens ratings (gnnrec demo)"};
  app.add_option("--ratings", opt.ratings, "MovieLens ratings.csv")->capture_default_str();
  app.add_option("--device", opt.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--min-rating", opt.min_rating, "ratings at or above this are positives")
      ->capture_default_str();
  app.add_option("--test-fraction", opt.test_fraction, "share of edges held out for testing")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 0.9));
  app.add_option("--dim", opt.dim, "embedding dimension")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  app.add_option("--epochs", opt.epochs, "training epochs")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--batch-size", opt.batch_size, "BPR triples per step")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 24));
  app.add_option("--lr", opt.lr, "Adam learning rate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--l2", opt.l2, "L2 weight on the batch's embeddings")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--top-k", opt.top_k, "K of recall@K and NDCG@K")
      ->capture_default_str()
      ->check(CLI::Range(1, 128));
  app.add_option("--eval-every", opt.eval_every, "evaluate every N epochs")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--seed", opt.seed, "random seed")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    return run(opt);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "demo_train: error: %s\n", e.what());
    return 1;
  }
}
