// Checkpoint files: the writer builds the whole file in memory and hands it to
// write_file_atomically; the reader checks every length against the bytes
// left before it reads or allocates, so no file can make it read out of
// bounds or allocate more than the file's own size.
#include "io/checkpoint.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>
#include <sstream>

#include "core/error.h"
#include "io/files.h"

// Tensor data is stored as the host's bytes; the format is little-endian.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "checkpoints assume a little-endian host");

namespace gnnrec::io {
namespace {

constexpr char kMagic[8] = {'G', 'N', 'N', 'R', 'E', 'C', 'K', 'P'};

// "a, b, c" (or "nothing") for error messages that list what a checkpoint holds.
template <class Range, class NameOf>
std::string list_names(const Range& range, NameOf name_of) {
  std::ostringstream names;
  bool first = true;
  for (const auto& entry : range) {
    names << (first ? "" : ", ") << name_of(entry);
    first = false;
  }
  return first ? "nothing" : names.str();
}

// ---- Writing ----------------------------------------------------------------

void append_u32(std::string& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

void append_u64(std::string& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

// A count or length as the u32 the format stores; an Error when it does not fit.
std::uint32_t checked_u32(std::size_t value, const char* what, const std::string& path) {
  GNNREC_CHECK(value <= std::numeric_limits<std::uint32_t>::max(),
               path << ": " << value << " " << what << " do not fit in a checkpoint");
  return static_cast<std::uint32_t>(value);
}

void append_string(std::string& out, const std::string& text, const std::string& path) {
  append_u32(out, checked_u32(text.size(), "bytes of one string", path));
  out += text;
}

std::uint32_t dtype_code(DType dtype) {
  switch (dtype) {
    case DType::F32:
      return 0;
    case DType::I32:
      return 1;
    case DType::I64:
      return 2;
  }
  GNNREC_FAIL("unknown dtype");
}

// ---- Reading ----------------------------------------------------------------

// A cursor over the file's bytes that refuses to step past the end.
class Reader {
 public:
  Reader(const std::string& path, const std::string& bytes) : path_(path), bytes_(bytes) {}

  std::size_t offset() const { return offset_; }
  std::size_t size() const { return bytes_.size(); }

  // An Error unless `n` more bytes are left.
  void require(std::uint64_t n) const {
    GNNREC_CHECK(n <= bytes_.size() - offset_, path_ << ": truncated (needs " << n
                                                     << " bytes at offset " << offset_
                                                     << ", file has " << bytes_.size() << ")");
  }

  // The next `n` bytes.
  const char* take(std::uint64_t n) {
    require(n);
    const char* start = bytes_.data() + offset_;
    offset_ += static_cast<std::size_t>(n);
    return start;
  }

  std::uint32_t u32() {
    const auto* p = reinterpret_cast<const unsigned char*>(take(4));
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) value |= static_cast<std::uint32_t>(p[i]) << (8 * i);
    return value;
  }

  std::uint64_t u64() {
    const auto* p = reinterpret_cast<const unsigned char*>(take(8));
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value |= static_cast<std::uint64_t>(p[i]) << (8 * i);
    return value;
  }

  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }

  std::string string() {
    std::uint32_t length = u32();
    return std::string(take(length), length);
  }

 private:
  const std::string& path_;
  const std::string& bytes_;
  std::size_t offset_ = 0;
};

DType dtype_from_code(std::uint32_t code, const std::string& tensor_name, const std::string& path) {
  switch (code) {
    case 0:
      return DType::F32;
    case 1:
      return DType::I32;
    case 2:
      return DType::I64;
    default:
      GNNREC_FAIL(path << ": tensor '" << tensor_name << "' has unknown dtype code " << code
                       << " (file damaged)");
  }
}

// One tensor's dtype, shape and data. The shape is checked (non-negative,
// no overflow, data present) before anything is allocated.
Tensor read_tensor(Reader& reader, const std::string& name, const std::string& path) {
  DType dtype = dtype_from_code(reader.u32(), name, path);
  std::uint32_t ndim = reader.u32();
  reader.require(8ull * ndim);
  Shape shape(ndim);
  for (std::int64_t& extent : shape) extent = reader.i64();

  constexpr std::int64_t kMaxBytes = std::numeric_limits<std::int64_t>::max();
  const auto element_size = static_cast<std::int64_t>(dtype_size(dtype));
  std::int64_t numel = 1;
  for (std::int64_t extent : shape) {
    GNNREC_CHECK(extent >= 0, path << ": tensor '" << name << "' has a negative extent in shape "
                                   << shape_str(shape) << " (file damaged)");
    // Checked at every step so that Tensor's own running product cannot overflow either.
    GNNREC_CHECK(extent == 0 || numel <= kMaxBytes / element_size / extent,
                 path << ": tensor '" << name << "' has an impossible shape " << shape_str(shape)
                      << " (file damaged)");
    numel *= extent;
  }
  const std::int64_t n_bytes = numel * element_size;
  reader.require(static_cast<std::uint64_t>(n_bytes));

  Tensor tensor = Tensor::empty(shape, dtype, Device::cpu());
  copy_bytes(tensor.raw_data(), Device::cpu(), reader.take(static_cast<std::uint64_t>(n_bytes)),
             Device::cpu(), static_cast<std::size_t>(n_bytes));
  return tensor;
}

}  // namespace

const Tensor& Checkpoint::tensor(const std::string& name) const {
  for (const auto& [tensor_name, value] : tensors) {
    if (tensor_name == name) return value;
  }
  GNNREC_FAIL("the checkpoint has no tensor '"
              << name << "' (it has: " << list_names(tensors, [](const auto& t) { return t.first; })
              << ")");
}

const std::string& Checkpoint::get(const std::string& key) const {
  auto found = meta.find(key);
  GNNREC_CHECK(found != meta.end(),
               "the checkpoint has no metadata '"
                   << key << "' (it has: "
                   << list_names(meta, [](const auto& entry) { return entry.first; }) << ")");
  return found->second;
}

void save_checkpoint(const std::string& path, const Checkpoint& checkpoint) {
  std::string bytes(kMagic, sizeof(kMagic));
  append_u32(bytes, kCheckpointVersion);
  append_u64(bytes, checkpoint.dataset_fingerprint);

  append_u32(bytes, checked_u32(checkpoint.meta.size(), "metadata entries", path));
  for (const auto& [key, value] : checkpoint.meta) {
    append_string(bytes, key, path);
    append_string(bytes, value, path);
  }

  append_u32(bytes, checked_u32(checkpoint.tensors.size(), "tensors", path));
  std::set<std::string> names;
  for (const auto& [name, tensor] : checkpoint.tensors) {
    GNNREC_CHECK(names.insert(name).second, path << ": two tensors are called '" << name << "'");
    GNNREC_CHECK(tensor.defined(), path << ": tensor '" << name << "' is undefined");
    append_string(bytes, name, path);
    append_u32(bytes, dtype_code(tensor.dtype()));
    append_u32(bytes, checked_u32(tensor.shape().size(), "dimensions", path));
    for (std::int64_t extent : tensor.shape()) {
      append_u64(bytes, static_cast<std::uint64_t>(extent));
    }
    const std::size_t data_offset = bytes.size();
    bytes.resize(data_offset + tensor.nbytes());
    copy_bytes(bytes.data() + data_offset, Device::cpu(), tensor.raw_data(), tensor.device(),
               tensor.nbytes());
  }

  append_u64(bytes, fnv1a64(bytes.data(), bytes.size()));
  write_file_atomically(path, bytes);
}

Checkpoint load_checkpoint(const std::string& path) {
  const std::string bytes = read_file(path);
  // A file shorter than the magic but matching it so far is reported as truncated below.
  GNNREC_CHECK(std::memcmp(bytes.data(), kMagic, std::min(bytes.size(), sizeof(kMagic))) == 0,
               path << ": not a gnnrec checkpoint (bad magic)");
  Reader reader(path, bytes);
  reader.take(sizeof(kMagic));
  const std::uint32_t version = reader.u32();
  GNNREC_CHECK(version == kCheckpointVersion, path << ": format version " << version
                                                   << ", this build reads " << kCheckpointVersion);

  Checkpoint checkpoint;
  checkpoint.dataset_fingerprint = reader.u64();

  const std::uint32_t n_meta = reader.u32();
  for (std::uint32_t i = 0; i < n_meta; ++i) {
    std::string key = reader.string();
    std::string value = reader.string();
    GNNREC_CHECK(checkpoint.meta.emplace(key, std::move(value)).second,
                 path << ": metadata '" << key << "' appears twice (file damaged)");
  }

  const std::uint32_t n_tensors = reader.u32();
  std::set<std::string> names;
  for (std::uint32_t i = 0; i < n_tensors; ++i) {
    std::string name = reader.string();
    GNNREC_CHECK(names.insert(name).second,
                 path << ": tensor '" << name << "' appears twice (file damaged)");
    Tensor tensor = read_tensor(reader, name, path);
    checkpoint.tensors.emplace_back(std::move(name), std::move(tensor));
  }

  const std::size_t n_checked_bytes = reader.offset();
  const std::uint64_t stored_checksum = reader.u64();
  GNNREC_CHECK(reader.offset() == reader.size(),
               path << ": " << reader.size() - reader.offset()
                    << " unexpected bytes after the checksum (file damaged)");
  GNNREC_CHECK(stored_checksum == fnv1a64(bytes.data(), n_checked_bytes),
               path << ": checksum mismatch (file damaged)");
  return checkpoint;
}

}  // namespace gnnrec::io
