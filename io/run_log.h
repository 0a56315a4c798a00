// What a training run leaves for a person to read: a metrics CSV, an SVG
// plot of its curves, and a progress bar on the terminal.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace gnnrec::io {

// A CSV with a header row, one row appended per call and flushed at once, so
// a killed run keeps every finished row. Opening an existing file with the
// same header appends after its rows whose first column (the epoch) is <=
// `keep_up_to` and drops the rest (what --resume needs); a different header
// starts the file anew.
class MetricsCsv {
 public:
  MetricsCsv(std::string path, std::vector<std::string> columns, double keep_up_to = -1);
  // values.size() must equal columns().size(); NaN is written as an empty field.
  void append(const std::vector<double>& values);
  const std::vector<std::string>& columns() const { return columns_; }
  // The rows written so far (including those kept from before), for plotting.
  const std::vector<std::vector<double>>& rows() const { return rows_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::vector<std::string> columns_;
  std::vector<std::vector<double>> rows_;
};

struct PlotSeries {
  std::string label;
  std::vector<double> x, y;  // NaN y values are gaps
};

struct PlotPanel {
  std::string title;    // e.g. "training loss"
  std::string x_label;  // e.g. "epoch"
  std::vector<PlotSeries> series;
};

// Writes a self-contained SVG (no scripts, no external fonts) with the panels
// side by side: axes with ticks, one coloured line per series, a legend. A
// person opens it in any browser. Written atomically.
void write_svg_plot(const std::string& path, const std::string& title,
                    const std::vector<PlotPanel>& panels);

// A one-line progress bar on stderr, redrawn at most every 0.1 s:
//   epoch 3  [#########-----------]  45%  120/266 batches  1.2 s  eta 1.5 s  loss 0.3121
// Drawn only when stderr is a terminal (or `force`); otherwise silent, so
// logs and CI output stay clean.
class ProgressBar {
 public:
  ProgressBar(std::string label, std::int64_t total, bool force = false);
  ~ProgressBar();
  void update(std::int64_t done, const std::string& suffix = "");
  void finish();  // clears the line

 private:
  std::string label_;
  std::int64_t total_;
  bool enabled_;
  double start_, last_draw_ = -1.0;
  bool finished_ = false;
};

}  // namespace gnnrec::io
