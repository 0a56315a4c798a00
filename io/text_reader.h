// Line-by-line reading of a text data file, shared by the dataset loaders:
// the line number for error messages, field splitting (one delimiter, runs
// of blanks, RFC-4180 CSV) and strict number parsing.
//
//   TextReader reader(path);
//   std::string_view line;
//   std::vector<std::string_view> fields;
//   while (reader.next_line(&line)) {
//     split_on(line, '\t', &fields);
//     if (fields.size() != 3) reader.fail("expected 3 tab-separated fields, got ...");
//     std::int64_t user = reader.parse_int(fields[0], "a user id");
//   }
//
// Errors read "PATH:LINE: expected a user id, got 'x1'".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gnnrec::io {

class TextReader {
 public:
  // Reads the whole file (skipping a UTF-8 byte order mark); an Error naming
  // the path when it cannot.
  explicit TextReader(std::string path);

  // The next line without its "\n" or "\r\n" (a last line without a final
  // newline counts); false at the end of the file. The view is valid while
  // the reader lives.
  bool next_line(std::string_view* line);

  const std::string& path() const { return path_; }
  std::int64_t line_number() const { return line_number_; }  // 1-based; 0 before the first
  std::string where() const;                                 // "PATH:LINE"

  // Reads the first line; an Error unless it is `header` (or the file is empty).
  void expect_header(std::string_view header);

  // Throws gnnrec::Error "PATH:LINE: expected WHAT, got 'GOT'".
  [[noreturn]] void fail_expected(std::string_view what, std::string_view got) const;
  // Throws gnnrec::Error "PATH:LINE: MESSAGE".
  [[noreturn]] void fail(std::string_view message) const;

  // Strict parsers: the whole token must be the number (no blanks, no
  // trailing text); otherwise fail_expected(what, token).
  std::int64_t parse_int(std::string_view token, std::string_view what) const;
  float parse_float(std::string_view token, std::string_view what) const;  // finite only

  // split_csv, failing with the line on an unterminated or misplaced quote.
  void split_csv_or_fail(std::string_view line, std::vector<std::string_view>* fields,
                         std::string* unquoted) const;

 private:
  std::string path_;
  std::string text_;
  std::size_t position_ = 0;
  std::int64_t line_number_ = 0;
};

// Fields separated by `delimiter`: "a,,b" gives {"a", "", "b"}.
void split_on(std::string_view line, char delimiter, std::vector<std::string_view>* fields);

// Fields separated by runs of spaces and tabs; leading and trailing blanks
// are ignored, so a blank line gives no fields.
void split_on_blanks(std::string_view line, std::vector<std::string_view>* fields);

// RFC-4180 CSV fields: a field in double quotes may hold commas, and "" for
// one quote ("American President, The (1995)"). Quoted fields' text is
// written to `unquoted`, which the views point into (valid until the next
// call). False when a quote is unterminated or followed by text before the
// next comma. Fields spanning several lines are not supported.
bool split_csv(std::string_view line, std::vector<std::string_view>* fields, std::string* unquoted);

// Strict parsers without a reader: false when `token` is not exactly a number.
bool parse_int(std::string_view token, std::int64_t* value);
bool parse_float(std::string_view token, float* value);  // finite values only

}  // namespace gnnrec::io
