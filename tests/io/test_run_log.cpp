// The run log: the metrics CSV (rows, NaN, resume), the SVG plot (well-formed,
// escaped, finite, degenerate data) and the progress bar.
#include "io/run_log.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "core/log.h"
#include "io/files.h"
#include "tests/test_util.h"

namespace gnnrec::io {
namespace {

namespace fs = std::filesystem;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A fresh directory per test under GoogleTest's temporary directory.
class RunLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ =
        fs::path(::testing::TempDir()) / ("gnnrec_run_log_" + std::string(info->test_suite_name()) +
                                          "_" + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    make_directories(dir_.string());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

class MetricsCsvTest : public RunLogTest {};
class SvgPlotTest : public RunLogTest {};

void write_raw(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

// ---- MetricsCsv -------------------------------------------------------------

const std::vector<std::string> kColumns = {"epoch", "loss", "recall@20"};

TEST_F(MetricsCsvTest, WritesHeaderAndFlushedRowsWithNaNAsEmpty) {
  MetricsCsv csv(path("metrics.csv"), kColumns);
  EXPECT_EQ(read_file(path("metrics.csv")), "epoch,loss,recall@20\n");
  csv.append({1, 0.5, kNaN});
  EXPECT_EQ(read_file(path("metrics.csv")), "epoch,loss,recall@20\n1,0.5,\n");  // flushed
  csv.append({2, 0.123456789, 1e-7});
  csv.append({100000000, -2.5, 1.0 / 3});
  EXPECT_EQ(read_file(path("metrics.csv")),
            "epoch,loss,recall@20\n1,0.5,\n2,0.123457,1e-07\n100000000,-2.5,0.333333\n");
  ASSERT_EQ(csv.rows().size(), 3u);
  EXPECT_TRUE(std::isnan(csv.rows()[0][2]));
  EXPECT_EQ(csv.rows()[1][1], 0.123456789);
  EXPECT_EQ(csv.columns(), kColumns);
}

TEST_F(MetricsCsvTest, RowOfTheWrongWidthIsAnError) {
  MetricsCsv csv(path("metrics.csv"), kColumns);
  EXPECT_THROW(csv.append({1, 0.5}), Error);
  EXPECT_THROW(MetricsCsv(path("bad.csv"), {"epoch", "loss,total"}), Error);
}

TEST_F(MetricsCsvTest, ResumeKeepsRowsUpToTheCheckpointAndDropsTheRest) {
  {
    MetricsCsv first_run(path("metrics.csv"), kColumns);
    for (int epoch = 1; epoch <= 5; ++epoch) {
      first_run.append({static_cast<double>(epoch), 1.0 / epoch, kNaN});
    }
  }
  MetricsCsv resumed(path("metrics.csv"), kColumns, 3);
  ASSERT_EQ(resumed.rows().size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(resumed.rows()[i][0], i + 1);
    EXPECT_TRUE(std::isnan(resumed.rows()[i][2]));
  }
  EXPECT_EQ(read_file(path("metrics.csv")), "epoch,loss,recall@20\n1,1,\n2,0.5,\n3,0.333333,\n");
  resumed.append({4, 0.2, 0.1});
  EXPECT_EQ(read_file(path("metrics.csv")),
            "epoch,loss,recall@20\n1,1,\n2,0.5,\n3,0.333333,\n4,0.2,0.1\n");
  EXPECT_EQ(resumed.rows().size(), 4u);

  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    files.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(files, std::vector<std::string>{"metrics.csv"});  // no temporary file left
}

TEST_F(MetricsCsvTest, ADifferentHeaderOrNoResumeStartsAnew) {
  write_raw(path("metrics.csv"), "epoch,loss\n1,0.5\n2,0.4\n");
  MetricsCsv other_columns(path("metrics.csv"), kColumns, 10);
  EXPECT_TRUE(other_columns.rows().empty());
  EXPECT_EQ(read_file(path("metrics.csv")), "epoch,loss,recall@20\n");

  write_raw(path("metrics.csv"), "epoch,loss,recall@20\n1,0.5,0.1\n");
  MetricsCsv not_resuming(path("metrics.csv"), kColumns);
  EXPECT_TRUE(not_resuming.rows().empty());
  EXPECT_EQ(read_file(path("metrics.csv")), "epoch,loss,recall@20\n");
}

TEST_F(MetricsCsvTest, DropsAHalfWrittenLastRowAndWarnsAboutBadRows) {
  write_raw(path("metrics.csv"), "epoch,loss\n1,0.5\nnot,numbers\n2,0.4\n3,0.3");
  std::vector<std::string> warnings;
  WarningHook previous =
      set_warning_hook([&](const std::string& message) { warnings.push_back(message); });
  MetricsCsv resumed(path("metrics.csv"), {"epoch", "loss"}, 10);
  set_warning_hook(previous);

  ASSERT_EQ(resumed.rows().size(), 2u);
  EXPECT_EQ(resumed.rows()[1], (std::vector<double>{2, 0.4}));
  EXPECT_EQ(read_file(path("metrics.csv")), "epoch,loss\n1,0.5\n2,0.4\n");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("line 3"), std::string::npos) << warnings[0];
}

// ---- SVG plot -----------------------------------------------------------------

// Well-formed enough for any XML parser: every tag closed in order, every
// '&' an entity, one root <svg>.
::testing::AssertionResult well_formed(const std::string& svg) {
  if (svg.rfind("<svg", 0) != 0) return ::testing::AssertionFailure() << "does not start <svg";
  if (svg.size() < 7 || svg.compare(svg.size() - 7, 7, "</svg>\n") != 0) {
    return ::testing::AssertionFailure() << "does not end </svg>\\n";
  }
  std::vector<std::string> open;
  std::size_t roots = 0;
  for (std::size_t at = svg.find('<'); at != std::string::npos; at = svg.find('<', at + 1)) {
    const std::size_t end = svg.find('>', at);
    if (end == std::string::npos) return ::testing::AssertionFailure() << "unclosed tag at " << at;
    const std::string tag = svg.substr(at + 1, end - at - 1);
    if (tag.find('<') != std::string::npos) {
      return ::testing::AssertionFailure() << "'<' inside tag at " << at;
    }
    if (tag[0] == '/') {
      if (open.empty() || open.back() != tag.substr(1)) {
        return ::testing::AssertionFailure()
               << "</" << tag.substr(1) << "> closes " << (open.empty() ? "nothing" : open.back());
      }
      open.pop_back();
    } else if (tag.back() != '/') {
      if (open.empty()) ++roots;
      open.push_back(tag.substr(0, tag.find_first_of(" \n")));
    } else if (open.empty()) {
      return ::testing::AssertionFailure() << "element outside the root at " << at;
    }
  }
  if (!open.empty()) return ::testing::AssertionFailure() << "<" << open.back() << "> not closed";
  if (roots != 1) return ::testing::AssertionFailure() << roots << " root elements";
  for (std::size_t at = svg.find('&'); at != std::string::npos; at = svg.find('&', at + 1)) {
    bool entity = false;
    for (const char* name : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"}) {
      entity = entity || svg.compare(at, std::strlen(name), name) == 0;
    }
    if (!entity) return ::testing::AssertionFailure() << "bare '&' at " << at;
  }
  return ::testing::AssertionSuccess();
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

// No "nan" or "inf" anywhere: every number drawn is finite.
bool only_finite_numbers(std::string svg) {
  std::transform(svg.begin(), svg.end(), svg.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return svg.find("nan") == std::string::npos && svg.find("inf") == std::string::npos;
}

// The `d` attribute of each <path>, in order.
std::vector<std::string> path_data(const std::string& svg) {
  std::vector<std::string> paths;
  const std::string open = "<path d=\"";
  for (std::size_t at = svg.find(open); at != std::string::npos; at = svg.find(open, at + 1)) {
    const std::size_t start = at + open.size();
    paths.push_back(svg.substr(start, svg.find('"', start) - start));
  }
  return paths;
}

PlotSeries series(const std::string& label, std::vector<double> y) {
  PlotSeries s{label, {}, std::move(y)};
  for (std::size_t i = 0; i < s.y.size(); ++i) s.x.push_back(static_cast<double>(i + 1));
  return s;
}

TEST_F(SvgPlotTest, PanelsSideBySideWellFormedAndEscaped) {
  PlotPanel loss{"training loss", "epoch", {series("loss", {0.9, 0.5, 0.3, 0.25, 0.2})}};
  PlotPanel metrics{"metrics <val>",
                    "epoch",
                    {series("recall@20 <test> & \"x\"", {kNaN, 0.1, kNaN, 0.2, 0.25}),
                     series("ndcg@20", {0.05, 0.07, 0.09, 0.1, 0.12})}};
  write_svg_plot(path("curves.svg"), "run 'a' & <b>", {loss, metrics});
  const std::string svg = read_file(path("curves.svg"));

  EXPECT_TRUE(well_formed(svg));
  EXPECT_TRUE(only_finite_numbers(svg));
  EXPECT_EQ(count(svg, "<path"), 3u);
  EXPECT_EQ(count(svg, "<polyline"), 0u);
  EXPECT_NE(svg.find("recall@20 &lt;test&gt; &amp; &quot;x&quot;"), std::string::npos);
  EXPECT_NE(svg.find("metrics &lt;val&gt;"), std::string::npos);
  EXPECT_NE(svg.find("run &apos;a&apos; &amp; &lt;b&gt;"), std::string::npos);
  EXPECT_NE(svg.find("width=\"960.00\""), std::string::npos);  // two 480-pixel panels
  EXPECT_EQ(svg.find("script"), std::string::npos);
}

TEST_F(SvgPlotTest, NaNValuesBreakTheLine) {
  write_svg_plot(path("gaps.svg"), "gaps", {{"loss", "epoch", {series("loss", {1, kNaN, 3, 4})}}});
  const std::string svg = read_file(path("gaps.svg"));
  const std::vector<std::string> paths = path_data(svg);
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(count(paths[0], "M"), 1u) << paths[0];  // the line from 3 to 4
  EXPECT_EQ(count(paths[0], "L"), 1u) << paths[0];
  EXPECT_EQ(count(svg, "<circle"), 1u);  // the lone first point
}

TEST_F(SvgPlotTest, TicksAreRoundNumbers) {
  std::vector<double> y;
  for (int i = 0; i < 10; ++i) y.push_back(0.05 + 0.1 * i);
  write_svg_plot(path("ticks.svg"), "ticks", {{"recall", "epoch", {series("recall", y)}}});
  const std::string svg = read_file(path("ticks.svg"));
  for (const char* label :
       {">0<", ">2<", ">4<", ">6<", ">8<", ">10<", ">0.2<", ">0.4<", ">0.6<", ">0.8<", ">1<"}) {
    EXPECT_NE(svg.find(label), std::string::npos) << label;
  }
}

TEST_F(SvgPlotTest, OnePointConstantAndEmptySeries) {
  PlotPanel degenerate{"degenerate",
                       "epoch",
                       {{"one point", {3}, {0.5}},
                        series("constant", {2, 2, 2}),
                        series("zeros", {0, 0}),
                        series("all missing", {kNaN, kNaN}),
                        {"no points", {}, {}}}};
  PlotPanel empty{"nothing yet", "epoch", {}};
  write_svg_plot(path("degenerate.svg"), "degenerate", {degenerate, empty});
  const std::string svg = read_file(path("degenerate.svg"));
  EXPECT_TRUE(well_formed(svg));
  EXPECT_TRUE(only_finite_numbers(svg));
  EXPECT_EQ(count(svg, "<path"), 5u);
  EXPECT_EQ(count(svg, "<circle"), 1u);  // the one point

  write_svg_plot(path("no_panels.svg"), "no panels", {});
  EXPECT_TRUE(well_formed(read_file(path("no_panels.svg"))));
}

TEST_F(SvgPlotTest, MismatchedSeriesLengthsAreAnError) {
  PlotPanel bad{"bad", "epoch", {{"loss", {1, 2, 3}, {0.5, 0.4}}}};
  EXPECT_THROW(write_svg_plot(path("bad.svg"), "bad", {bad}), Error);
}

// ---- ProgressBar ----------------------------------------------------------------

TEST(ProgressBarTest, ForcedBarDrawsOneLineAndClearsIt) {
  ::testing::internal::CaptureStderr();
  {
    ProgressBar bar("epoch 3", 266, /*force=*/true);
    bar.update(120, "loss 0.3121");
  }
  const std::string drawn = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(drawn.find("epoch 3  [#########-----------]  45%  120/266 batches"), std::string::npos)
      << drawn;
  EXPECT_NE(drawn.find("eta"), std::string::npos) << drawn;
  EXPECT_NE(drawn.find("loss 0.3121"), std::string::npos) << drawn;
  EXPECT_EQ(drawn.find('\n'), std::string::npos) << drawn;
  EXPECT_EQ(drawn.substr(drawn.size() - 4), "\r\033[K") << drawn;  // finish() cleared the line
}

TEST(ProgressBarTest, SilentWhenStderrIsNotATerminal) {
  ::testing::internal::CaptureStderr();  // stderr is now a file
  {
    ProgressBar bar("epoch 1", 10);
    bar.update(5);
    bar.finish();
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(ProgressBarTest, OddCountsDoNotCrash) {
  ::testing::internal::CaptureStderr();
  {
    ProgressBar nothing("eval", 0, true);
    nothing.update(0);
    ProgressBar over("train", 10, true);
    over.update(25);
    over.update(-3);
    over.finish();
    over.finish();
    over.update(4);  // after finish: ignored
  }
  const std::string drawn = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(drawn.find("eval  [####################]  100%  0/0 batches"), std::string::npos)
      << drawn;
  EXPECT_NE(drawn.find("train  [####################]  100%  10/10 batches"), std::string::npos)
      << drawn;
}

}  // namespace
}  // namespace gnnrec::io
