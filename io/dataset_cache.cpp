// The binary dataset cache: one file per (loader options, input files)
// key, "<cache_dir>/dataset-<key as 16 hex digits>.bin".
//
// Layout, in the machine's byte order (little-endian on every machine we
// build for; a file from the other order fails the version check):
//   char[8] "GNNRDSET"   magic
//   u32     version      kFormatVersion
//   u64     key          must equal the key the file name was made from
//   u64     payload size
//   u64     checksum     FNV-1a 64 of the payload
//   payload:
//     string name, string description, u64 fingerprint,
//     strings users' raw ids (dense order), strings items' raw ids,
//     strings item names, edges train, edges validation, edges test
// where string = u64 length + bytes, strings = u64 count + that many
// strings, edges = u64 count + count i32 user ids + count i32 item ids.
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>

#include "core/error.h"
#include "core/log.h"
#include "io/dataset.h"
#include "io/files.h"

namespace gnnrec::io {
namespace {

constexpr char kMagic[8] = {'G', 'N', 'N', 'R', 'D', 'S', 'E', 'T'};
constexpr std::uint32_t kFormatVersion = 1;
constexpr std::size_t kHeaderBytes =
    sizeof(kMagic) + sizeof(std::uint32_t) + 3 * sizeof(std::uint64_t);

class ByteWriter {
 public:
  template <typename T>
  void put(const T& value) {
    bytes_.append(reinterpret_cast<const char*>(&value), sizeof(T));
  }
  void put_string(std::string_view text) {
    put<std::uint64_t>(text.size());
    bytes_.append(text);
  }
  void put_ids(const IdMap& ids) {
    put<std::uint64_t>(static_cast<std::uint64_t>(ids.size()));
    for (std::int32_t id = 0; id < ids.size(); ++id) put_string(ids.raw(id));
  }
  void put_strings(const std::vector<std::string>& strings) {
    put<std::uint64_t>(strings.size());
    for (const std::string& text : strings) put_string(text);
  }
  void put_edges(const EdgeList& edges) {
    put<std::uint64_t>(edges.user.size());
    bytes_.append(reinterpret_cast<const char*>(edges.user.data()),
                  edges.user.size() * sizeof(std::int32_t));
    bytes_.append(reinterpret_cast<const char*>(edges.item.data()),
                  edges.item.size() * sizeof(std::int32_t));
  }
  std::string& bytes() { return bytes_; }

 private:
  std::string bytes_;
};

// Reads what ByteWriter wrote; every get returns false instead of reading
// past the end, and counts are checked against the bytes left before any
// allocation, so a damaged file cannot make it allocate wildly.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}

  template <typename T>
  bool get(T* value) {
    if (left() < sizeof(T)) return false;
    std::memcpy(value, bytes_.data() + position_, sizeof(T));
    position_ += sizeof(T);
    return true;
  }
  bool get_string(std::string* text) {
    std::uint64_t length = 0;
    if (!get(&length) || length > left()) return false;
    text->assign(bytes_.substr(position_, length));
    position_ += length;
    return true;
  }
  bool get_ids(IdMap* ids) {
    std::uint64_t count = 0;
    if (!get_count(&count, sizeof(std::uint64_t))) return false;
    std::string raw;
    for (std::uint64_t i = 0; i < count; ++i) {
      // A repeated raw id would shift every later dense id.
      if (!get_string(&raw) || ids->find(raw) >= 0) return false;
      ids->add(raw);
    }
    return true;
  }
  bool get_strings(std::vector<std::string>* strings) {
    std::uint64_t count = 0;
    if (!get_count(&count, sizeof(std::uint64_t))) return false;
    strings->resize(count);
    for (std::string& text : *strings) {
      if (!get_string(&text)) return false;
    }
    return true;
  }
  bool get_edges(EdgeList* edges) {
    std::uint64_t count = 0;
    if (!get_count(&count, 2 * sizeof(std::int32_t))) return false;
    edges->user.resize(count);
    edges->item.resize(count);
    if (count == 0) return true;  // memcpy to an empty vector's null data() is undefined
    const std::size_t n_bytes = count * sizeof(std::int32_t);
    std::memcpy(edges->user.data(), bytes_.data() + position_, n_bytes);
    std::memcpy(edges->item.data(), bytes_.data() + position_ + n_bytes, n_bytes);
    position_ += 2 * n_bytes;
    return true;
  }
  std::size_t left() const { return bytes_.size() - position_; }

 private:
  // A count of items of at least `min_item_bytes` each that fit in what is left.
  bool get_count(std::uint64_t* count, std::size_t min_item_bytes) {
    return get(count) && *count <= left() / min_item_bytes;
  }

  std::string_view bytes_;
  std::size_t position_ = 0;
};

bool edges_in_range(const EdgeList& edges, const RecDataset& data) {
  for (std::size_t e = 0; e < edges.user.size(); ++e) {
    if (edges.user[e] < 0 || edges.user[e] >= data.n_users() || edges.item[e] < 0 ||
        edges.item[e] >= data.n_items()) {
      return false;
    }
  }
  return true;
}

std::string encode(const RecDataset& data, std::uint64_t key) {
  ByteWriter payload;
  payload.put_string(data.name);
  payload.put_string(data.description);
  payload.put(data.fingerprint);
  payload.put_ids(data.users);
  payload.put_ids(data.items);
  payload.put_strings(data.item_names);
  payload.put_edges(data.train);
  payload.put_edges(data.validation);
  payload.put_edges(data.test);

  ByteWriter file;
  file.bytes().append(kMagic, sizeof(kMagic));
  file.put(kFormatVersion);
  file.put(key);
  file.put<std::uint64_t>(payload.bytes().size());
  file.put(fnv1a64(payload.bytes().data(), payload.bytes().size()));
  file.bytes() += payload.bytes();
  return std::move(file.bytes());
}

// False (and `data` unspecified) unless `bytes` is a whole, undamaged cache
// file for `key`. The id range checks keep even a forged file (one with a
// made-up checksum) from indexing out of bounds, and it must also hold what
// every loader returns: training edges, and the fingerprint of its contents
// (checkpoints compare it), recomputed here rather than trusted.
bool decode(std::string_view bytes, std::uint64_t key, RecDataset* data) {
  if (bytes.size() < kHeaderBytes || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return false;
  }
  ByteReader header(bytes.substr(sizeof(kMagic), kHeaderBytes - sizeof(kMagic)));
  std::uint32_t version = 0;
  std::uint64_t file_key = 0, payload_size = 0, checksum = 0;
  header.get(&version);
  header.get(&file_key);
  header.get(&payload_size);
  header.get(&checksum);
  const std::string_view payload_bytes = bytes.substr(kHeaderBytes);
  if (version != kFormatVersion || file_key != key || payload_size != payload_bytes.size() ||
      checksum != fnv1a64(payload_bytes.data(), payload_bytes.size())) {
    return false;
  }
  ByteReader payload(payload_bytes);
  const bool complete = payload.get_string(&data->name) && payload.get_string(&data->description) &&
                        payload.get(&data->fingerprint) && payload.get_ids(&data->users) &&
                        payload.get_ids(&data->items) && payload.get_strings(&data->item_names) &&
                        payload.get_edges(&data->train) && payload.get_edges(&data->validation) &&
                        payload.get_edges(&data->test) && payload.left() == 0;
  return complete && !data->train.user.empty() &&
         (data->item_names.empty() ||
          data->item_names.size() == static_cast<std::size_t>(data->n_items())) &&
         edges_in_range(data->train, *data) && edges_in_range(data->validation, *data) &&
         edges_in_range(data->test, *data) && data->fingerprint == dataset_fingerprint(*data);
}

// Hash of the key text and of each input's absolute path, size and
// modification time; false when an input cannot be examined (the loader then
// runs uncached and reports the file itself).
bool cache_key(const std::string& key_text, const std::vector<std::string>& input_files,
               std::uint64_t* key) {
  std::uint64_t hash = fnv1a64(&kFormatVersion, sizeof(kFormatVersion));
  const std::uint64_t text_size = key_text.size();
  hash = fnv1a64(&text_size, sizeof(text_size), hash);
  hash = fnv1a64(key_text.data(), key_text.size(), hash);
  for (const std::string& path : input_files) {
    const std::string absolute =
        path.empty() ? path : std::filesystem::absolute(path).lexically_normal().string();
    const std::uint64_t path_size = absolute.size();
    hash = fnv1a64(&path_size, sizeof(path_size), hash);
    hash = fnv1a64(absolute.data(), absolute.size(), hash);
    if (path.empty()) continue;
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return false;
    const std::int64_t stamp[3] = {static_cast<std::int64_t>(info.st_size),
                                   static_cast<std::int64_t>(info.st_mtim.tv_sec),
                                   static_cast<std::int64_t>(info.st_mtim.tv_nsec)};
    hash = fnv1a64(stamp, sizeof(stamp), hash);
  }
  *key = hash;
  return true;
}

// The file's bytes, or "" when it is missing or unreadable (the rewrite
// after parsing then reports a directory we cannot use).
std::string read_if_possible(const std::string& path) {
  if (!file_exists(path)) return "";
  try {
    return read_file(path);
  } catch (const Error&) {
    return "";
  }
}

}  // namespace

RecDataset load_cached(const std::string& cache_dir, const std::string& key_text,
                       const std::vector<std::string>& input_files,
                       const std::function<RecDataset()>& load, bool* was_cached) {
  if (was_cached != nullptr) *was_cached = false;
  std::uint64_t key = 0;
  if (cache_dir.empty() || !cache_key(key_text, input_files, &key)) return load();

  char key_hex[17];
  std::snprintf(key_hex, sizeof(key_hex), "%016llx", static_cast<unsigned long long>(key));
  const std::string cache_path = cache_dir + "/dataset-" + key_hex + ".bin";
  RecDataset cached;
  if (decode(read_if_possible(cache_path), key, &cached)) {
    if (was_cached != nullptr) *was_cached = true;
    return cached;
  }

  RecDataset data = load();
  try {
    make_directories(cache_dir);
    write_file_atomically(cache_path, encode(data, key));
  } catch (const Error& error) {
    log_warning(std::string("dataset cache not written (") + error.what() +
                "); the dataset was loaded without it");
  }
  return data;
}

std::string default_cache_dir() {
  const char* xdg_cache_home = std::getenv("XDG_CACHE_HOME");
  if (xdg_cache_home != nullptr && xdg_cache_home[0] != '\0') {
    return std::string(xdg_cache_home) + "/gnnrec";
  }
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] != '\0') return std::string(home) + "/.cache/gnnrec";
  return "";
}

}  // namespace gnnrec::io
