// The command-line options of lightgcn_train: every flag, its default and its
// check, in one place (the program and the command-line fuzz target share it).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "io/dataset.h"

namespace gnnrec::app {

struct LightgcnOptions {
  // Data.
  std::string dataset = "movielens";
  std::string ratings = "data/ml-latest-small/ratings.csv";
  std::string movies = "data/ml-latest-small/movies.csv";
  float min_rating = 3.5f;
  std::string user_artists = "data/hetrec2011-lastfm-2k/user_artists.dat";
  std::string artists = "data/hetrec2011-lastfm-2k/artists.dat";
  std::string train_file = "../shared/datasets/gowalla/train.txt";
  std::string test_file = "../shared/datasets/gowalla/test.txt";
  std::string edges;
  std::string delimiter = "whitespace";
  int user_column = 0;
  int item_column = 1;
  bool header = false;
  double validation_fraction = -1.0;  // -1: 0.1, or 0 where the dataset gives its test split
  double test_fraction = 0.1;
  std::string cache_dir = io::default_cache_dir();
  bool no_cache = false;
  // Model and training (the paper's defaults).
  int layers = 3;
  std::int64_t dim = 64;
  float init_std = 0.1f;
  float lr = 1e-3f;
  float l2 = 1e-4f;
  int batch_size = 2048;
  int epochs = 100;
  // Evaluation.
  std::vector<int> ks = {20};
  int eval_every = 10;
  std::string select = "recall";
  int patience = 0;
  // Run.
  std::string device = "auto";
  int threads = 0;  // CPU threads; 0: OpenMP's default (one per core, or OMP_NUM_THREADS)
  std::uint64_t seed = 42;
  std::string out;
  int checkpoint_every = 1;
  bool resume = false;
  bool no_progress = false;
  std::string save_split;
  // Recommendation.
  std::string recommend_user;
  int top = 10;
  std::string checkpoint;
};

inline void add_lightgcn_options(CLI::App& app, LightgcnOptions& opt) {
  auto* data = "Data";
  app.add_option("--dataset", opt.dataset, "movielens, lastfm, gowalla or edgelist")
      ->capture_default_str()
      ->check(CLI::IsMember({"movielens", "lastfm", "gowalla", "edgelist"}))
      ->group(data);
  app.add_option("--ratings", opt.ratings, "MovieLens ratings.csv")
      ->capture_default_str()
      ->group(data);
  app.add_option("--movies", opt.movies, "MovieLens movies.csv (titles; \"\" for none)")
      ->capture_default_str()
      ->group(data);
  app.add_option("--min-rating", opt.min_rating,
                 "MovieLens: ratings at or above this are positives")
      ->capture_default_str()
      ->group(data);
  app.add_option("--user-artists", opt.user_artists, "Last.fm user_artists.dat")
      ->capture_default_str()
      ->group(data);
  app.add_option("--artists", opt.artists, "Last.fm artists.dat (names; \"\" for none)")
      ->capture_default_str()
      ->group(data);
  app.add_option("--train-file", opt.train_file, "Gowalla (LightGCN format) train.txt")
      ->capture_default_str()
      ->group(data);
  app.add_option("--test-file", opt.test_file, "Gowalla (LightGCN format) test.txt")
      ->capture_default_str()
      ->group(data);
  app.add_option("--edges", opt.edges, "edgelist: the file of user-item pairs")->group(data);
  app.add_option("--delimiter", opt.delimiter,
                 "edgelist: whitespace, tab, or one character such as ,")
      ->capture_default_str()
      ->group(data);
  app.add_option("--user-column", opt.user_column, "edgelist: 0-based column of the user id")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000))
      ->group(data);
  app.add_option("--item-column", opt.item_column, "edgelist: 0-based column of the item id")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000))
      ->group(data);
  app.add_flag("--header", opt.header, "edgelist: skip the first line")->group(data);
  app.add_option(
         "--validation-fraction", opt.validation_fraction,
         "share of edges for validation (default 0.1; 0 for gowalla, whose test split is given)")
      ->check(CLI::Range(0.0, 0.9))
      ->group(data);
  app.add_option("--test-fraction", opt.test_fraction, "share of edges for test (random splits)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.9))
      ->group(data);
  app.add_option("--cache-dir", opt.cache_dir, "where parsed datasets are cached")
      ->capture_default_str()
      ->group(data);
  app.add_flag("--no-cache", opt.no_cache, "always parse the files")->group(data);

  auto* model = "Model and training";
  app.add_option("--layers", opt.layers, "propagation layers K (0 = BPR-MF)")
      ->capture_default_str()
      ->check(CLI::Range(0, 16))
      ->group(model);
  app.add_option("--dim", opt.dim, "embedding dimension")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40))
      ->group(model);
  app.add_option("--init-std", opt.init_std, "std of the normal initial embeddings")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->group(model);
  app.add_option("--lr", opt.lr, "Adam learning rate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->group(model);
  app.add_option("--l2", opt.l2, "L2 weight on the batch's layer-0 embeddings")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber)
      ->group(model);
  app.add_option("--batch-size", opt.batch_size, "BPR triples per step")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 24))
      ->group(model);
  app.add_option("--epochs", opt.epochs, "training epochs")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000))
      ->group(model);

  auto* eval = "Evaluation";
  app.add_option("--topk", opt.ks,
                 "the K of the metrics, e.g. --topk 10,20,50 (first: model selection)")
      ->capture_default_str()
      ->delimiter(',')
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->check(CLI::Range(1, 128))
      ->group(eval);
  app.add_option("--eval-every", opt.eval_every, "evaluate every N epochs (and after the last)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000))
      ->group(eval);
  app.add_option("--select", opt.select, "validation metric that picks the best model")
      ->capture_default_str()
      ->check(CLI::IsMember({"recall", "ndcg"}))
      ->group(eval);
  app.add_option("--patience", opt.patience,
                 "stop after N evaluations without improvement (0: never)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000))
      ->group(eval);

  auto* run = "Run";
  app.add_option("--device", opt.device, "auto, cpu, cuda or cuda:N")
      ->capture_default_str()
      ->group(run);
  app.add_option("--threads", opt.threads,
                 "CPU threads (0: one per core, or OMP_NUM_THREADS); results do not depend on it")
      ->capture_default_str()
      ->check(CLI::Range(0, 4096))
      ->group(run);
  app.add_option("--seed", opt.seed,
                 "seed of the split, the initial embeddings, the order and the negatives")
      ->capture_default_str()
      ->group(run);
  app.add_option("--out", opt.out, "output folder (default runs/lightgcn-<dataset>)")->group(run);
  app.add_option("--checkpoint-every", opt.checkpoint_every, "write last.ckpt every N epochs")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000))
      ->group(run);
  app.add_flag("--resume", opt.resume, "continue from <out>/last.ckpt")->group(run);
  app.add_flag("--no-progress", opt.no_progress, "no progress bar")->group(run);
  app.add_option("--save-split", opt.save_split,
                 "also write the split's edges (dense ids) to DIR/{train,validation,test}.csv")
      ->group(run);

  auto* rec = "Recommendation";
  app.add_option("--recommend", opt.recommend_user,
                 "print the top items for this user (raw id) from a trained model, then exit")
      ->group(rec);
  app.add_option("--top", opt.top, "how many items --recommend prints")
      ->capture_default_str()
      ->check(CLI::Range(1, 128))
      ->group(rec);
  app.add_option("--checkpoint", opt.checkpoint, "model for --recommend (default <out>/best.ckpt)")
      ->group(rec);
}

}  // namespace gnnrec::app
