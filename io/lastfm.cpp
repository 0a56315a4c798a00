// HetRec 2011 Last.fm: user_artists.dat (`userID\tartistID\tweight`, with a
// header; every row a positive edge, the listen count is not used) and
// artists.dat (`id\tname\turl\tpictureURL`) for the names. The real files
// mix CRLF and LF line ends, and user_artists.dat has no final newline.
#include <sstream>
#include <string_view>

#include "io/dataset.h"
#include "io/text_reader.h"

namespace gnnrec::io {
namespace {

// Names of the artists in `data->items`; "" where artists.dat has none.
void read_artist_names(const std::string& artists_dat, RecDataset* data) {
  TextReader reader(artists_dat);
  reader.expect_header("id\tname\turl\tpictureURL");
  data->item_names.assign(static_cast<std::size_t>(data->n_items()), "");
  std::vector<std::string_view> fields;
  std::string artist_id;
  std::string_view line;
  while (reader.next_line(&line)) {
    if (line.empty()) continue;
    split_on(line, '\t', &fields);
    if (fields.size() != 4) {
      reader.fail("expected 4 tab-separated fields, got " + std::to_string(fields.size()));
    }
    reader.parse_int(fields[0], "an artist id");
    artist_id.assign(fields[0]);
    const std::int32_t item = data->items.find(artist_id);
    if (item >= 0) data->item_names[static_cast<std::size_t>(item)] = fields[1];
  }
}

}  // namespace

RecDataset load_lastfm(const std::string& user_artists_dat, const std::string& artists_dat,
                       const SplitOptions& split) {
  RecDataset data;
  data.name = "lastfm";
  EdgeList positives;
  {
    TextReader reader(user_artists_dat);
    reader.expect_header("userID\tartistID\tweight");
    std::vector<std::string_view> fields;
    std::string scratch;
    std::string_view line;
    while (reader.next_line(&line)) {
      if (line.empty()) continue;
      split_on(line, '\t', &fields);
      if (fields.size() != 3) {
        reader.fail("expected 3 tab-separated fields, got " + std::to_string(fields.size()));
      }
      reader.parse_int(fields[0], "a user id");
      reader.parse_int(fields[1], "an artist id");
      reader.parse_int(fields[2], "a listen count");
      positives.user.push_back(add_raw_id(&data.users, fields[0], &scratch));
      positives.item.push_back(add_raw_id(&data.items, fields[1], &scratch));
    }
  }
  split_positive_edges(positives, split, user_artists_dat, &data);
  if (!artists_dat.empty()) read_artist_names(artists_dat, &data);

  std::ostringstream description;
  description << "lastfm: " << user_artists_dat;
  if (!artists_dat.empty()) description << " + " << artists_dat;
  description << "; " << split_text(split);
  data.description = description.str();
  data.fingerprint = dataset_fingerprint(data);
  return data;
}

}  // namespace gnnrec::io
