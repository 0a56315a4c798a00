// The metrics CSV (append-only, resumable), the hand-written SVG plot of its
// curves, and the terminal progress bar.
#include "io/run_log.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <sstream>

#include "core/error.h"
#include "core/log.h"
#include "io/files.h"

namespace gnnrec::io {
namespace {

// ---- MetricsCsv -------------------------------------------------------------

std::string join_header(const std::vector<std::string>& columns) {
  std::string header;
  for (std::size_t i = 0; i < columns.size(); ++i) header += (i ? "," : "") + columns[i];
  return header;
}

// Integral values (epochs, counts) print as integers, the rest with 6 significant digits.
std::string format_csv_value(double value) {
  if (std::isnan(value)) return "";
  char text[32];
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    std::snprintf(text, sizeof(text), "%.0f", value);
  } else {
    std::snprintf(text, sizeof(text), "%.6g", value);
  }
  return text;
}

std::string format_csv_row(const std::vector<double>& values) {
  std::string row;
  for (std::size_t i = 0; i < values.size(); ++i) {
    row += (i ? "," : "") + format_csv_value(values[i]);
  }
  return row + "\n";
}

// The fields of one CSV line as numbers (an empty field is NaN); false when
// the line has the wrong number of fields or a field is not a number.
bool parse_csv_row(const std::string& line, std::size_t n_columns, std::vector<double>& values) {
  values.clear();
  std::size_t start = 0;
  while (true) {
    std::size_t comma = line.find(',', start);
    std::string field = line.substr(start, comma == std::string::npos ? comma : comma - start);
    if (field.empty()) {
      values.push_back(std::numeric_limits<double>::quiet_NaN());
    } else {
      char* end = nullptr;
      values.push_back(std::strtod(field.c_str(), &end));
      if (end != field.c_str() + field.size()) return false;
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return values.size() == n_columns;
}

// ---- SVG plot -----------------------------------------------------------------

constexpr double kPanelWidth = 480, kPanelHeight = 320, kTitleHeight = 36;
// The plot area inside a panel: room for the panel title above, tick labels
// and the x label below, tick labels on the left.
constexpr double kPlotLeft = 64, kPlotRight = kPanelWidth - 20, kPlotTop = 32,
                 kPlotBottom = kPanelHeight - 48;
// Data and ticks stay 6 px inside the frame, so no point sits on it.
constexpr double kDataLeft = kPlotLeft + 6, kDataRight = kPlotRight - 6, kDataTop = kPlotTop + 6,
                 kDataBottom = kPlotBottom - 6;
// Tableau 10: distinct, colour-blind-friendlier than pure RGB.
constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::string xml_escape(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&apos;";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

// A coordinate in pixels, two decimals.
std::string px(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f", value);
  return text;
}

// Values this far out would overflow the range arithmetic; they are drawn as gaps.
bool plottable(double value) { return std::isfinite(value) && std::fabs(value) < 1e300; }

// An axis: its range [lo, hi] and the tick values in it, lo and hi included.
struct Axis {
  double lo = 0, hi = 1;
  std::vector<double> ticks;

  // Where `value` falls between the pixel positions `at_lo` and `at_hi`.
  double map(double value, double at_lo, double at_hi) const {
    return at_lo + (value - lo) / (hi - lo) * (at_hi - at_lo);
  }
};

// 4 to 6 ticks at 1, 2, 2.5 or 5 times a power of ten, covering [min, max].
// A zero-width range is widened first so the axis has a scale.
Axis nice_axis(double min, double max) {
  if (min > max) return nice_axis(0, 1);  // no data
  if (max - min <= 1e-12 * std::max(std::fabs(min), std::fabs(max))) {
    double pad = min == 0 ? 1 : std::fabs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const double magnitude = std::pow(10.0, std::floor(std::log10((max - min) / 4)));
  Axis axis;
  for (double multiple : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    const double step = multiple * magnitude;
    const double first = std::floor(min / step);
    const auto n_intervals = static_cast<int>(std::ceil(max / step) - first);
    if (n_intervals <= 5 || multiple == 10.0) {
      for (int k = 0; k <= n_intervals; ++k) axis.ticks.push_back((first + k) * step);
      axis.lo = axis.ticks.front();
      axis.hi = axis.ticks.back();
      break;
    }
  }
  return axis;
}

std::string tick_label(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

struct Point {
  double x, y;  // pixels
};

// The series' points in pixels, split into runs at NaN (or unplottable) values.
std::vector<std::vector<Point>> segments_of(const PlotSeries& series, const Axis& x_axis,
                                            const Axis& y_axis) {
  std::vector<std::vector<Point>> segments;
  bool in_segment = false;
  for (std::size_t i = 0; i < series.x.size(); ++i) {
    if (!plottable(series.x[i]) || !plottable(series.y[i])) {
      in_segment = false;
      continue;
    }
    if (!in_segment) segments.emplace_back();
    segments.back().push_back({x_axis.map(series.x[i], kDataLeft, kDataRight),
                               y_axis.map(series.y[i], kDataBottom, kDataTop)});
    in_segment = true;
  }
  return segments;
}

// Grid lines, tick labels, the frame and the panel's title and x label.
void write_axes(std::ostringstream& svg, const PlotPanel& panel, const Axis& x_axis,
                const Axis& y_axis) {
  svg << "<text x=\"" << px((kPlotLeft + kPlotRight) / 2) << "\" y=\"20\" text-anchor=\"middle\" "
      << "font-size=\"14\">" << xml_escape(panel.title) << "</text>\n";
  svg << "<g stroke=\"#e5e5e5\">\n";
  for (double tick : x_axis.ticks) {
    const std::string x = px(x_axis.map(tick, kDataLeft, kDataRight));
    svg << "<line x1=\"" << x << "\" y1=\"" << px(kPlotTop) << "\" x2=\"" << x << "\" y2=\""
        << px(kPlotBottom) << "\"/>\n";
  }
  for (double tick : y_axis.ticks) {
    const std::string y = px(y_axis.map(tick, kDataBottom, kDataTop));
    svg << "<line x1=\"" << px(kPlotLeft) << "\" y1=\"" << y << "\" x2=\"" << px(kPlotRight)
        << "\" y2=\"" << y << "\"/>\n";
  }
  svg << "</g>\n<g font-size=\"11\" fill=\"#333\">\n";
  for (double tick : x_axis.ticks) {
    svg << "<text x=\"" << px(x_axis.map(tick, kDataLeft, kDataRight)) << "\" y=\""
        << px(kPlotBottom + 16) << "\" text-anchor=\"middle\">" << tick_label(tick) << "</text>\n";
  }
  for (double tick : y_axis.ticks) {
    svg << "<text x=\"" << px(kPlotLeft - 6) << "\" y=\""
        << px(y_axis.map(tick, kDataBottom, kDataTop) + 4) << "\" text-anchor=\"end\">"
        << tick_label(tick) << "</text>\n";
  }
  svg << "</g>\n";
  svg << "<rect x=\"" << px(kPlotLeft) << "\" y=\"" << px(kPlotTop) << "\" width=\""
      << px(kPlotRight - kPlotLeft) << "\" height=\"" << px(kPlotBottom - kPlotTop)
      << "\" fill=\"none\" stroke=\"#333\"/>\n";
  svg << "<text x=\"" << px((kPlotLeft + kPlotRight) / 2) << "\" y=\"" << px(kPanelHeight - 12)
      << "\" text-anchor=\"middle\">" << xml_escape(panel.x_label) << "</text>\n";
}

// One <path> per series (its runs of two or more points) and a dot for each
// point that stands alone between gaps, so sparse values stay visible.
void write_series(std::ostringstream& svg, const std::vector<std::vector<Point>>& segments,
                  const char* colour) {
  std::string path;
  for (const std::vector<Point>& segment : segments) {
    if (segment.size() < 2) continue;
    for (std::size_t i = 0; i < segment.size(); ++i) {
      path += (path.empty() ? "" : " ") + std::string(i == 0 ? "M" : "L") + px(segment[i].x) + " " +
              px(segment[i].y);
    }
  }
  svg << "<path d=\"" << path << "\" fill=\"none\" stroke=\"" << colour
      << "\" stroke-width=\"2\" stroke-linejoin=\"round\"/>\n";
  for (const std::vector<Point>& segment : segments) {
    if (segment.size() != 1) continue;
    svg << "<circle cx=\"" << px(segment[0].x) << "\" cy=\"" << px(segment[0].y)
        << "\" r=\"3\" fill=\"" << colour << "\"/>\n";
  }
}

// The legend in whichever corner of the plot area covers the fewest points;
// its width guessed from the longest label at ~7 px a character.
void write_legend(std::ostringstream& svg, const PlotPanel& panel,
                  const std::vector<Point>& points) {
  std::size_t longest = 0;
  for (const PlotSeries& series : panel.series) longest = std::max(longest, series.label.size());
  const double width = 36 + 7.0 * static_cast<double>(longest);
  const double height = 8 + 18.0 * static_cast<double>(panel.series.size());
  const double right = kPlotRight - width - 8, left = kPlotLeft + 8;
  const double top = kPlotTop + 8, bottom = kPlotBottom - height - 8;
  double x = right, y = top;
  std::size_t fewest_covered = points.size() + 1;
  for (const Point corner :
       {Point{right, top}, Point{right, bottom}, Point{left, top}, Point{left, bottom}}) {
    const auto covered =
        static_cast<std::size_t>(std::count_if(points.begin(), points.end(), [&](const Point& p) {
          return p.x >= corner.x && p.x <= corner.x + width && p.y >= corner.y &&
                 p.y <= corner.y + height;
        }));
    if (covered < fewest_covered) {
      fewest_covered = covered;
      x = corner.x;
      y = corner.y;
    }
  }

  svg << "<g font-size=\"12\">\n";
  svg << "<rect x=\"" << px(x) << "\" y=\"" << px(y) << "\" width=\"" << px(width) << "\" height=\""
      << px(height) << "\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>\n";
  for (std::size_t s = 0; s < panel.series.size(); ++s) {
    const double row_y = y + 16 + 18.0 * static_cast<double>(s);
    svg << "<line x1=\"" << px(x + 6) << "\" y1=\"" << px(row_y - 4) << "\" x2=\"" << px(x + 26)
        << "\" y2=\"" << px(row_y - 4) << "\" stroke=\"" << kPalette[s % std::size(kPalette)]
        << "\" stroke-width=\"2\"/>\n";
    svg << "<text x=\"" << px(x + 30) << "\" y=\"" << px(row_y) << "\">"
        << xml_escape(panel.series[s].label) << "</text>\n";
  }
  svg << "</g>\n";
}

// One panel, `left` pixels from the left edge of the picture.
void write_panel(std::ostringstream& svg, const PlotPanel& panel, double left) {
  double x_min = std::numeric_limits<double>::infinity(), x_max = -x_min;
  double y_min = x_min, y_max = x_max;
  for (const PlotSeries& series : panel.series) {
    GNNREC_CHECK(series.x.size() == series.y.size(),
                 "plot series '" << series.label << "' has " << series.x.size() << " x values and "
                                 << series.y.size() << " y values");
    for (std::size_t i = 0; i < series.x.size(); ++i) {
      if (!plottable(series.x[i]) || !plottable(series.y[i])) continue;
      x_min = std::min(x_min, series.x[i]);
      x_max = std::max(x_max, series.x[i]);
      y_min = std::min(y_min, series.y[i]);
      y_max = std::max(y_max, series.y[i]);
    }
  }
  const Axis x_axis = nice_axis(x_min, x_max);
  const Axis y_axis = nice_axis(y_min, y_max);

  svg << "<g transform=\"translate(" << px(left) << "," << px(kTitleHeight) << ")\">\n";
  write_axes(svg, panel, x_axis, y_axis);
  std::vector<Point> all_points;
  for (std::size_t s = 0; s < panel.series.size(); ++s) {
    const auto segments = segments_of(panel.series[s], x_axis, y_axis);
    write_series(svg, segments, kPalette[s % std::size(kPalette)]);
    for (const auto& segment : segments) {
      all_points.insert(all_points.end(), segment.begin(), segment.end());
    }
  }
  if (!panel.series.empty()) write_legend(svg, panel, all_points);
  svg << "</g>\n";
}

// ---- ProgressBar ----------------------------------------------------------------

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// "4.2 s", "3m07s", "2h05m".
std::string format_duration(double seconds) {
  char text[32];
  if (seconds < 60) {
    std::snprintf(text, sizeof(text), "%.1f s", seconds);
  } else if (seconds < 3600) {
    const auto whole = static_cast<long>(seconds);
    std::snprintf(text, sizeof(text), "%ldm%02lds", whole / 60, whole % 60);
  } else {
    const auto minutes = static_cast<long>(seconds / 60);
    std::snprintf(text, sizeof(text), "%ldh%02ldm", minutes / 60, minutes % 60);
  }
  return text;
}

constexpr int kBarWidth = 20;
constexpr double kRedrawSeconds = 0.1;
// Moves to the start of the line and erases it (ANSI "erase to end of line").
constexpr const char* kClearLine = "\r\033[K";

}  // namespace

// ---- MetricsCsv -------------------------------------------------------------

MetricsCsv::MetricsCsv(std::string path, std::vector<std::string> columns, double keep_up_to)
    : path_(std::move(path)), columns_(std::move(columns)) {
  GNNREC_CHECK(!columns_.empty(), path_ << ": a metrics CSV needs at least one column");
  for (const std::string& column : columns_) {
    GNNREC_CHECK(column.find_first_of(",\"\r\n") == std::string::npos,
                 path_ << ": column name '" << column << "' has a comma, quote or line break");
  }
  const std::string header = join_header(columns_);
  std::string contents = header + "\n";
  std::string old_contents;
  if (file_exists(path_)) {
    old_contents = read_file(path_);
    // A last line without its newline is the half-written row of a killed run: dropped.
    std::istringstream lines(old_contents.substr(0, old_contents.rfind('\n') + 1));
    std::string line;
    std::getline(lines, line);
    if (line == header) {
      std::vector<double> values;
      for (int line_number = 2; std::getline(lines, line); ++line_number) {
        if (!parse_csv_row(line, columns_.size(), values)) {
          log_warning(path_ + ": line " + std::to_string(line_number) +
                      " is not a row of numbers; dropped");
          continue;
        }
        if (values[0] <= keep_up_to) {
          rows_.push_back(values);
          contents += format_csv_row(values);
        }
      }
    }
  }
  if (contents != old_contents) write_file_atomically(path_, contents);
}

void MetricsCsv::append(const std::vector<double>& values) {
  GNNREC_CHECK(values.size() == columns_.size(), path_ << ": a row of " << values.size()
                                                       << " values for " << columns_.size()
                                                       << " columns");
  std::FILE* file = std::fopen(path_.c_str(), "a");
  GNNREC_CHECK(file != nullptr,
               path_ << ": cannot open for appending (" << std::strerror(errno) << ")");
  const std::string row = format_csv_row(values);
  const bool written = std::fwrite(row.data(), 1, row.size(), file) == row.size();
  const bool closed = std::fclose(file) == 0;  // flushes
  GNNREC_CHECK(written && closed, path_ << ": cannot write a row (" << std::strerror(errno) << ")");
  rows_.push_back(values);
}

// ---- SVG plot -----------------------------------------------------------------

void write_svg_plot(const std::string& path, const std::string& title,
                    const std::vector<PlotPanel>& panels) {
  const double width = kPanelWidth * static_cast<double>(std::max<std::size_t>(panels.size(), 1));
  const double height = kTitleHeight + kPanelHeight;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << px(width) << "\" height=\""
      << px(height) << "\" viewBox=\"0 0 " << px(width) << " " << px(height)
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg << "<text x=\"" << px(width / 2) << "\" y=\"24\" text-anchor=\"middle\" font-size=\"16\" "
      << "font-weight=\"bold\">" << xml_escape(title) << "</text>\n";
  for (std::size_t i = 0; i < panels.size(); ++i) {
    write_panel(svg, panels[i], kPanelWidth * static_cast<double>(i));
  }
  svg << "</svg>\n";
  write_file_atomically(path, svg.str());
}

// ---- ProgressBar ----------------------------------------------------------------

ProgressBar::ProgressBar(std::string label, std::int64_t total, bool force)
    : label_(std::move(label)),
      total_(total),
      enabled_(force || ::isatty(STDERR_FILENO) == 1),
      start_(now_seconds()) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::int64_t done, const std::string& suffix) {
  if (!enabled_ || finished_) return;
  const double now = now_seconds();
  if (last_draw_ >= 0 && now - last_draw_ < kRedrawSeconds) return;
  last_draw_ = now;

  done = std::clamp<std::int64_t>(done, 0, std::max<std::int64_t>(total_, 0));
  const double fraction =
      total_ > 0 ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
  const int filled = static_cast<int>(fraction * kBarWidth);
  const double elapsed = now - start_;

  std::string line = kClearLine + label_ + "  [" + std::string(filled, '#') +
                     std::string(kBarWidth - filled, '-') + "]  ";
  line += std::to_string(static_cast<int>(fraction * 100)) + "%  ";
  line += std::to_string(done) + "/" + std::to_string(total_) + " batches  ";
  line += format_duration(elapsed);
  if (done > 0 && done < total_) {
    const double eta = elapsed * static_cast<double>(total_ - done) / static_cast<double>(done);
    line += "  eta " + format_duration(eta);
  }
  if (!suffix.empty()) line += "  " + suffix;
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (enabled_ && !finished_ && last_draw_ >= 0) {
    std::fputs(kClearLine, stderr);
    std::fflush(stderr);
  }
  finished_ = true;
}

}  // namespace gnnrec::io
