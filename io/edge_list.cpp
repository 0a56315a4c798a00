// A generic user-item edge list: one edge per line, the user and item ids in
// the columns EdgeListFormat names. Ids are taken as text (they need not be
// numbers), without surrounding blanks; with ',' as the delimiter, fields may
// be RFC-4180 quoted.
#include <algorithm>
#include <sstream>
#include <string_view>

#include "core/error.h"
#include "io/dataset.h"
#include "io/text_reader.h"

namespace gnnrec::io {
namespace {

std::string delimiter_text(char delimiter) {
  switch (delimiter) {
    case 0:
      return "blank-separated";
    case ',':
      return "comma-separated";
    case '\t':
      return "tab-separated";
    default:
      return std::string("'") + delimiter + "'-separated";
  }
}

std::string_view trim_blanks(std::string_view field) {
  const std::size_t first = field.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return field.substr(first, field.find_last_not_of(" \t") - first + 1);
}

bool is_comment_or_blank(std::string_view line) {
  const std::size_t first = line.find_first_not_of(" \t");
  return first == std::string_view::npos || line[first] == '#' || line[first] == '%';
}

}  // namespace

RecDataset load_edge_list(const std::string& path, const EdgeListFormat& format,
                          const SplitOptions& split) {
  GNNREC_CHECK(format.user_column >= 0 && format.item_column >= 0 &&
                   format.user_column != format.item_column,
               path << ": the user column (" << format.user_column << ") and the item column ("
                    << format.item_column << ") must be two different columns >= 0");
  const auto n_columns_needed =
      static_cast<std::size_t>(std::max(format.user_column, format.item_column)) + 1;
  const std::string fields_text = delimiter_text(format.delimiter) + " fields";

  RecDataset data;
  data.name = "edgelist";
  EdgeList positives;
  {
    TextReader reader(path);
    std::vector<std::string_view> fields;
    std::string unquoted;
    std::string scratch;
    std::string_view line;
    if (format.header) reader.next_line(&line);
    while (reader.next_line(&line)) {
      if (is_comment_or_blank(line)) continue;
      if (format.delimiter == 0) {
        split_on_blanks(line, &fields);
      } else if (format.delimiter == ',') {
        reader.split_csv_or_fail(line, &fields, &unquoted);
      } else {
        split_on(line, format.delimiter, &fields);
      }
      if (fields.size() < n_columns_needed) {
        reader.fail("expected at least " + std::to_string(n_columns_needed) + " " + fields_text +
                    ", got " + std::to_string(fields.size()));
      }
      const std::string_view user =
          trim_blanks(fields[static_cast<std::size_t>(format.user_column)]);
      const std::string_view item =
          trim_blanks(fields[static_cast<std::size_t>(format.item_column)]);
      if (user.empty()) reader.fail_expected("a user id", user);
      if (item.empty()) reader.fail_expected("an item id", item);
      positives.user.push_back(add_raw_id(&data.users, user, &scratch));
      positives.item.push_back(add_raw_id(&data.items, item, &scratch));
    }
  }
  split_positive_edges(positives, split, path, &data);

  std::ostringstream description;
  description << "edgelist: " << path << " (" << fields_text << ", user column "
              << format.user_column << ", item column " << format.item_column
              << (format.header ? ", header" : "") << "); " << split_text(split);
  data.description = description.str();
  data.fingerprint = dataset_fingerprint(data);
  return data;
}

}  // namespace gnnrec::io
