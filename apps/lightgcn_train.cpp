// lightgcn_train: trains LightGCN (or BPR-MF, --layers 0) on a user-item
// dataset and evaluates it by full ranking beside the most-popular baseline;
// or, with --recommend, prints a trained model's top items for one user.
//
//   lightgcn_train --dataset movielens                  # bundled MovieLens, paper defaults
//   lightgcn_train --dataset gowalla --epochs 1000      # the paper's Gowalla split
//   lightgcn_train --dataset movielens --recommend 1 --top 10
//
// A run writes into --out (default runs/lightgcn-<dataset>): metrics.csv
// (one row per epoch), curves.svg (loss and metrics), last.ckpt (the whole
// training state, every --checkpoint-every epochs; --resume continues from
// it) and best.ckpt (the model with the best validation metric, which
// --recommend reads). docs/LIGHTGCN.md explains the model and the code.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "apps/app_util.h"
#include "apps/lightgcn_options.h"
#include "core/device.h"
#include "core/ops.h"
#include "io/checkpoint.h"
#include "io/dataset.h"
#include "io/files.h"
#include "io/run_log.h"
#include "models/bpr_trainer.h"
#include "models/evaluate.h"
#include "models/lightgcn.h"

namespace {

using namespace gnnrec;
using Options = app::LightgcnOptions;

// ---- Data -------------------------------------------------------------------

io::RecDataset load_dataset(const Options& opt) {
  io::SplitOptions split;
  split.seed = opt.seed;
  split.test_fraction = opt.test_fraction;
  const bool given_test_split = opt.dataset == "gowalla";
  split.validation_fraction =
      opt.validation_fraction >= 0 ? opt.validation_fraction : (given_test_split ? 0.0 : 0.1);
  std::ostringstream key;
  key << opt.dataset << " validation=" << split.validation_fraction
      << " test=" << split.test_fraction << " seed=" << split.seed;

  std::vector<std::string> files;
  std::function<io::RecDataset()> load;
  if (opt.dataset == "movielens") {
    files = {opt.ratings, opt.movies};
    key << " min_rating=" << opt.min_rating;
    load = [&] { return io::load_movielens(opt.ratings, opt.movies, opt.min_rating, split); };
  } else if (opt.dataset == "lastfm") {
    files = {opt.user_artists, opt.artists};
    load = [&] { return io::load_lastfm(opt.user_artists, opt.artists, split); };
  } else if (opt.dataset == "gowalla") {
    files = {opt.train_file, opt.test_file};
    load = [&] { return io::load_lightgcn_txt(opt.train_file, opt.test_file, split); };
  } else {  // edgelist
    GNNREC_CHECK(!opt.edges.empty(), "--dataset edgelist needs --edges FILE");
    io::EdgeListFormat format;
    format.delimiter = opt.delimiter == "whitespace" ? 0
                       : opt.delimiter == "tab"      ? '\t'
                                                     : opt.delimiter[0];
    format.user_column = opt.user_column;
    format.item_column = opt.item_column;
    format.header = opt.header;
    files = {opt.edges};
    key << " delimiter=" << static_cast<int>(format.delimiter) << " columns=" << format.user_column
        << "," << format.item_column << " header=" << format.header;
    load = [=] { return io::load_edge_list(opt.edges, format, split); };
  }
  files.erase(std::remove(files.begin(), files.end(), std::string()), files.end());
  for (const std::string& file : files) {
    GNNREC_CHECK(io::file_exists(file),
                 file << ": no such file (pick the " << opt.dataset
                      << " files with the path flags; see lightgcn_train --help)");
  }
  bool was_cached = false;
  io::RecDataset data =
      io::load_cached(opt.no_cache ? "" : opt.cache_dir, key.str(), files, load, &was_cached);
  GNNREC_CHECK(data.train.size() > 0, opt.dataset << ": the split left no training edges");
  std::printf("data: %s%s\n", data.description.c_str(), was_cached ? " (from the cache)" : "");
  return data;
}

Csr to_csr(const io::EdgeList& edges, const io::RecDataset& data) {
  return Csr::from_coo(data.n_users(), data.n_items(), edges.user, edges.item);
}

Csr union_csr(const std::vector<const io::EdgeList*>& parts, const io::RecDataset& data) {
  io::EdgeList all;
  for (const io::EdgeList* part : parts) {
    all.user.insert(all.user.end(), part->user.begin(), part->user.end());
    all.item.insert(all.item.end(), part->item.begin(), part->item.end());
  }
  return to_csr(all, data);
}

// The CSRs training and evaluation need, all on the CPU.
struct Graphs {
  Csr train;                 // message passing and the mask for validation
  Csr validation;            // truth for model selection (may be empty)
  Csr test;                  // truth for the final report
  Csr train_and_validation;  // the mask for test
};

Graphs make_graphs(const io::RecDataset& data) {
  Graphs g;
  g.train = to_csr(data.train, data);
  g.validation = to_csr(data.validation, data);
  g.test = to_csr(data.test, data);
  g.train_and_validation = union_csr({&data.train, &data.validation}, data);
  return g;
}

// DIR/{train,validation,test}.csv ("user,item", dense ids) and DIR/info.txt:
// the exact split, for other programs (bench/race/) to train on.
void save_split(const std::string& dir, const io::RecDataset& data) {
  io::make_directories(dir);
  auto write_edges = [&](const std::string& name, const io::EdgeList& edges) {
    std::ostringstream csv;
    csv << "user,item\n";
    for (std::int64_t e = 0; e < edges.size(); ++e) {
      csv << edges.user[static_cast<std::size_t>(e)] << ','
          << edges.item[static_cast<std::size_t>(e)] << '\n';
    }
    io::write_file_atomically(dir + "/" + name + ".csv", csv.str());
  };
  write_edges("train", data.train);
  write_edges("validation", data.validation);
  write_edges("test", data.test);
  std::ostringstream info;
  info << "dataset " << data.name << "\nn_users " << data.n_users() << "\nn_items "
       << data.n_items() << "\n";
  io::write_file_atomically(dir + "/info.txt", info.str());
  std::printf("wrote the split to %s/{train,validation,test}.csv\n", dir.c_str());
}

// ---- Printing ------------------------------------------------------------------

std::string metrics_text(const RankingReport& report) {
  std::ostringstream text;
  text.setf(std::ios::fixed);
  text.precision(4);
  for (const RankingMetrics& m : report.at_k) {
    text << "recall@" << m.k << " " << m.recall << "  ndcg@" << m.k << " " << m.ndcg << "  ";
  }
  return text.str();
}

void print_report(const char* label, const RankingReport& report) {
  std::printf("  %-26s %s\n", label, metrics_text(report).c_str());
  for (const RankingMetrics& m : report.at_k) {
    std::printf("  %-26s precision@%d %.4f  hit@%d %.4f\n", "", m.k, m.precision, m.k, m.hit_rate);
  }
  std::printf("  %-26s (%lld users evaluated, %lld without held-out items skipped)\n", "",
              static_cast<long long>(report.n_users_evaluated),
              static_cast<long long>(report.n_users_skipped));
}

double selection_score(const RankingReport& report, const std::string& select) {
  const RankingMetrics& m = report.at_k.front();
  return select == "ndcg" ? m.ndcg : m.recall;
}

// ---- Checkpoints -----------------------------------------------------------------

struct TrainingState {
  int epoch = 0;  // last finished epoch
  int best_epoch = 0;
  double best_score = -1.0;
  Tensor best_table;  // E⁰ at best_epoch
  int evaluations_without_improvement = 0;
  // A Ctrl-C'd epoch epoch + 1: its batches finished, and their loss sum.
  std::int64_t partial_batches = 0;
  double partial_loss_sum = 0.0;
};

io::Checkpoint model_checkpoint(const Options& opt, const io::RecDataset& data, const Tensor& table,
                                int epoch) {
  io::Checkpoint ckpt;
  ckpt.dataset_fingerprint = data.fingerprint;
  ckpt.meta = {{"model", "lightgcn"},
               {"dataset", data.name},
               {"layers", std::to_string(opt.layers)},
               {"dim", std::to_string(opt.dim)},
               {"epoch", std::to_string(epoch)}};
  ckpt.tensors.emplace_back("embedding", table);
  return ckpt;
}

void check_compatible(const io::Checkpoint& ckpt, const std::string& path, const Options& opt,
                      const io::RecDataset& data) {
  GNNREC_CHECK(ckpt.get("model") == "lightgcn",
               path << ": a '" << ckpt.get("model") << "' checkpoint, not a LightGCN one");
  GNNREC_CHECK(
      ckpt.dataset_fingerprint == data.fingerprint,
      path << ": trained on other data or another split (dataset '" << ckpt.get("dataset")
           << "'); use the same --dataset, files, --min-rating, split fractions and --seed");
  GNNREC_CHECK(ckpt.get("layers") == std::to_string(opt.layers) &&
                   ckpt.get("dim") == std::to_string(opt.dim),
               path << ": trained with --layers " << ckpt.get("layers") << " --dim "
                    << ckpt.get("dim") << ", this run asks for --layers " << opt.layers << " --dim "
                    << opt.dim);
}

void save_training_state(const std::string& path, const Options& opt, const io::RecDataset& data,
                         LightGcn& model, BprTrainer& trainer, const TrainingState& state) {
  io::Checkpoint ckpt = model_checkpoint(opt, data, model.table().value(), state.epoch);
  ckpt.meta["seed"] = std::to_string(opt.seed);
  ckpt.meta["batch_size"] = std::to_string(opt.batch_size);
  ckpt.meta["adam_step"] = std::to_string(trainer.optimizer().step_count());
  ckpt.meta["best_epoch"] = std::to_string(state.best_epoch);
  ckpt.meta["best_score"] = app::exact(state.best_score);
  ckpt.meta["evaluations_without_improvement"] =
      std::to_string(state.evaluations_without_improvement);
  ckpt.meta["partial_batches"] = std::to_string(state.partial_batches);
  ckpt.meta["partial_loss_sum"] = app::exact(state.partial_loss_sum);
  ckpt.tensors.emplace_back("adam_m", trainer.optimizer().first_moments().at(0));
  ckpt.tensors.emplace_back("adam_v", trainer.optimizer().second_moments().at(0));
  if (state.best_table.defined()) ckpt.tensors.emplace_back("best_embedding", state.best_table);
  io::save_checkpoint(path, ckpt);
}

TrainingState resume_training_state(const std::string& path, const Options& opt,
                                    const io::RecDataset& data, LightGcn& model,
                                    BprTrainer& trainer) {
  GNNREC_CHECK(io::file_exists(path), "--resume: no checkpoint at "
                                          << path << " (nothing to resume; run without --resume)");
  const io::Checkpoint ckpt = io::load_checkpoint(path);
  check_compatible(ckpt, path, opt, data);
  GNNREC_CHECK(ckpt.get("seed") == std::to_string(opt.seed) &&
                   ckpt.get("batch_size") == std::to_string(opt.batch_size),
               path << ": trained with --seed " << ckpt.get("seed") << " --batch-size "
                    << ckpt.get("batch_size") << "; resume with the same values");
  app::assign(model.table(), ckpt.tensor("embedding"));
  trainer.optimizer().load_state(std::stoll(ckpt.get("adam_step")), {ckpt.tensor("adam_m")},
                                 {ckpt.tensor("adam_v")});
  TrainingState state;
  state.epoch = std::stoi(ckpt.get("epoch"));
  state.best_epoch = std::stoi(ckpt.get("best_epoch"));
  state.best_score = std::stod(ckpt.get("best_score"));
  state.evaluations_without_improvement = std::stoi(ckpt.get("evaluations_without_improvement"));
  state.partial_batches = std::stoll(ckpt.get("partial_batches"));
  state.partial_loss_sum = std::stod(ckpt.get("partial_loss_sum"));
  if (state.best_epoch > 0)
    state.best_table = ckpt.tensor("best_embedding").to(model.table().value().device());
  if (state.partial_batches > 0) {
    std::printf("resumed from %s in epoch %d, after batch %lld\n", path.c_str(), state.epoch + 1,
                static_cast<long long>(state.partial_batches));
  } else {
    std::printf("resumed from %s after epoch %d\n", path.c_str(), state.epoch);
  }
  return state;
}

// ---- Training -----------------------------------------------------------------------

std::vector<std::string> csv_columns(const std::vector<int>& ks, const std::string& eval_split) {
  std::vector<std::string> columns = {"epoch", "loss", "epoch_seconds"};
  for (int k : ks) {
    columns.push_back(eval_split + "_recall@" + std::to_string(k));
    columns.push_back(eval_split + "_ndcg@" + std::to_string(k));
  }
  columns.push_back("eval_seconds");
  return columns;
}

void write_plot(const std::string& path, const io::MetricsCsv& csv, const RankingReport& baseline,
                const std::string& eval_split, const std::string& title) {
  const auto& rows = csv.rows();
  io::PlotPanel loss_panel{"training loss (BPR + L2)", "epoch", {{"loss", {}, {}}}};
  io::PlotPanel metric_panel{eval_split + " metrics", "epoch", {}};
  for (const auto& row : rows) {
    loss_panel.series[0].x.push_back(row[0]);
    loss_panel.series[0].y.push_back(row[1]);
  }
  for (std::size_t c = 3; c + 1 < csv.columns().size(); ++c) {
    io::PlotSeries series{csv.columns()[c], {}, {}};
    for (const auto& row : rows) {
      if (std::isnan(row[c])) continue;
      series.x.push_back(row[0]);
      series.y.push_back(row[c]);
    }
    metric_panel.series.push_back(series);
  }
  if (!rows.empty()) {
    const RankingMetrics& m = baseline.at_k.front();
    const double first = rows.front()[0], last = rows.back()[0];
    metric_panel.series.push_back(
        {"most popular recall@" + std::to_string(m.k), {first, last}, {m.recall, m.recall}});
    metric_panel.series.push_back(
        {"most popular ndcg@" + std::to_string(m.k), {first, last}, {m.ndcg, m.ndcg}});
  }
  io::write_svg_plot(path, title, {loss_panel, metric_panel});
}

int train(const Options& opt, const Device device) {
  const io::RecDataset data = load_dataset(opt);
  if (!opt.save_split.empty()) save_split(opt.save_split, data);
  const Graphs graphs = make_graphs(data);
  const bool has_validation = graphs.validation.nnz() > 0;
  GNNREC_CHECK(graphs.test.nnz() > 0 || has_validation,
               opt.dataset << ": no validation or test edges to evaluate on");
  for (int k : opt.ks) {
    GNNREC_CHECK(k <= data.n_items(),
                 "--topk " << k << " is more than the " << data.n_items() << " items");
  }
  // Model selection on validation; without one, evaluate on test as the paper does.
  const std::string eval_split = has_validation ? "val" : "test";
  const Csr& eval_truth = has_validation ? graphs.validation : graphs.test;

  LightGcnConfig config;
  config.layers = opt.layers;
  config.dim = opt.dim;
  config.init_std = opt.init_std;
  LightGcn model(data.n_users(), data.n_items(), config, opt.seed, device);
  BprTrainConfig train_config;
  train_config.batch_size = opt.batch_size;
  train_config.lr = opt.lr;
  train_config.l2 = opt.l2;
  train_config.seed = opt.seed;
  BprTrainer trainer(model, graphs.train, train_config);

  std::printf(
      "model: %s, %d layers, dim %lld, %lld parameters; Adam lr %g, l2 %g, batch %d "
      "(%lld steps per epoch); device %s\n",
      opt.layers == 0 ? "BPR-MF" : "LightGCN", opt.layers, static_cast<long long>(opt.dim),
      static_cast<long long>(model.table().value().numel()), opt.lr, opt.l2, opt.batch_size,
      static_cast<long long>(trainer.batches_per_epoch()), device.str().c_str());
  const RankingReport baseline_eval =
      most_popular_baseline(graphs.train, graphs.train, eval_truth, opt.ks);
  std::printf("most-popular baseline on %s: %s\n", eval_split.c_str(),
              metrics_text(baseline_eval).c_str());
  if (!has_validation) {
    std::printf(
        "note: no validation split (--validation-fraction 0): metrics every %d epochs "
        "are on test, and the last model is kept (no model selection)\n",
        opt.eval_every);
  }

  const std::string out = opt.out.empty() ? "runs/lightgcn-" + data.name : opt.out;
  io::make_directories(out);
  if (const int removed = io::remove_unfinished_writes(out)) {
    std::printf("removed %d unfinished checkpoint write(s) of a killed run from %s\n", removed,
                out.c_str());
  }
  const std::string last_path = out + "/last.ckpt", best_path = out + "/best.ckpt";
  TrainingState state;
  if (opt.resume) state = resume_training_state(last_path, opt, data, model, trainer);
  io::MetricsCsv csv(out + "/metrics.csv", csv_columns(opt.ks, eval_split), state.epoch);
  std::printf("writing %s/{metrics.csv, curves.svg, last.ckpt, best.ckpt}\n", out.c_str());

  const double nan = std::numeric_limits<double>::quiet_NaN();
  app::stop_after_this_step_on_interrupt();
  for (int epoch = state.epoch + 1; epoch <= opt.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    std::optional<io::ProgressBar> bar;
    if (!opt.no_progress)
      bar.emplace("epoch " + std::to_string(epoch), trainer.batches_per_epoch());
    EpochProgress progress =
        trainer.train_epoch(epoch, state.partial_batches, [&](std::int64_t done, std::int64_t) {
          if (bar) bar->update(done);
          return !app::interrupt_requested();
        });
    bar.reset();
    progress.loss_sum += state.partial_loss_sum;
    if (!progress.complete()) {
      state.partial_batches = progress.batches_done;
      state.partial_loss_sum = progress.loss_sum;
      save_training_state(last_path, opt, data, model, trainer, state);
      std::fprintf(stderr,
                   "lightgcn_train: interrupted in epoch %d after batch %lld of %lld; saved %s "
                   "(continue with --resume)\n",
                   epoch, static_cast<long long>(progress.batches_done),
                   static_cast<long long>(progress.n_batches), last_path.c_str());
      return app::kInterruptedExit;
    }
    state.partial_batches = 0;
    state.partial_loss_sum = 0.0;
    const double loss = progress.loss_sum / static_cast<double>(progress.n_batches);
    synchronize(device);
    const double epoch_seconds = app::seconds_since(start);
    std::vector<double> row = {static_cast<double>(epoch), loss, epoch_seconds};
    std::printf("epoch %4d/%d  loss %.4f  %6.2f s", epoch, opt.epochs, loss, epoch_seconds);

    const bool evaluate_now = epoch % opt.eval_every == 0 || epoch == opt.epochs;
    double eval_seconds = nan;
    if (evaluate_now) {
      const auto eval_start = std::chrono::steady_clock::now();
      const LightGcn::Embeddings e = model.final_embeddings(trainer.adjacency());
      const RankingReport report =
          evaluate_ranking(e.users, e.items, graphs.train, eval_truth, opt.ks);
      eval_seconds = app::seconds_since(eval_start);
      for (const RankingMetrics& m : report.at_k) {
        row.push_back(m.recall);
        row.push_back(m.ndcg);
      }
      std::printf("  %s %s(%.2f s)", eval_split.c_str(), metrics_text(report).c_str(),
                  eval_seconds);
      const double score = selection_score(report, opt.select);
      if (has_validation && score > state.best_score) {
        state.best_score = score;
        state.best_epoch = epoch;
        state.best_table = model.table().value().clone();
        io::save_checkpoint(best_path, model_checkpoint(opt, data, state.best_table, epoch));
        state.evaluations_without_improvement = 0;
        std::printf("  best");
      } else {
        ++state.evaluations_without_improvement;
      }
    } else {
      row.insert(row.end(), 2 * opt.ks.size(), nan);
    }
    row.push_back(eval_seconds);
    std::printf("\n");
    std::fflush(stdout);
    csv.append(row);
    state.epoch = epoch;
    if (!has_validation) {  // keep the latest model for --recommend
      io::save_checkpoint(best_path, model_checkpoint(opt, data, model.table().value(), epoch));
    }
    if (epoch % opt.checkpoint_every == 0 || epoch == opt.epochs) {
      save_training_state(last_path, opt, data, model, trainer, state);
    }
    if (evaluate_now)
      write_plot(out + "/curves.svg", csv, baseline_eval, eval_split, "LightGCN on " + data.name);
    if (has_validation && opt.patience > 0 &&
        state.evaluations_without_improvement >= opt.patience) {
      std::printf("early stop: no %s improvement in %d evaluations (best epoch %d)\n",
                  eval_split.c_str(), opt.patience, state.best_epoch);
      save_training_state(last_path, opt, data, model, trainer, state);
      break;
    }
    if (app::interrupt_requested() && epoch < opt.epochs) {  // Ctrl-C during evaluation
      save_training_state(last_path, opt, data, model, trainer, state);
      std::fprintf(
          stderr, "lightgcn_train: interrupted after epoch %d; saved %s (continue with --resume)\n",
          epoch, last_path.c_str());
      return app::kInterruptedExit;
    }
  }

  // The final report: test metrics of the selected model beside the baseline.
  if (graphs.test.nnz() == 0) return 0;
  if (has_validation && state.best_table.defined()) {
    app::assign(model.table(), state.best_table);
    std::printf("test metrics of the best model (epoch %d, %s %s@%d %.4f):\n", state.best_epoch,
                eval_split.c_str(), opt.select.c_str(), opt.ks.front(), state.best_score);
  } else {
    std::printf("test metrics of the model after epoch %d:\n", state.epoch);
  }
  const LightGcn::Embeddings e = model.final_embeddings(trainer.adjacency());
  print_report(
      opt.layers == 0 ? "BPR-MF" : "LightGCN",
      evaluate_ranking(e.users, e.items, graphs.train_and_validation, graphs.test, opt.ks));
  print_report("most popular", most_popular_baseline(graphs.train, graphs.train_and_validation,
                                                     graphs.test, opt.ks));
  return 0;
}

// ---- Recommendation -----------------------------------------------------------------

int recommend(const Options& opt, const Device device) {
  const io::RecDataset data = load_dataset(opt);
  const std::int32_t user = data.users.find(opt.recommend_user);
  GNNREC_CHECK(user >= 0, "--recommend: user '" << opt.recommend_user << "' is not in the "
                                                << data.name << " data (" << data.n_users()
                                                << " users; raw ids such as '" << data.users.raw(0)
                                                << "')");
  GNNREC_CHECK(opt.top <= data.n_items(),
               "--top " << opt.top << " is more than the " << data.n_items() << " items");
  const std::string out = opt.out.empty() ? "runs/lightgcn-" + data.name : opt.out;
  std::string path = opt.checkpoint;
  if (path.empty())
    path = io::file_exists(out + "/best.ckpt") ? out + "/best.ckpt" : out + "/last.ckpt";
  GNNREC_CHECK(io::file_exists(path), "--recommend needs a trained model: no checkpoint at "
                                          << path << " (train first, or pass --checkpoint)");
  const io::Checkpoint ckpt = io::load_checkpoint(path);
  check_compatible(ckpt, path, opt, data);

  LightGcnConfig config;
  config.layers = opt.layers;
  config.dim = opt.dim;
  LightGcn model(data.n_users(), data.n_items(), config, opt.seed, device);
  app::assign(model.table(), ckpt.tensor("embedding"));
  const Csr train = to_csr(data.train, data);
  const Csr known = union_csr({&data.train, &data.validation, &data.test}, data);
  const LightGcn::Embeddings e =
      model.final_embeddings(LightGcn::normalized_adjacency(train, device));
  Tensor scores = ops::matmul(e.users.slice_rows(user, user + 1), e.items, false, true);
  ops::apply_row_mask_(scores, known.to(device), user);
  const ops::TopK top = ops::topk_rows(scores, opt.top);
  const std::vector<std::int32_t> items = top.indices.to_vector<std::int32_t>();
  const std::vector<float> values = top.values.to_vector<float>();
  std::printf("top %d for user %s (model %s, epoch %s; %d known items excluded):\n", opt.top,
              opt.recommend_user.c_str(), path.c_str(), ckpt.get("epoch").c_str(),
              known.row_degrees()[static_cast<std::size_t>(user)]);
  for (int r = 0; r < opt.top && items[static_cast<std::size_t>(r)] >= 0; ++r) {
    const std::int32_t item = items[static_cast<std::size_t>(r)];
    std::printf("%3d. %-60s  score %.4f\n", r + 1, data.item_label(item).c_str(),
                values[static_cast<std::size_t>(r)]);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{
      "lightgcn_train: LightGCN (He et al., SIGIR 2020) with BPR, full-ranking "
      "evaluation and recommendations"};
  app::use_one_line_errors(app, "lightgcn_train");
  app::add_lightgcn_options(app, opt);
  CLI11_PARSE(app, argc, argv);
  return app::run_reporting_errors("lightgcn_train", [&] {
    const Device device = resolve_device(opt.device);
    app::use_cpu_threads(opt.threads, device);
    return opt.recommend_user.empty() ? train(opt, device) : recommend(opt, device);
  });
}
