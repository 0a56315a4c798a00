// HetRec 2011 Last.fm as a graph: user_artists.dat and artists.dat are read
// by the readers load_lastfm uses (io/dataset.h); user_friends.dat is
// `userID\tfriendID`, one directed pair per line. The original file starts
// with that header; the shared copy has none, ends without a final newline
// and uses CRLF line ends, so the header is optional (a first line equal to
// it is skipped) and both line ends are accepted.
//
// Friends who are not users: every friend id should be a user of
// user_artists.dat (in the real files all 1,892 are), but where one is not,
// it becomes a user node without listens rather than an error, appended
// after the users of user_artists.dat, so a trimmed user_artists.dat still
// loads. A user listed as their own friend is skipped (a node's own input
// already reaches it through the self weights of the model).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "io/dataset.h"
#include "io/graph_datasets.h"
#include "io/text_reader.h"

namespace gnnrec::io {
namespace {

// Appends the (user, friend) pairs of user_friends.dat to `friends`, adding
// friends who are not yet users to `users`.
void read_friends(const std::string& user_friends_dat, IdMap* users, EdgeList* friends) {
  constexpr std::string_view kHeader = "userID\tfriendID";
  TextReader reader(user_friends_dat);
  std::vector<std::string_view> fields;
  std::string scratch;
  std::string_view line;
  while (reader.next_line(&line)) {
    if (line.empty()) continue;
    if (reader.line_number() == 1 && line == kHeader) continue;
    split_on(line, '\t', &fields);
    if (fields.size() != 2) {
      reader.fail("expected 2 tab-separated fields (userID, friendID), got " +
                  std::to_string(fields.size()));
    }
    reader.parse_int(fields[0], "a user id");
    reader.parse_int(fields[1], "a friend's user id");
    if (fields[0] == fields[1]) continue;
    friends->user.push_back(add_raw_id(users, fields[0], &scratch));
    friends->item.push_back(add_raw_id(users, fields[1], &scratch));
  }
}

std::vector<std::string> raw_ids_of(const IdMap& ids) {
  std::vector<std::string> raw(static_cast<std::size_t>(ids.size()));
  for (std::int32_t i = 0; i < ids.size(); ++i) raw[static_cast<std::size_t>(i)] = ids.raw(i);
  return raw;
}

}  // namespace

HeteroGraph load_lastfm_hetero(const std::string& user_artists_dat,
                               const std::string& user_friends_dat,
                               const std::string& artists_dat) {
  IdMap users, artists;
  EdgeList listens;
  read_lastfm_listens(user_artists_dat, &users, &artists, &listens);
  GNNREC_CHECK(listens.size() > 0, user_artists_dat << ": no (user, artist) rows");
  EdgeList friends;
  if (!user_friends_dat.empty()) read_friends(user_friends_dat, &users, &friends);

  HeteroGraph graph;
  NodeType user{"user", users.size(), raw_ids_of(users), {}, {}};
  NodeType artist{"artist", artists.size(), raw_ids_of(artists), {}, {}};
  if (!artists_dat.empty()) artist.labels = read_lastfm_artist_names(artists_dat, artists);
  graph.add_node_type(std::move(user));
  graph.add_node_type(std::move(artist));

  const EdgeList unique_listens = unique_edges(listens, users.size(), artists.size());
  graph.add_relation({"user", "listens", "artist", unique_listens.user, unique_listens.item});
  if (!user_friends_dat.empty()) {
    // make_symmetric also drops repeated pairs.
    const int relation =
        graph.add_relation({"user", "friends", "user", friends.user, friends.item});
    graph.make_symmetric(relation);
  }
  return graph;
}

HeteroGraph load_lastfm_homogeneous(const std::string& user_artists_dat,
                                    const std::string& artists_dat) {
  IdMap users, artists;
  EdgeList listens;
  read_lastfm_listens(user_artists_dat, &users, &artists, &listens);
  GNNREC_CHECK(listens.size() > 0, user_artists_dat << ": no (user, artist) rows");
  const std::vector<std::string> names = artists_dat.empty()
                                             ? std::vector<std::string>()
                                             : read_lastfm_artist_names(artists_dat, artists);

  // Users are nodes 0..n_users-1, artist j is node n_users + j.
  const std::int32_t n_users = users.size();
  NodeType node{"node", n_users + artists.size(), {}, {}, {}};
  node.raw_ids.reserve(static_cast<std::size_t>(node.count));
  node.labels.reserve(static_cast<std::size_t>(node.count));
  for (std::int32_t u = 0; u < n_users; ++u) {
    node.raw_ids.push_back("user:" + users.raw(u));
    node.labels.push_back("user " + users.raw(u));
  }
  for (std::int32_t a = 0; a < artists.size(); ++a) {
    const auto i = static_cast<std::size_t>(a);
    node.raw_ids.push_back("artist:" + artists.raw(a));
    node.labels.push_back(i < names.size() && !names[i].empty() ? names[i]
                                                                : "artist " + artists.raw(a));
  }

  const EdgeList unique_listens = unique_edges(listens, n_users, artists.size());
  Relation relation{"node", "listens", "node", unique_listens.user, unique_listens.item};
  for (std::int32_t& dst : relation.dst) dst += n_users;
  HeteroGraph graph;
  graph.add_node_type(std::move(node));
  graph.add_relation(std::move(relation));
  return graph;
}

}  // namespace gnnrec::io
