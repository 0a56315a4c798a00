// sage_train: link prediction with GraphSAGE on a heterogeneous (or
// homogeneous) graph -- users and artists of Last.fm, playlists and tracks of
// the Spotify Million Playlist Dataset -- evaluated by ROC-AUC every epoch and
// by full-ranking recall/NDCG at the end, each beside a popularity baseline.
//
//   sage_train --dataset lastfm                      # users-artists + friendships
//   sage_train --dataset lastfm-homogeneous          # user_artists.dat alone, one node type
//   sage_train --dataset mpd --mpd DIR --target contains
//   sage_train --dataset lastfm --score 2 51         # "you might like this artist": P(link)
//   sage_train --dataset lastfm --recommend 2 --top 10
//
// A run writes into --out (default runs/sage-<dataset>): metrics.csv,
// curves.svg, last.ckpt (the whole training state; --resume continues from
// it) and best.ckpt (the parameters with the best validation AUC, which
// --score and --recommend read). docs/GRAPHSAGE.md explains the model.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "apps/app_util.h"
#include "apps/sage_options.h"
#include "core/device.h"
#include "core/hash.h"
#include "core/ops.h"
#include "io/checkpoint.h"
#include "io/files.h"
#include "io/graph_datasets.h"
#include "io/link_split.h"
#include "io/run_log.h"
#include "models/evaluate.h"
#include "models/link_metrics.h"
#include "models/link_trainer.h"
#include "models/sage.h"

namespace {

using namespace gnnrec;
using Options = app::SageOptions;

// ---- Data ---------------------------------------------------------------------------

HeteroGraph load_graph(const Options& opt) {
  auto require = [&](const std::string& path) {
    GNNREC_CHECK(io::file_exists(path),
                 path << ": no such file (pick the " << opt.dataset
                      << " files with the path flags; see sage_train --help)");
  };
  HeteroGraph graph;
  if (opt.dataset == "lastfm") {
    require(opt.user_artists);
    if (!opt.user_friends.empty()) require(opt.user_friends);
    graph = io::load_lastfm_hetero(opt.user_artists, opt.user_friends, opt.artists);
  } else if (opt.dataset == "lastfm-homogeneous") {
    require(opt.user_artists);
    graph = io::load_lastfm_homogeneous(opt.user_artists, opt.artists);
  } else {
    io::MpdOptions mpd;
    mpd.max_files = opt.mpd_files;
    mpd.top_by_followers = opt.mpd_top;
    graph = io::load_mpd(opt.mpd, mpd);
  }
  for (const std::string& spec : opt.features) {
    const auto eq = spec.find('=');
    GNNREC_CHECK(eq != std::string::npos && eq > 0,
                 "--features '" << spec << "': expected TYPE=FILE, e.g. playlist=followers.csv");
    NodeType& type = graph.node_type(graph.node_type_index(spec.substr(0, eq)));
    type.features = io::read_node_features(spec.substr(eq + 1), type);
  }
  return graph;
}

std::string default_target(const Options& opt) {
  if (!opt.target.empty()) return opt.target;
  return opt.dataset == "mpd" ? "contains" : "listens";
}

// Everything training, evaluation and the baselines need, built from the
// graph and its split.
struct Problem {
  io::LinkSplit split;
  HeteroGraph message_graph;  // undirected: reverses added (or the target made symmetric)
  LinkTask task;
  Csr train_and_validation;                // local ids: the mask when ranking for test
  Csr test_truth;                          // local ids: test positives
  std::vector<std::int32_t> train_degree;  // of each candidate destination, for the baselines
  std::uint64_t fingerprint = 0;
  std::string src_type, dst_type;
};

Csr local_csr(const LinkTask& task, const std::vector<const std::vector<std::int32_t>*>& srcs,
              const std::vector<const std::vector<std::int32_t>*>& dsts,
              const std::vector<const std::vector<float>*>& labels) {
  std::vector<std::int32_t> rows, cols;
  for (std::size_t part = 0; part < srcs.size(); ++part) {
    for (std::size_t e = 0; e < srcs[part]->size(); ++e) {
      if (labels[part] && (*labels[part])[e] == 0.0f) continue;  // a negative example
      rows.push_back((*srcs[part])[e] - task.src_begin);
      cols.push_back((*dsts[part])[e] - task.dst_begin);
    }
  }
  return Csr::from_coo(task.src_end - task.src_begin, task.dst_end - task.dst_begin, rows, cols);
}

Problem make_problem(const HeteroGraph& graph, const Options& opt) {
  Problem p;
  io::LinkSplitOptions split_options;
  split_options.validation_fraction = opt.validation_fraction;
  split_options.test_fraction = opt.test_fraction;
  split_options.disjoint_train_ratio = opt.disjoint_train_ratio;
  split_options.seed = opt.seed;
  p.split = io::random_link_split(graph, default_target(opt), split_options);
  const Relation& target = p.split.message_graph.relation(p.split.target);
  p.src_type = target.src_type;
  p.dst_type = target.dst_type;
  const std::vector<std::int32_t> message_src = target.src, message_dst = target.dst;

  p.message_graph = p.split.message_graph;
  if (target.src_type == target.dst_type) p.message_graph.make_symmetric(p.split.target);
  p.message_graph.add_reverse_relations();

  LinkTask& task = p.task;
  task.src_type = p.message_graph.node_type_index(p.src_type);
  task.dst_type = p.message_graph.node_type_index(p.dst_type);
  const auto& cs = p.split.candidate_src;
  const auto& cd = p.split.candidate_dst;
  task.src_begin = *std::min_element(cs.begin(), cs.end());
  task.src_end = *std::max_element(cs.begin(), cs.end()) + 1;
  task.dst_begin = *std::min_element(cd.begin(), cd.end());
  task.dst_end = *std::max_element(cd.begin(), cd.end()) + 1;
  task.train_src = p.split.train_src;
  task.train_dst = p.split.train_dst;
  task.train_positives = local_csr(task, {&message_src, &task.train_src},
                                   {&message_dst, &task.train_dst}, {nullptr, nullptr});
  const io::LinkExamples& val = p.split.validation;
  const io::LinkExamples& test = p.split.test;
  p.train_and_validation =
      local_csr(task, {&message_src, &task.train_src, &val.src},
                {&message_dst, &task.train_dst, &val.dst}, {nullptr, nullptr, &val.label});
  p.test_truth = local_csr(task, {&test.src}, {&test.dst}, {&test.label});
  p.train_degree = task.train_positives.col_degrees();

  // The data and the split, as a number a checkpoint can be checked against.
  std::uint64_t hash = p.message_graph.fingerprint();
  for (const io::LinkExamples* part : {&val, &test}) {
    hash = fnv1a64(part->src.data(), part->src.size() * sizeof(std::int32_t), hash);
    hash = fnv1a64(part->dst.data(), part->dst.size() * sizeof(std::int32_t), hash);
  }
  p.fingerprint =
      fnv1a64(task.train_src.data(), task.train_src.size() * sizeof(std::int32_t), hash);
  return p;
}

// The exact split, for other programs (bench/race/) to train on, in DIR:
//   info.txt                  node types and counts, the target relation
//   relation_<name>.csv       "src,dst": every relation of the message graph
//                             before reverses are added (the target: its message edges)
//   supervision.csv           "src,dst": the training positives
//   validation.csv, test.csv  "src,dst,label": positives and the fixed negatives
void save_split(const std::string& dir, const Problem& p) {
  io::make_directories(dir);
  const HeteroGraph& g = p.split.message_graph;
  std::ostringstream info;
  for (const NodeType& t : g.node_types()) info << "node_type " << t.name << " " << t.count << "\n";
  const Relation& target = g.relation(p.split.target);
  info << "target " << target.src_type << " " << target.name << " " << target.dst_type << "\n";
  for (const Relation& r : g.relations()) {
    info << "relation " << r.src_type << " " << r.name << " " << r.dst_type << "\n";
    std::ostringstream csv;
    csv << "src,dst\n";
    for (std::size_t e = 0; e < r.src.size(); ++e) csv << r.src[e] << ',' << r.dst[e] << '\n';
    io::write_file_atomically(dir + "/relation_" + r.name + ".csv", csv.str());
  }
  io::write_file_atomically(dir + "/info.txt", info.str());
  std::ostringstream supervision;
  supervision << "src,dst\n";
  for (std::size_t e = 0; e < p.task.train_src.size(); ++e) {
    supervision << p.task.train_src[e] << ',' << p.task.train_dst[e] << '\n';
  }
  io::write_file_atomically(dir + "/supervision.csv", supervision.str());
  for (const auto& [name, examples] :
       {std::pair<std::string, const io::LinkExamples*>{"validation", &p.split.validation},
        {"test", &p.split.test}}) {
    std::ostringstream csv;
    csv << "src,dst,label\n";
    for (std::int64_t e = 0; e < examples->size(); ++e) {
      const auto i = static_cast<std::size_t>(e);
      csv << examples->src[i] << ',' << examples->dst[i] << ',' << examples->label[i] << '\n';
    }
    io::write_file_atomically(dir + "/" + name + ".csv", csv.str());
  }
  std::printf("wrote the split to %s\n", dir.c_str());
}

void print_graph(const HeteroGraph& g) {
  std::printf("graph:");
  for (const NodeType& t : g.node_types()) {
    std::printf(" %d %s%s;", t.count, t.name.c_str(),
                t.features.defined()
                    ? (" (" + std::to_string(t.features.cols()) + " features)").c_str()
                    : "");
  }
  std::printf("\n      ");
  for (const Relation& r : g.relations()) {
    std::printf(" %s %lld edges;", r.str().c_str(), static_cast<long long>(r.n_edges()));
  }
  std::printf("\n");
}

// ---- Model --------------------------------------------------------------------------

SageConfig sage_config(const Options& opt) {
  SageConfig config;
  config.layers = opt.layers;
  config.hidden = opt.hidden;
  config.dropout = opt.dropout;
  config.normalize = opt.normalize;
  config.embeddings = !opt.no_embeddings;
  config.init_std = opt.init_std;
  config.decoder = opt.decoder == "mlp" ? SageDecoder::Mlp : SageDecoder::Dot;
  return config;
}

std::string config_text(const Options& opt) {
  std::ostringstream text;
  text << "layers=" << opt.layers << " hidden=" << opt.hidden << " decoder=" << opt.decoder
       << " normalize=" << opt.normalize << " embeddings=" << !opt.no_embeddings
       << " features=" << opt.features.size();
  return text.str();
}

// AUC of the examples under `scores`.
double auc_of(const io::LinkExamples& examples, const std::vector<float>& scores) {
  return roc_auc(scores, examples.label);
}

// The popularity baseline's scores: each destination's training degree.
std::vector<float> degree_scores(const Problem& p, const io::LinkExamples& examples) {
  std::vector<float> scores;
  for (std::int32_t v : examples.dst) {
    scores.push_back(
        static_cast<float>(p.train_degree[static_cast<std::size_t>(v - p.task.dst_begin)]));
  }
  return scores;
}

// ---- Checkpoints --------------------------------------------------------------------

struct TrainingState {
  int epoch = 0;  // last finished epoch
  int best_epoch = 0;
  double best_auc = -1.0;
  std::vector<Tensor> best_parameters;
  int epochs_without_improvement = 0;
  // A Ctrl-C'd epoch epoch + 1: its batches finished, and their loss sum.
  std::int64_t partial_batches = 0;
  double partial_loss_sum = 0.0;
};

io::Checkpoint parameters_checkpoint(const Options& opt, const Problem& p, const HeteroSage& model,
                                     const std::vector<Tensor>& values, int epoch) {
  io::Checkpoint ckpt;
  ckpt.dataset_fingerprint = p.fingerprint;
  ckpt.meta = {{"model", "sage"},
               {"dataset", opt.dataset},
               {"config", config_text(opt)},
               {"epoch", std::to_string(epoch)}};
  for (std::size_t i = 0; i < values.size(); ++i) {
    ckpt.tensors.emplace_back(model.parameter_names()[i], values[i]);
  }
  return ckpt;
}

std::vector<Tensor> current_values(const HeteroSage& model) {
  std::vector<Tensor> values;
  for (const ag::Var& param : model.parameters()) values.push_back(param.value());
  return values;
}

void check_compatible(const io::Checkpoint& ckpt, const std::string& path, const Options& opt,
                      const Problem& p) {
  GNNREC_CHECK(ckpt.get("model") == "sage",
               path << ": a '" << ckpt.get("model") << "' checkpoint, not a GraphSAGE one");
  GNNREC_CHECK(ckpt.dataset_fingerprint == p.fingerprint,
               path << ": trained on other data or another split (dataset '" << ckpt.get("dataset")
                    << "'); use the same --dataset, files, --target, split fractions and --seed");
  GNNREC_CHECK(ckpt.get("config") == config_text(opt),
               path << ": trained with " << ckpt.get("config") << ", this run asks for "
                    << config_text(opt));
}

void load_parameters(const io::Checkpoint& ckpt, const std::string& prefix, HeteroSage& model) {
  for (std::size_t i = 0; i < model.parameters().size(); ++i) {
    app::assign(model.parameters()[i], ckpt.tensor(prefix + model.parameter_names()[i]));
  }
}

void save_training_state(const std::string& path, const Options& opt, const Problem& p,
                         const HeteroSage& model, LinkTrainer& trainer,
                         const TrainingState& state) {
  io::Checkpoint ckpt = parameters_checkpoint(opt, p, model, current_values(model), state.epoch);
  ckpt.meta["seed"] = std::to_string(opt.seed);
  ckpt.meta["batch_size"] = std::to_string(opt.batch_size);
  ckpt.meta["adam_step"] = std::to_string(trainer.optimizer().step_count());
  ckpt.meta["best_epoch"] = std::to_string(state.best_epoch);
  ckpt.meta["best_auc"] = app::exact(state.best_auc);
  ckpt.meta["epochs_without_improvement"] = std::to_string(state.epochs_without_improvement);
  ckpt.meta["partial_batches"] = std::to_string(state.partial_batches);
  ckpt.meta["partial_loss_sum"] = app::exact(state.partial_loss_sum);
  for (std::size_t i = 0; i < model.parameters().size(); ++i) {
    const std::string& name = model.parameter_names()[i];
    ckpt.tensors.emplace_back("adam_m/" + name, trainer.optimizer().first_moments()[i]);
    ckpt.tensors.emplace_back("adam_v/" + name, trainer.optimizer().second_moments()[i]);
    if (!state.best_parameters.empty()) {
      ckpt.tensors.emplace_back("best/" + name, state.best_parameters[i]);
    }
  }
  io::save_checkpoint(path, ckpt);
}

TrainingState resume_training_state(const std::string& path, const Options& opt, const Problem& p,
                                    HeteroSage& model, LinkTrainer& trainer, Device device) {
  GNNREC_CHECK(io::file_exists(path), "--resume: no checkpoint at "
                                          << path << " (nothing to resume; run without --resume)");
  const io::Checkpoint ckpt = io::load_checkpoint(path);
  check_compatible(ckpt, path, opt, p);
  GNNREC_CHECK(ckpt.get("seed") == std::to_string(opt.seed) &&
                   ckpt.get("batch_size") == std::to_string(opt.batch_size),
               path << ": trained with --seed " << ckpt.get("seed") << " --batch-size "
                    << ckpt.get("batch_size") << "; resume with the same values");
  load_parameters(ckpt, "", model);
  std::vector<Tensor> m, v;
  for (const std::string& name : model.parameter_names()) {
    m.push_back(ckpt.tensor("adam_m/" + name));
    v.push_back(ckpt.tensor("adam_v/" + name));
  }
  trainer.optimizer().load_state(std::stoll(ckpt.get("adam_step")), m, v);
  TrainingState state;
  state.epoch = std::stoi(ckpt.get("epoch"));
  state.best_epoch = std::stoi(ckpt.get("best_epoch"));
  state.best_auc = std::stod(ckpt.get("best_auc"));
  state.epochs_without_improvement = std::stoi(ckpt.get("epochs_without_improvement"));
  state.partial_batches = std::stoll(ckpt.get("partial_batches"));
  state.partial_loss_sum = std::stod(ckpt.get("partial_loss_sum"));
  if (state.best_epoch > 0) {
    for (const std::string& name : model.parameter_names()) {
      state.best_parameters.push_back(ckpt.tensor("best/" + name).to(device));
    }
  }
  if (state.partial_batches > 0) {
    std::printf("resumed from %s in epoch %d, after batch %lld\n", path.c_str(), state.epoch + 1,
                static_cast<long long>(state.partial_batches));
  } else {
    std::printf("resumed from %s after epoch %d\n", path.c_str(), state.epoch);
  }
  return state;
}

std::string out_dir(const Options& opt) {
  return opt.out.empty() ? "runs/sage-" + opt.dataset : opt.out;
}

// ---- Training -----------------------------------------------------------------------

void print_ranking(const char* label, const RankingReport& report) {
  std::printf("  %-16s", label);
  for (const RankingMetrics& m : report.at_k) {
    std::printf(" recall@%d %.4f  ndcg@%d %.4f ", m.k, m.recall, m.k, m.ndcg);
  }
  std::printf(" (%lld users, %lld without test edges skipped)\n",
              static_cast<long long>(report.n_users_evaluated),
              static_cast<long long>(report.n_users_skipped));
}

void write_plot(const std::string& path, const io::MetricsCsv& csv, double val_baseline,
                const std::string& title) {
  io::PlotPanel loss{"training loss (BCE)", "epoch", {{"loss", {}, {}}}};
  io::PlotPanel auc{"ROC-AUC", "epoch", {{"val", {}, {}}, {"test", {}, {}}}};
  for (const auto& row : csv.rows()) {
    loss.series[0].x.push_back(row[0]);
    loss.series[0].y.push_back(row[1]);
    for (int s = 0; s < 2; ++s) {
      auc.series[static_cast<std::size_t>(s)].x.push_back(row[0]);
      auc.series[static_cast<std::size_t>(s)].y.push_back(row[static_cast<std::size_t>(3 + s)]);
    }
  }
  if (!csv.rows().empty()) {
    auc.series.push_back({"val, training degree",
                          {csv.rows().front()[0], csv.rows().back()[0]},
                          {val_baseline, val_baseline}});
  }
  io::write_svg_plot(path, title, {loss, auc});
}

int train(const Options& opt, Device device) {
  const HeteroGraph graph = load_graph(opt);
  print_graph(graph);
  const Problem p = make_problem(graph, opt);
  if (!opt.save_split.empty()) save_split(opt.save_split, p);
  std::printf(
      "target (%s, %s, %s): %zu supervision, %lld validation and %lld test examples "
      "(half negatives); validation and test edges carry no messages\n",
      p.src_type.c_str(), default_target(opt).c_str(), p.dst_type.c_str(), p.task.train_src.size(),
      static_cast<long long>(p.split.validation.size()),
      static_cast<long long>(p.split.test.size()));

  const SageGraph sage_graph = SageGraph::build(p.message_graph, device);
  HeteroSage model(p.message_graph, sage_config(opt), opt.seed, device);
  LinkTrainConfig train_config;
  train_config.batch_size = opt.batch_size;
  train_config.negatives_per_positive = opt.negatives;
  train_config.lr = opt.lr;
  train_config.weight_decay = opt.weight_decay;
  train_config.seed = opt.seed;
  LinkTrainer trainer(model, sage_graph, p.task, train_config, device);
  std::int64_t n_parameters = 0;
  for (const ag::Var& param : model.parameters()) n_parameters += param.value().numel();
  std::printf(
      "model: GraphSAGE, %d layers, hidden %lld, %s decoder, %lld parameters; Adam lr %g, "
      "batch %d (%lld steps per epoch), %d negative(s) per positive; device %s\n",
      opt.layers, static_cast<long long>(opt.hidden), opt.decoder.c_str(),
      static_cast<long long>(n_parameters), opt.lr, opt.batch_size,
      static_cast<long long>(trainer.batches_per_epoch()), opt.negatives, device.str().c_str());
  const double val_baseline = auc_of(p.split.validation, degree_scores(p, p.split.validation));
  const double test_baseline = auc_of(p.split.test, degree_scores(p, p.split.test));
  std::printf("baseline (score = the destination's training degree): val AUC %.4f, test AUC %.4f\n",
              val_baseline, test_baseline);

  const std::string out = out_dir(opt);
  io::make_directories(out);
  if (const int removed = io::remove_unfinished_writes(out)) {
    std::printf("removed %d unfinished checkpoint write(s) of a killed run from %s\n", removed,
                out.c_str());
  }
  const std::string last_path = out + "/last.ckpt", best_path = out + "/best.ckpt";
  TrainingState state;
  if (opt.resume) state = resume_training_state(last_path, opt, p, model, trainer, device);
  io::MetricsCsv csv(out + "/metrics.csv",
                     {"epoch", "loss", "epoch_seconds", "val_auc", "test_auc", "eval_seconds"},
                     state.epoch);
  std::printf("writing %s/{metrics.csv, curves.svg, last.ckpt, best.ckpt}\n", out.c_str());

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
      save_training_state(last_path, opt, p, model, trainer, state);
      std::fprintf(stderr,
                   "sage_train: interrupted in epoch %d after batch %lld of %lld; saved %s "
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

    const auto eval_start = std::chrono::steady_clock::now();
    const std::vector<Tensor> h = trainer.encode();
    const double val_auc = auc_of(p.split.validation,
                                  trainer.score(h, p.split.validation.src, p.split.validation.dst));
    const double test_auc =
        auc_of(p.split.test, trainer.score(h, p.split.test.src, p.split.test.dst));
    const double eval_seconds = app::seconds_since(eval_start);
    std::printf("epoch %3d/%d  loss %.4f  %6.2f s  val AUC %.4f  test AUC %.4f  (%.2f s)", epoch,
                opt.epochs, loss, epoch_seconds, val_auc, test_auc, eval_seconds);
    if (val_auc > state.best_auc) {
      state.best_auc = val_auc;
      state.best_epoch = epoch;
      state.best_parameters.clear();
      for (const ag::Var& param : model.parameters())
        state.best_parameters.push_back(param.value().clone());
      io::save_checkpoint(best_path,
                          parameters_checkpoint(opt, p, model, state.best_parameters, epoch));
      state.epochs_without_improvement = 0;
      std::printf("  best");
    } else {
      ++state.epochs_without_improvement;
    }
    std::printf("\n");
    std::fflush(stdout);
    csv.append({static_cast<double>(epoch), loss, epoch_seconds, val_auc, test_auc, eval_seconds});
    state.epoch = epoch;
    if (epoch % opt.checkpoint_every == 0 || epoch == opt.epochs) {
      save_training_state(last_path, opt, p, model, trainer, state);
    }
    write_plot(out + "/curves.svg", csv, val_baseline, "GraphSAGE on " + opt.dataset);
    if (opt.patience > 0 && state.epochs_without_improvement >= opt.patience) {
      std::printf("early stop: no validation improvement in %d epochs (best epoch %d)\n",
                  opt.patience, state.best_epoch);
      save_training_state(last_path, opt, p, model, trainer, state);
      break;
    }
    if (app::interrupt_requested() && epoch < opt.epochs) {  // Ctrl-C during evaluation
      save_training_state(last_path, opt, p, model, trainer, state);
      std::fprintf(stderr,
                   "sage_train: interrupted after epoch %d; saved %s (continue with --resume)\n",
                   epoch, last_path.c_str());
      return app::kInterruptedExit;
    }
  }

  if (!state.best_parameters.empty()) {
    for (std::size_t i = 0; i < state.best_parameters.size(); ++i) {
      app::assign(model.parameters()[i], state.best_parameters[i]);
    }
  }
  const std::vector<Tensor> h = trainer.encode();
  std::printf("test of the best model (epoch %d, val AUC %.4f):\n", state.best_epoch,
              state.best_auc);
  std::printf("  %-16s test AUC %.4f\n", "GraphSAGE",
              auc_of(p.split.test, trainer.score(h, p.split.test.src, p.split.test.dst)));
  std::printf("  %-16s test AUC %.4f\n", "training degree", test_baseline);
  if (model.config().decoder == SageDecoder::Dot) {
    print_ranking("GraphSAGE", trainer.rank(h, p.train_and_validation, p.test_truth, opt.ks));
    print_ranking("most popular",
                  most_popular_baseline(p.task.train_positives, p.train_and_validation,
                                        p.test_truth, opt.ks));
  } else {
    std::printf(
        "  (full-ranking recall/NDCG need the dot decoder; --decoder mlp scores pairs only)\n");
  }
  return 0;
}

// ---- Using a trained model ----------------------------------------------------------

std::int32_t find_node(const HeteroGraph& g, const std::string& type, const std::string& raw,
                       const char* flag) {
  const NodeType& t = g.node_type(g.node_type_index(type));
  const std::int32_t node = t.find(raw);
  GNNREC_CHECK(node >= 0, flag << ": no " << type << " '" << raw << "' in the " << t.count << " "
                               << type << " nodes (raw ids such as '"
                               << (t.count > 0 ? t.label(0) : std::string()) << "')");
  return node;
}

int use_model(const Options& opt, Device device) {
  const HeteroGraph graph = load_graph(opt);
  const Problem p = make_problem(graph, opt);
  const std::string out = out_dir(opt);
  std::string path = opt.checkpoint;
  if (path.empty())
    path = io::file_exists(out + "/best.ckpt") ? out + "/best.ckpt" : out + "/last.ckpt";
  GNNREC_CHECK(io::file_exists(path), "a trained model is needed: no checkpoint at "
                                          << path << " (train first, or pass --checkpoint)");
  const io::Checkpoint ckpt = io::load_checkpoint(path);
  check_compatible(ckpt, path, opt, p);
  const SageGraph sage_graph = SageGraph::build(p.message_graph, device);
  HeteroSage model(p.message_graph, sage_config(opt), opt.seed, device);
  load_parameters(ckpt, "", model);
  LinkTrainer trainer(model, sage_graph, p.task, LinkTrainConfig{}, device);
  const std::vector<Tensor> h = trainer.encode();
  const NodeType& dst_type = graph.node_type(graph.node_type_index(p.dst_type));

  if (!opt.score_pair.empty()) {
    const std::int32_t src = find_node(graph, p.src_type, opt.score_pair[0], "--score");
    const std::int32_t dst = find_node(graph, p.dst_type, opt.score_pair[1], "--score");
    const float logit = trainer.score(h, {src}, {dst})[0];
    std::printf("P(%s %s -> %s %s) = %.4f  (logit %.3f; model %s, epoch %s)\n", p.src_type.c_str(),
                opt.score_pair[0].c_str(), p.dst_type.c_str(), dst_type.label(dst).c_str(),
                1.0 / (1.0 + std::exp(-static_cast<double>(logit))), logit, path.c_str(),
                ckpt.get("epoch").c_str());
    return 0;
  }

  const std::int32_t src = find_node(graph, p.src_type, opt.recommend_src, "--recommend");
  const std::int32_t n_candidates = p.task.dst_end - p.task.dst_begin;
  GNNREC_CHECK(opt.top <= n_candidates,
               "--top " << opt.top << " is more than the " << n_candidates << " candidates");
  // Every known edge of the source (any split) is excluded.
  const Relation& target = graph.relation(graph.relation_index(default_target(opt)));
  std::vector<bool> known(static_cast<std::size_t>(n_candidates), false);
  for (std::size_t e = 0; e < target.src.size(); ++e) {
    if (target.src[e] == src)
      known[static_cast<std::size_t>(target.dst[e] - p.task.dst_begin)] = true;
  }
  std::vector<std::int32_t> srcs, dsts;
  for (std::int32_t v = 0; v < n_candidates; ++v) {
    if (known[static_cast<std::size_t>(v)]) continue;
    srcs.push_back(src);
    dsts.push_back(p.task.dst_begin + v);
  }
  const std::vector<float> logits = trainer.score(h, srcs, dsts);
  std::vector<std::size_t> order(logits.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const std::size_t n_top = std::min(order.size(), static_cast<std::size_t>(opt.top));
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_top), order.end(),
                    [&](std::size_t a, std::size_t b) {
                      return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
                    });
  std::printf("top %zu %s for %s %s (model %s, epoch %s; %zu known excluded):\n", n_top,
              p.dst_type.c_str(), p.src_type.c_str(), opt.recommend_src.c_str(), path.c_str(),
              ckpt.get("epoch").c_str(), static_cast<std::size_t>(n_candidates) - srcs.size());
  for (std::size_t r = 0; r < n_top; ++r) {
    const std::size_t i = order[r];
    std::printf("%3zu. %-60s  P %.4f\n", r + 1, dst_type.label(dsts[i]).c_str(),
                1.0 / (1.0 + std::exp(-static_cast<double>(logits[i]))));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{
      "sage_train: GraphSAGE link prediction (homogeneous or heterogeneous graphs) "
      "with ROC-AUC and full-ranking evaluation"};
  app::use_one_line_errors(app, "sage_train");
  app::add_sage_options(app, opt);
  CLI11_PARSE(app, argc, argv);
  return app::run_reporting_errors("sage_train", [&] {
    const Device device = resolve_device(opt.device);
    app::use_cpu_threads(opt.threads, device);
    const bool use = !opt.score_pair.empty() || !opt.recommend_src.empty();
    return use ? use_model(opt, device) : train(opt, device);
  });
}
