// The fuzz targets (see fuzz_targets.h for what each reads and how its input
// is laid out).
#include "tests/fuzz/fuzz_targets.h"

#include <stdlib.h>  // mkdtemp

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "apps/app_util.h"
#include "apps/lightgcn_options.h"
#include "apps/sage_options.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/hetero_graph.h"
#include "io/checkpoint.h"
#include "io/dataset.h"
#include "io/files.h"
#include "io/graph_datasets.h"

// An invariant of what a reader returned; a broken one aborts, so the fuzzer
// keeps the input as a crash.
#define FUZZ_CHECK(cond)                                                      \
  do {                                                                        \
    if (!(cond)) ::gnnrec::fuzz::invariant_broken(#cond, __FILE__, __LINE__); \
  } while (0)

namespace gnnrec::fuzz {
namespace {

[[noreturn]] void invariant_broken(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", file, line, what);
  std::abort();
}

// ---- Files ------------------------------------------------------------------------

// A private folder under $TMPDIR (else /tmp) for the files the targets
// write, removed when the process ends normally.
class ScratchDir {
 public:
  ScratchDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && tmp[0] != '\0' ? tmp : "/tmp") + "/gnnrec-fuzz-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror(("gnnrec fuzz: cannot create " + pattern).c_str());
      std::abort();
    }
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code error;
    std::filesystem::remove_all(path_, error);
  }
  std::string path(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

const ScratchDir& scratch() {
  static const ScratchDir dir;
  return dir;
}

// Writes `bytes` to the scratch file `name` and returns its path.
std::string write_scratch(const std::string& name, std::string_view bytes) {
  const std::string path = scratch().path(name);
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), file) != bytes.size() ||
      std::fclose(file) != 0) {
    std::perror(("gnnrec fuzz: cannot write " + path).c_str());
    std::abort();
  }
  return path;
}

std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The input cut at its first max_parts - 1 NULs; the last part keeps the rest.
std::vector<std::string_view> split_parts(std::string_view text, std::size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    const std::size_t nul = text.find('\0');
    if (nul == std::string_view::npos) break;
    parts.push_back(text.substr(0, nul));
    text.remove_prefix(nul + 1);
  }
  parts.push_back(text);
  return parts;
}

// ---- What every reader promises -------------------------------------------------

void check_edges(const io::EdgeList& edges, const io::RecDataset& data) {
  FUZZ_CHECK(edges.user.size() == edges.item.size());
  for (std::size_t e = 0; e < edges.user.size(); ++e) {
    FUZZ_CHECK(edges.user[e] >= 0 && edges.user[e] < data.n_users());
    FUZZ_CHECK(edges.item[e] >= 0 && edges.item[e] < data.n_items());
  }
}

// The RecDataset contract of io/dataset.h, as the loaders guarantee it.
void check_dataset(const io::RecDataset& data) {
  check_edges(data.train, data);
  check_edges(data.validation, data);
  check_edges(data.test, data);
  FUZZ_CHECK(data.train.size() > 0);
  FUZZ_CHECK(data.item_names.empty() ||
             data.item_names.size() == static_cast<std::size_t>(data.n_items()));
  FUZZ_CHECK(data.fingerprint == io::dataset_fingerprint(data));
  for (std::int32_t item = 0; item < data.n_items(); ++item) data.item_label(item);
}

void check_graph(const HeteroGraph& graph) {
  for (const NodeType& type : graph.node_types()) {
    const auto count = static_cast<std::size_t>(type.count);
    FUZZ_CHECK(type.count >= 0);
    FUZZ_CHECK(type.raw_ids.empty() || type.raw_ids.size() == count);
    FUZZ_CHECK(type.labels.empty() || type.labels.size() == count);
    FUZZ_CHECK(!type.features.defined() || type.features.shape().at(0) == type.count);
    for (std::int32_t node = 0; node < type.count; ++node) type.label(node);
  }
  for (const Relation& relation : graph.relations()) {
    FUZZ_CHECK(relation.src.size() == relation.dst.size());
    const NodeType& src = graph.node_type(graph.node_type_index(relation.src_type));
    const NodeType& dst = graph.node_type(graph.node_type_index(relation.dst_type));
    for (std::size_t e = 0; e < relation.src.size(); ++e) {
      FUZZ_CHECK(relation.src[e] >= 0 && relation.src[e] < src.count);
      FUZZ_CHECK(relation.dst[e] >= 0 && relation.dst[e] < dst.count);
    }
  }
  graph.fingerprint();
}

// ---- The binary dataset cache ---------------------------------------------------

constexpr const char* kCacheKeyText = "gnnrec fuzz graph_cache";
constexpr std::size_t kCacheKeyPrefixBytes = 8 + 4 + 8;  // magic, version, key

struct NotCached {};  // thrown by the loader of the cache target: nothing to parse

// A cache folder holding the file load_cached reads for kCacheKeyText, and
// that file's first bytes (magic, version, key), taken from a real one.
struct CacheFixture {
  std::string dir, path, key_prefix;
};

const CacheFixture& cache_fixture() {
  static const CacheFixture fixture = [] {
    io::RecDataset tiny;
    tiny.name = "tiny";
    tiny.users.add("u0");
    tiny.users.add("u1");
    tiny.items.add("i0");
    tiny.train.user = {0, 1};
    tiny.train.item = {0, 0};
    tiny.fingerprint = io::dataset_fingerprint(tiny);
    CacheFixture f;
    f.dir = scratch().path("cache");
    io::load_cached(f.dir, kCacheKeyText, {}, [&] { return tiny; });
    for (const auto& entry : std::filesystem::directory_iterator(f.dir)) {
      f.path = entry.path().string();
    }
    f.key_prefix = io::read_file(f.path).substr(0, kCacheKeyPrefixBytes);
    FUZZ_CHECK(f.key_prefix.size() == kCacheKeyPrefixBytes);
    return f;
  }();
  return fixture;
}

void append_u64(std::string* out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

// ---- The command line -------------------------------------------------------------

template <class Options, class AddOptions>
void parse_command_line(const std::string& program, std::vector<std::string>& words,
                        AddOptions add_options) {
  Options options;
  CLI::App app{program};
  app::use_one_line_errors(app, program);
  add_options(app, options);
  std::vector<const char*> argv;
  for (const std::string& word : words) argv.push_back(word.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    app.exit(e, out, err);  // what CLI11_PARSE prints: the message, or the help
  }
}

}  // namespace

// ---- The targets ------------------------------------------------------------------

int fuzz_movielens(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string_view> parts = split_parts(as_text(data, size), 2);
  const std::string ratings = write_scratch("ratings.csv", parts[0]);
  const std::string movies = parts.size() > 1 ? write_scratch("movies.csv", parts[1]) : "";
  try {
    check_dataset(io::load_movielens(ratings, movies, 3.5f, io::SplitOptions{}));
  } catch (const Error&) {
  }
  return 0;
}

int fuzz_lastfm(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string_view> parts = split_parts(as_text(data, size), 3);
  const std::string user_artists = write_scratch("user_artists.dat", parts[0]);
  const std::string artists = parts.size() > 1 ? write_scratch("artists.dat", parts[1]) : "";
  const std::string friends = parts.size() > 2 ? write_scratch("user_friends.dat", parts[2]) : "";
  try {
    check_dataset(io::load_lastfm(user_artists, artists, io::SplitOptions{}));
  } catch (const Error&) {
  }
  try {
    check_graph(io::load_lastfm_hetero(user_artists, friends, artists));
  } catch (const Error&) {
  }
  try {
    check_graph(io::load_lastfm_homogeneous(user_artists, artists));
  } catch (const Error&) {
  }
  return 0;
}

int fuzz_lightgcn_txt(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string_view> parts = split_parts(as_text(data, size), 2);
  const std::string train = write_scratch("train.txt", parts[0]);
  const std::string test = write_scratch("test.txt", parts.size() > 1 ? parts[1] : "");
  try {
    check_dataset(io::load_lightgcn_txt(train, test, io::SplitOptions{0.1, 0.0, 42}));
  } catch (const Error&) {
  }
  return 0;
}

int fuzz_edge_list(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  static constexpr char kDelimiters[4] = {0, ',', '\t', ';'};
  io::EdgeListFormat format;
  format.delimiter = kDelimiters[data[0] % 4];
  format.user_column = data[1] & 3;
  format.item_column = (data[1] >> 2) & 3;
  format.header = ((data[1] >> 4) & 1) != 0;
  const std::string path = write_scratch("edges.txt", as_text(data + 2, size - 2));
  try {
    check_dataset(io::load_edge_list(path, format, io::SplitOptions{}));
  } catch (const Error&) {
  }
  return 0;
}

int fuzz_mpd(const std::uint8_t* data, std::size_t size) {
  static const std::string folder = [] {
    const std::string dir = scratch().path("mpd");
    io::make_directories(dir);
    return dir;
  }();
  write_scratch("mpd/mpd.slice.0-999.json", as_text(data, size));
  io::MpdOptions options;
  options.top_by_followers = static_cast<int>(size % 3);
  try {
    const HeteroGraph graph = io::load_mpd(folder, options);
    check_graph(graph);
    const Tensor& features = graph.node_type(graph.node_type_index("playlist")).features;
    FUZZ_CHECK(features.defined() && features.shape().size() == 2 && features.shape()[1] == 1);
  } catch (const Error&) {
  }
  return 0;
}

int fuzz_graph_cache(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const CacheFixture& fixture = cache_fixture();
  const std::string_view rest = as_text(data + 1, size - 1);
  std::string file;
  if (data[0] % 2 == 0) {  // a payload behind a header that passes
    file = fixture.key_prefix;
    append_u64(&file, rest.size());
    append_u64(&file, fnv1a64(rest.data(), rest.size()));
  }
  file += rest;
  {
    std::FILE* out = std::fopen(fixture.path.c_str(), "wb");
    FUZZ_CHECK(out != nullptr);
    FUZZ_CHECK(std::fwrite(file.data(), 1, file.size(), out) == file.size());
    FUZZ_CHECK(std::fclose(out) == 0);
  }
  try {
    bool was_cached = false;
    const io::RecDataset cached = io::load_cached(
        fixture.dir, kCacheKeyText, {}, []() -> io::RecDataset { throw NotCached{}; }, &was_cached);
    FUZZ_CHECK(was_cached);
    check_dataset(cached);
  } catch (const NotCached&) {  // the file was refused: the loader would parse anew
  } catch (const Error&) {
  }
  return 0;
}

int fuzz_checkpoint(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string file(as_text(data + 1, size - 1));
  if (data[0] % 2 == 0) append_u64(&file, fnv1a64(file.data(), file.size()));
  const std::string path = write_scratch("fuzz.ckpt", file);
  try {
    const io::Checkpoint checkpoint = io::load_checkpoint(path);
    for (const auto& [name, tensor] : checkpoint.tensors) {
      FUZZ_CHECK(tensor.defined() && tensor.device().is_cpu());
      std::int64_t numel = 1;
      for (std::int64_t extent : tensor.shape()) numel *= extent;
      FUZZ_CHECK(numel == tensor.numel());
      FUZZ_CHECK(tensor.nbytes() == static_cast<std::size_t>(numel) * dtype_size(tensor.dtype()));
      fnv1a64(tensor.raw_data(), tensor.nbytes());  // every byte readable
    }
    checkpoint.get("model");
  } catch (const Error&) {
  }
  return 0;
}

int fuzz_node_features(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  NodeType type;
  type.name = "user";
  if (data[0] % 2 == 0) {
    type.raw_ids = {"a", "b", "c,d", "7"};
    type.count = 4;
  } else {
    type.count = 3;  // raw ids "0", "1", "2"
  }
  const std::string path = write_scratch("features.csv", as_text(data + 1, size - 1));
  try {
    const Tensor features = io::read_node_features(path, type);
    FUZZ_CHECK(features.shape().size() == 2 && features.shape()[0] == type.count &&
               features.shape()[1] >= 1 && features.dtype() == DType::F32);
  } catch (const Error&) {
  }
  return 0;
}

int fuzz_cli(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> words;
  std::string_view text = as_text(data, size);
  while (true) {
    const std::size_t end = text.find('\n');
    words.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  if (words[0] == "sage_train") {
    parse_command_line<app::SageOptions>("sage_train", words, app::add_sage_options);
  } else {
    parse_command_line<app::LightgcnOptions>("lightgcn_train", words, app::add_lightgcn_options);
  }
  return 0;
}

const std::vector<FuzzTarget>& fuzz_targets() {
  static const std::vector<FuzzTarget> targets = {
      {"movielens", fuzz_movielens},
      {"lastfm", fuzz_lastfm},
      {"lightgcn_txt", fuzz_lightgcn_txt},
      {"edge_list", fuzz_edge_list},
      {"mpd", fuzz_mpd},
      {"graph_cache", fuzz_graph_cache},
      {"checkpoint", fuzz_checkpoint},
      {"node_features", fuzz_node_features},
      {"cli", fuzz_cli},
  };
  return targets;
}

}  // namespace gnnrec::fuzz
