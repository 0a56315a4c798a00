// MovieLens: ratings.csv (`userId,movieId,rating,timestamp`, with a header)
// gives the positive edges, movies.csv (`movieId,title,genres`, RFC-4180
// quoted titles) the titles.
#include <sstream>
#include <string_view>

#include "io/dataset.h"
#include "io/text_reader.h"

namespace gnnrec::io {
namespace {

// Titles of the movies in `data->items`; "" where movies.csv has none.
void read_titles(const std::string& movies_csv, RecDataset* data) {
  TextReader reader(movies_csv);
  reader.expect_header("movieId,title,genres");
  data->item_names.assign(static_cast<std::size_t>(data->n_items()), "");
  std::vector<std::string_view> fields;
  std::string unquoted;
  std::string movie_id;
  std::string_view line;
  while (reader.next_line(&line)) {
    if (line.empty()) continue;
    reader.split_csv_or_fail(line, &fields, &unquoted);
    if (fields.size() != 3) {
      reader.fail("expected 3 comma-separated fields, got " + std::to_string(fields.size()));
    }
    reader.parse_int(fields[0], "a movie id");
    movie_id.assign(fields[0]);
    const std::int32_t item = data->items.find(movie_id);
    if (item >= 0) data->item_names[static_cast<std::size_t>(item)] = fields[1];
  }
}

}  // namespace

RecDataset load_movielens(const std::string& ratings_csv, const std::string& movies_csv,
                          float min_rating, const SplitOptions& split) {
  RecDataset data;
  data.name = "movielens";
  EdgeList positives;
  {
    TextReader reader(ratings_csv);
    reader.expect_header("userId,movieId,rating,timestamp");
    std::vector<std::string_view> fields;
    std::string scratch;
    std::string_view line;
    while (reader.next_line(&line)) {
      if (line.empty()) continue;
      split_on(line, ',', &fields);
      if (fields.size() != 4) {
        reader.fail("expected 4 comma-separated fields, got " + std::to_string(fields.size()));
      }
      reader.parse_int(fields[0], "a user id");
      reader.parse_int(fields[1], "a movie id");
      const float rating = reader.parse_float(fields[2], "a rating");
      reader.parse_int(fields[3], "a timestamp");
      if (rating < min_rating) continue;
      positives.user.push_back(add_raw_id(&data.users, fields[0], &scratch));
      positives.item.push_back(add_raw_id(&data.items, fields[1], &scratch));
    }
  }
  std::ostringstream source;
  source << ratings_csv << " (rating >= " << min_rating << ")";
  split_positive_edges(positives, split, source.str(), &data);
  if (!movies_csv.empty()) read_titles(movies_csv, &data);

  std::ostringstream description;
  description << "movielens: " << ratings_csv;
  if (!movies_csv.empty()) description << " + " << movies_csv;
  description << ", rating >= " << min_rating << "; " << split_text(split);
  data.description = description.str();
  data.fingerprint = dataset_fingerprint(data);
  return data;
}

}  // namespace gnnrec::io
