// The command-line options of sage_train: every flag, its default and its
// check, in one place (the program and the command-line fuzz target share it).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace gnnrec::app {

struct SageOptions {
  // Data.
  std::string dataset = "lastfm";
  std::string user_artists = "data/hetrec2011-lastfm-2k/user_artists.dat";
  std::string user_friends = "data/hetrec2011-lastfm-2k/user_friends.dat";
  std::string artists = "data/hetrec2011-lastfm-2k/artists.dat";
  std::string mpd = "../shared/datasets/mpd-sample";
  int mpd_files = 0;
  int mpd_top = 0;
  std::string target;                 // default: listens (Last.fm), contains (MPD)
  std::vector<std::string> features;  // TYPE=PATH
  double validation_fraction = 0.1;
  double test_fraction = 0.1;
  double disjoint_train_ratio = 0.0;
  // Model.
  int layers = 2;
  std::int64_t hidden = 64;
  float dropout = 0.0f;
  bool normalize = false;
  bool no_embeddings = false;
  float init_std = 0.1f;
  std::string decoder = "dot";
  // Training.
  float lr = 5e-3f;
  float weight_decay = 0.0f;
  int batch_size = 4096;
  int negatives = 1;
  int epochs = 30;
  int patience = 0;
  // Evaluation.
  std::vector<int> ks = {20};
  // Run.
  std::string device = "auto";
  int threads = 0;  // CPU threads; 0: OpenMP's default (one per core, or OMP_NUM_THREADS)
  std::uint64_t seed = 42;
  std::string out;
  int checkpoint_every = 1;
  bool resume = false;
  bool no_progress = false;
  std::string save_split;
  // Using a trained model.
  std::vector<std::string> score_pair;  // SRC DST raw ids
  std::string recommend_src;
  int top = 10;
  std::string checkpoint;
};

inline void add_sage_options(CLI::App& app, SageOptions& opt) {
  auto* data = "Data";
  app.add_option("--dataset", opt.dataset, "lastfm, lastfm-homogeneous or mpd")
      ->capture_default_str()
      ->check(CLI::IsMember({"lastfm", "lastfm-homogeneous", "mpd"}))
      ->group(data);
  app.add_option("--user-artists", opt.user_artists, "Last.fm user_artists.dat")
      ->capture_default_str()
      ->group(data);
  app.add_option("--user-friends", opt.user_friends, "Last.fm user_friends.dat (\"\" for none)")
      ->capture_default_str()
      ->group(data);
  app.add_option("--artists", opt.artists, "Last.fm artists.dat (names; \"\" for none)")
      ->capture_default_str()
      ->group(data);
  app.add_option("--mpd", opt.mpd, "MPD: folder of mpd.slice.*.json files")
      ->capture_default_str()
      ->group(data);
  app.add_option("--mpd-files", opt.mpd_files, "MPD: read only the first N slice files (0: all)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber)
      ->group(data);
  app.add_option("--mpd-top", opt.mpd_top,
                 "MPD: keep only the N playlists with most followers (0: all)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber)
      ->group(data);
  app.add_option("--target", opt.target,
                 "relation to predict (default listens for Last.fm, contains for MPD)")
      ->group(data);
  app.add_option(
         "--features", opt.features,
         "input features of a node type from a CSV (raw_id,f1,f2,...): TYPE=FILE; repeatable")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->group(data);
  app.add_option("--validation-fraction", opt.validation_fraction,
                 "share of target edges for validation")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 0.9))
      ->group(data);
  app.add_option("--test-fraction", opt.test_fraction, "share of target edges for test")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 0.9))
      ->group(data);
  app.add_option("--disjoint-train-ratio", opt.disjoint_train_ratio,
                 "share of train edges used only as supervision, never as messages")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.95))
      ->group(data);

  auto* model = "Model";
  app.add_option("--layers", opt.layers, "SAGE layers")
      ->capture_default_str()
      ->check(CLI::Range(1, 8))
      ->group(model);
  app.add_option("--hidden", opt.hidden, "hidden (and embedding) width")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40))
      ->group(model);
  app.add_option("--dropout", opt.dropout, "dropout between layers")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.95))
      ->group(model);
  app.add_flag("--normalize", opt.normalize, "L2-normalize each layer's output rows")->group(model);
  app.add_flag("--no-embeddings", opt.no_embeddings,
               "no learnable embedding per node (every type then needs --features)")
      ->group(model);
  app.add_option("--init-std", opt.init_std, "std of the initial embeddings")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->group(model);
  app.add_option("--decoder", opt.decoder, "dot or mlp")
      ->capture_default_str()
      ->check(CLI::IsMember({"dot", "mlp"}))
      ->group(model);

  auto* training = "Training";
  app.add_option("--lr", opt.lr, "Adam learning rate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->group(training);
  app.add_option("--weight-decay", opt.weight_decay, "Adam weight decay (L2)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber)
      ->group(training);
  app.add_option("--batch-size", opt.batch_size, "supervision edges per step")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 24))
      ->group(training);
  app.add_option("--negatives", opt.negatives, "sampled negatives per positive")
      ->capture_default_str()
      ->check(CLI::Range(1, 100))
      ->group(training);
  app.add_option("--epochs", opt.epochs, "training epochs")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000))
      ->group(training);
  app.add_option("--patience", opt.patience,
                 "stop after N epochs without a better val AUC (0: never)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber)
      ->group(training);
  app.add_option("--topk", opt.ks, "K of the final recall/NDCG, e.g. --topk 10,20")
      ->capture_default_str()
      ->delimiter(',')
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->check(CLI::Range(1, 128))
      ->group(training);

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
                 "seed of the split, the initial weights, the order and the negatives")
      ->capture_default_str()
      ->group(run);
  app.add_option("--out", opt.out, "output folder (default runs/sage-<dataset>)")->group(run);
  app.add_option("--checkpoint-every", opt.checkpoint_every, "write last.ckpt every N epochs")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000))
      ->group(run);
  app.add_flag("--resume", opt.resume, "continue from <out>/last.ckpt")->group(run);
  app.add_flag("--no-progress", opt.no_progress, "no progress bar")->group(run);
  app.add_option("--save-split", opt.save_split,
                 "also write the split (node ids) to DIR: relations, supervision, validation, test")
      ->group(run);

  auto* use = "Using a trained model";
  app.add_option("--score", opt.score_pair, "print P(link) for SRC DST (raw ids), then exit")
      ->expected(2)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->group(use);
  app.add_option("--recommend", opt.recommend_src,
                 "print the top destinations for this source (raw id), then exit")
      ->group(use);
  app.add_option("--top", opt.top, "how many --recommend prints")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000))
      ->group(use);
  app.add_option("--checkpoint", opt.checkpoint,
                 "model for --score and --recommend (default <out>/best.ckpt)")
      ->group(use);
}

}  // namespace gnnrec::app
