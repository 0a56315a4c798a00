// MovieLens ratings.csv: `userId,movieId,rating,timestamp` with a header
// row. A rating >= min_rating makes a positive user-item edge.
//
// Errors name the file, the line and what was expected, e.g.
//   data/ratings.csv:17: expected 4 comma-separated fields, got 3
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/id_map.h"

namespace gnnrec::io {

struct Interactions {
  IdMap users;
  IdMap items;
  std::vector<std::int32_t> user;  // dense user id of each positive edge
  std::vector<std::int32_t> item;  // dense item id of each positive edge
  std::int64_t n_lines = 0;        // data lines read (all ratings)
};

Interactions read_movielens_ratings(const std::string& path, float min_rating = 3.5f);

}  // namespace gnnrec::io
