// HetRec 2011 Last.fm: user_artists.dat (`userID\tartistID\tweight`, with a
// header; every row a positive edge, the listen count is not used) and
// artists.dat (`id\tname\turl\tpictureURL`) for the names. The real files
// mix CRLF and LF line ends, and user_artists.dat has no final newline.
// The two readers are shared with the graph loaders (io/lastfm_graph.cpp).
#include <sstream>
#include <string_view>

#include "io/dataset.h"
#include "io/text_reader.h"

namespace gnnrec::io {

void read_lastfm_listens(const std::string& user_artists_dat, IdMap* users, IdMap* artists,
                         EdgeList* listens) {
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
    listens->user.push_back(add_raw_id(users, fields[0], &scratch));
    listens->item.push_back(add_raw_id(artists, fields[1], &scratch));
  }
}

std::vector<std::string> read_lastfm_artist_names(const std::string& artists_dat,
                                                  const IdMap& artists) {
  TextReader reader(artists_dat);
  reader.expect_header("id\tname\turl\tpictureURL");
  std::vector<std::string> names(static_cast<std::size_t>(artists.size()));
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
    const std::int32_t artist = artists.find(artist_id);
    if (artist >= 0) names[static_cast<std::size_t>(artist)] = fields[1];
  }
  return names;
}

RecDataset load_lastfm(const std::string& user_artists_dat, const std::string& artists_dat,
                       const SplitOptions& split) {
  RecDataset data;
  data.name = "lastfm";
  EdgeList positives;
  read_lastfm_listens(user_artists_dat, &data.users, &data.items, &positives);
  split_positive_edges(positives, split, user_artists_dat, &data);
  if (!artists_dat.empty()) data.item_names = read_lastfm_artist_names(artists_dat, data.items);

  std::ostringstream description;
  description << "lastfm: " << user_artists_dat;
  if (!artists_dat.empty()) description << " + " << artists_dat;
  description << "; " << split_text(split);
  data.description = description.str();
  data.fingerprint = dataset_fingerprint(data);
  return data;
}

}  // namespace gnnrec::io
