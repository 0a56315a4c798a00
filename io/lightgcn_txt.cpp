// The LightGCN paper's split files (Gowalla, Yelp2018, Amazon-Book): one line
// per user, "user item item ...", ids 0-based and dense, blank-separated.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string_view>

#include "core/error.h"
#include "io/dataset.h"
#include "io/text_reader.h"

namespace gnnrec::io {
namespace {

struct AdjacencyFile {
  EdgeList edges;                         // raw ids, which are the dense ids
  std::vector<std::int32_t> line_user;    // the user of each non-blank line
  std::vector<std::int64_t> line_number;  // that line's number in the file
  std::int32_t max_user = -1;
  std::int32_t max_item = -1;
  std::int64_t max_user_line = 0;  // where max_user / max_item was read
  std::int64_t max_item_line = 0;
};

// Ids are dense in this format (0..n-1), so every id up to the largest
// becomes a node. An id far beyond the number of ids the files hold -- a
// typo, or a file with other ids -- would make millions of nodes without an
// edge; it is refused instead: more than kSpareIds + 2 x (ids in the files).
constexpr std::int64_t kSpareIds = 1024;

void check_dense(std::int32_t max_id, std::int64_t n_ids, std::string_view what,
                 const std::string& path, std::int64_t line) {
  GNNREC_CHECK(max_id < kSpareIds + 2 * n_ids,
               path << ":" << line << ": " << what << " id " << max_id << " is far beyond the "
                    << n_ids << " " << what
                    << " ids in the files; this format numbers nodes 0..n-1 (a file with other "
                       "ids can be read as an edge list)");
}

std::int32_t parse_id(const TextReader& reader, std::string_view token, std::string_view what) {
  const std::int64_t id = reader.parse_int(token, what);
  if (id < 0 || id >= std::numeric_limits<std::int32_t>::max()) {
    reader.fail_expected(std::string(what) + " from 0 to 2147483646", token);
  }
  return static_cast<std::int32_t>(id);
}

AdjacencyFile read_adjacency(const std::string& path) {
  AdjacencyFile file;
  TextReader reader(path);
  std::vector<std::string_view> fields;
  std::string_view line;
  while (reader.next_line(&line)) {
    split_on_blanks(line, &fields);
    if (fields.empty()) continue;
    const std::int32_t user = parse_id(reader, fields[0], "a user id");
    file.line_user.push_back(user);
    file.line_number.push_back(reader.line_number());
    if (user > file.max_user) {
      file.max_user = user;
      file.max_user_line = reader.line_number();
    }
    for (std::size_t f = 1; f < fields.size(); ++f) {
      const std::int32_t item = parse_id(reader, fields[f], "an item id");
      file.edges.user.push_back(user);
      file.edges.item.push_back(item);
      if (item > file.max_item) {
        file.max_item = item;
        file.max_item_line = reader.line_number();
      }
    }
  }
  return file;
}

}  // namespace

RecDataset load_lightgcn_txt(const std::string& train_txt, const std::string& test_txt,
                             const SplitOptions& split, const std::string& name) {
  const AdjacencyFile train = read_adjacency(train_txt);
  const AdjacencyFile test = read_adjacency(test_txt);
  check_dense(train.max_user,
              static_cast<std::int64_t>(train.line_user.size() + test.line_user.size()), "user",
              train_txt, train.max_user_line);
  const bool item_in_test = test.max_item > train.max_item;
  check_dense(item_in_test ? test.max_item : train.max_item, train.edges.size() + test.edges.size(),
              "item", item_in_test ? test_txt : train_txt,
              item_in_test ? test.max_item_line : train.max_item_line);

  RecDataset data;
  data.name = name;
  for (std::int32_t user = 0; user <= train.max_user; ++user) data.users.add(std::to_string(user));
  const std::int32_t max_item = std::max(train.max_item, test.max_item);
  for (std::int32_t item = 0; item <= max_item; ++item) data.items.add(std::to_string(item));

  const SplitOptions validation_only{split.validation_fraction, 0.0, split.seed};
  split_positive_edges(train.edges, validation_only, train_txt, &data);

  std::vector<bool> user_in_train(static_cast<std::size_t>(train.max_user) + 1, false);
  for (std::int32_t user : train.line_user) user_in_train[static_cast<std::size_t>(user)] = true;
  for (std::size_t line = 0; line < test.line_user.size(); ++line) {
    const std::int32_t user = test.line_user[line];
    GNNREC_CHECK(user <= train.max_user && user_in_train[static_cast<std::size_t>(user)],
                 test_txt << ":" << test.line_number[line] << ": user " << user
                          << " has no line in " << train_txt);
  }
  data.test = unique_edges(test.edges, data.n_users(), data.n_items());

  std::ostringstream description;
  description << name << ": " << train_txt << " + " << test_txt << " (LightGCN format); validation "
              << split.validation_fraction << " of train, seed " << split.seed;
  data.description = description.str();
  data.fingerprint = dataset_fingerprint(data);
  return data;
}

}  // namespace gnnrec::io
