// mpd_generate: synthetic Spotify Million Playlist Dataset slices, for
// sage_train at scale (the real MPD may not be redistributed).
//
//   mpd_generate --out data/mpd-synth --playlists 100000
//
// writes mpd.slice.0-999.json ... in the real format (io/graph_datasets.h,
// write_synthetic_mpd) and prints what it wrote.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <string>

#include "apps/app_util.h"
#include "io/graph_datasets.h"

namespace {

using gnnrec::io::SyntheticMpdOptions;

void add_options(CLI::App& app, std::string& out, SyntheticMpdOptions& opt) {
  app.add_option("--out", out, "folder for the mpd.slice.*.json files (created when missing)")
      ->required();
  app.add_option("--playlists", opt.n_playlists, "number of playlists")
      ->required()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 31));
  app.add_option("--per-file", opt.playlists_per_file, "playlists per slice file")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 31));
  app.add_option("--tracks", opt.n_tracks, "distinct tracks to draw from")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 30));
  app.add_option("--artists", opt.n_artists, "distinct artists")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 30));
  app.add_option("--albums", opt.n_albums, "distinct albums")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 30));
  app.add_option("--min-tracks", opt.min_tracks, "fewest tracks in a playlist")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  app.add_option("--max-tracks", opt.max_tracks, "most tracks in a playlist")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  app.add_option("--skew", opt.skew, "Zipf exponent of track popularity (0: uniform)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 10.0));
  app.add_option("--seed", opt.seed, "random seed")->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
  std::string out;
  SyntheticMpdOptions opt;
  CLI::App app{
      "mpd_generate: synthetic Spotify Million Playlist Dataset slices (same JSON format)"};
  gnnrec::app::use_one_line_errors(app, "mpd_generate");
  add_options(app, out, opt);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints --help, or the one-line error
    return code == 0 ? 0 : 1;
  }
  return gnnrec::app::run_reporting_errors("mpd_generate", [&] {
    const auto start = std::chrono::steady_clock::now();
    const gnnrec::io::SyntheticMpdSummary summary = gnnrec::io::write_synthetic_mpd(out, opt);
    std::printf(
        "mpd_generate: wrote %lld playlists (%lld track entries) in %lld files, %.1f MB, to %s "
        "in %.1f s\n",
        static_cast<long long>(summary.n_playlists),
        static_cast<long long>(summary.n_track_entries), static_cast<long long>(summary.n_files),
        static_cast<double>(summary.n_bytes) / 1e6, out.c_str(), gnnrec::app::seconds_since(start));
    return 0;
  });
}
