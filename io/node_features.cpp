// read_node_features: a CSV file `raw_id,f1,f2,...` (RFC-4180 quoting, so a
// raw id may hold commas) with a header row whose column count fixes the
// number of features; blank lines are skipped.
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "io/graph_datasets.h"
#include "io/text_reader.h"

namespace gnnrec::io {
namespace {

// Raw id -> node for a type; NodeType::find scans the ids, too slow per row.
class NodeLookup {
 public:
  explicit NodeLookup(const NodeType& type) : type_(type) {
    index_.reserve(type.raw_ids.size());
    for (std::size_t i = 0; i < type.raw_ids.size(); ++i) {
      index_.emplace(type.raw_ids[i], static_cast<std::int32_t>(i));
    }
  }
  // The node called `raw`, or -1; without raw ids a node's id is its index.
  std::int32_t find(const std::string& raw) const {
    if (type_.raw_ids.empty()) return type_.find(raw);
    auto it = index_.find(raw);
    return it == index_.end() ? -1 : it->second;
  }

 private:
  const NodeType& type_;
  std::unordered_map<std::string, std::int32_t> index_;
};

}  // namespace

Tensor read_node_features(const std::string& path, const NodeType& type) {
  TextReader reader(path);
  std::vector<std::string_view> fields;
  std::string unquoted;
  std::string_view line;
  GNNREC_CHECK(reader.next_line(&line), path << ": empty file, expected a header row "
                                             << "'id,feature1,feature2,...'");
  reader.split_csv_or_fail(line, &fields, &unquoted);
  if (fields.size() < 2) {
    reader.fail_expected("a header row 'id,feature1,...' with at least one feature column", line);
  }
  const std::size_t n_features = fields.size() - 1;

  const NodeLookup lookup(type);
  const auto n_nodes = static_cast<std::size_t>(type.count);
  std::vector<float> features(n_nodes * n_features, 0.0f);  // (count, n_features)
  std::vector<std::int64_t> line_of_node(n_nodes, 0);       // 0: no row yet
  std::string raw_id;
  while (reader.next_line(&line)) {
    if (line.empty()) continue;
    reader.split_csv_or_fail(line, &fields, &unquoted);
    if (fields.size() != n_features + 1) {
      reader.fail("expected " + std::to_string(n_features + 1) +
                  " comma-separated fields (an id and " + std::to_string(n_features) +
                  " features, as in the header), got " + std::to_string(fields.size()));
    }
    raw_id.assign(fields[0]);
    const std::int32_t node = lookup.find(raw_id);
    if (node < 0) {
      reader.fail("unknown " + type.name + " '" + raw_id + "' (the graph has " +
                  std::to_string(type.count) + " " + type.name + " nodes)");
    }
    const auto row = static_cast<std::size_t>(node);
    if (line_of_node[row] != 0) {
      reader.fail(type.name + " '" + raw_id + "' already has a row (line " +
                  std::to_string(line_of_node[row]) + ")");
    }
    line_of_node[row] = reader.line_number();
    for (std::size_t j = 0; j < n_features; ++j) {
      features[row * n_features + j] = reader.parse_float(fields[j + 1], "a finite number");
    }
  }

  std::size_t n_missing = 0;
  std::size_t first_missing = 0;
  for (std::size_t i = n_nodes; i-- > 0;) {
    if (line_of_node[i] == 0) {
      ++n_missing;
      first_missing = i;
    }
  }
  if (n_missing > 0) {
    const std::string missing_id =
        type.raw_ids.empty() ? std::to_string(first_missing) : type.raw_ids[first_missing];
    const std::string more =
        n_missing > 1 ? " and " + std::to_string(n_missing - 1) + " more" : std::string();
    GNNREC_FAIL(path << ": no row for " << type.name << " '" << missing_id << "'" << more
                     << " (every " << type.name << " node needs one; the file has "
                     << n_nodes - n_missing << " of " << n_nodes << ")");
  }
  return Tensor::from_vector(
      features, {static_cast<std::int64_t>(n_nodes), static_cast<std::int64_t>(n_features)});
}

}  // namespace gnnrec::io
