#include "io/movielens.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "core/error.h"

namespace gnnrec::io {
namespace {

std::vector<std::string> split_csv_simple(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  for (char c : line) {
    if (c == ',') {
      fields.push_back(field);
      field.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  fields.push_back(field);
  return fields;
}

bool is_unsigned_integer(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

Interactions read_movielens_ratings(const std::string& path, float min_rating) {
  std::ifstream in(path);
  GNNREC_CHECK(in, path << ": cannot open the MovieLens ratings file");
  Interactions data;
  std::string line;
  std::int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line_no == 1) {
      GNNREC_CHECK(line.rfind("userId,movieId,rating", 0) == 0,
                   path << ":1: expected the header 'userId,movieId,rating,timestamp'");
      continue;
    }
    if (line.empty() || line == "\r") continue;
    std::vector<std::string> fields = split_csv_simple(line);
    GNNREC_CHECK(fields.size() == 4, path << ":" << line_no
                                          << ": expected 4 comma-separated fields, got "
                                          << fields.size());
    GNNREC_CHECK(is_unsigned_integer(fields[0]),
                 path << ":" << line_no << ": expected a user id, got '" << fields[0] << "'");
    GNNREC_CHECK(is_unsigned_integer(fields[1]),
                 path << ":" << line_no << ": expected a movie id, got '" << fields[1] << "'");
    char* end = nullptr;
    errno = 0;
    float rating = std::strtof(fields[2].c_str(), &end);
    GNNREC_CHECK(!fields[2].empty() && *end == '\0' && errno == 0 && std::isfinite(rating),
                 path << ":" << line_no << ": expected a rating, got '" << fields[2] << "'");
    ++data.n_lines;
    if (rating < min_rating) continue;
    data.user.push_back(data.users.add(fields[0]));
    data.item.push_back(data.items.add(fields[1]));
  }
  GNNREC_CHECK(line_no >= 1, path << ": empty file, expected a MovieLens ratings.csv");
  GNNREC_CHECK(!data.user.empty(),
               path << ": no rating >= " << min_rating << ", so there are no positive edges");
  return data;
}

}  // namespace gnnrec::io
