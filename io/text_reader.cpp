// Line reading, field splitting and strict number parsing for the loaders.
#include "io/text_reader.h"

#include <charconv>
#include <cmath>
#include <string>
#include <utility>

#include "core/error.h"
#include "io/files.h"

namespace gnnrec::io {
namespace {

// Long tokens (a whole Gowalla line) are cut in error messages.
constexpr std::size_t kMaxShownChars = 60;

std::string shown(std::string_view token) {
  if (token.size() <= kMaxShownChars) return std::string(token);
  return std::string(token.substr(0, kMaxShownChars)) + "...";
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

TextReader::TextReader(std::string path) : path_(std::move(path)), text_(read_file(path_)) {
  constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";
  if (std::string_view(text_).substr(0, 3) == kUtf8ByteOrderMark) position_ = 3;
}

bool TextReader::next_line(std::string_view* line) {
  if (position_ >= text_.size()) return false;
  std::size_t end = text_.find('\n', position_);
  std::size_t next = end + 1;
  if (end == std::string::npos) end = next = text_.size();
  std::size_t length = end - position_;
  if (length > 0 && text_[end - 1] == '\r') --length;
  *line = std::string_view(text_).substr(position_, length);
  position_ = next;
  ++line_number_;
  return true;
}

void TextReader::expect_header(std::string_view header) {
  std::string_view line;
  GNNREC_CHECK(next_line(&line), path_ << ": empty file, expected the header '" << header << "'");
  if (line != header) fail_expected("the header '" + std::string(header) + "'", line);
}

std::string TextReader::where() const { return path_ + ":" + std::to_string(line_number_); }

void TextReader::fail_expected(std::string_view what, std::string_view got) const {
  GNNREC_FAIL(where() << ": expected " << what << ", got '" << shown(got) << "'");
}

void TextReader::fail(std::string_view message) const { GNNREC_FAIL(where() << ": " << message); }

std::int64_t TextReader::parse_int(std::string_view token, std::string_view what) const {
  std::int64_t value = 0;
  if (!io::parse_int(token, &value)) fail_expected(what, token);
  return value;
}

float TextReader::parse_float(std::string_view token, std::string_view what) const {
  float value = 0;
  if (!io::parse_float(token, &value)) fail_expected(what, token);
  return value;
}

void TextReader::split_csv_or_fail(std::string_view line, std::vector<std::string_view>* fields,
                                   std::string* unquoted) const {
  if (!split_csv(line, fields, unquoted)) {
    fail_expected("comma-separated fields with balanced \"quotes\"", line);
  }
}

void split_on(std::string_view line, char delimiter, std::vector<std::string_view>* fields) {
  fields->clear();
  std::size_t start = 0;
  while (true) {
    std::size_t end = line.find(delimiter, start);
    if (end == std::string_view::npos) {
      fields->push_back(line.substr(start));
      return;
    }
    fields->push_back(line.substr(start, end - start));
    start = end + 1;
  }
}

void split_on_blanks(std::string_view line, std::vector<std::string_view>* fields) {
  fields->clear();
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_blank(line[i])) ++i;
    std::size_t start = i;
    while (i < line.size() && !is_blank(line[i])) ++i;
    if (i > start) fields->push_back(line.substr(start, i - start));
  }
}

bool split_csv(std::string_view line, std::vector<std::string_view>* fields,
               std::string* unquoted) {
  fields->clear();
  unquoted->clear();
  // Unquoted text is never longer than the line, so with this capacity the
  // string never reallocates and the views into it stay valid.
  unquoted->reserve(line.size());
  std::size_t i = 0;
  while (true) {
    if (i < line.size() && line[i] == '"') {
      const std::size_t start = unquoted->size();
      ++i;
      while (true) {
        if (i >= line.size()) return false;  // no closing quote
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            unquoted->push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        unquoted->push_back(line[i++]);
      }
      fields->push_back(std::string_view(*unquoted).substr(start));
      if (i == line.size()) return true;
      if (line[i] != ',') return false;  // text after the closing quote
      ++i;
    } else {
      std::size_t end = line.find(',', i);
      std::string_view field = line.substr(i, end == std::string_view::npos ? end : end - i);
      if (field.find('"') != std::string_view::npos) return false;  // quote inside a field
      fields->push_back(field);
      if (end == std::string_view::npos) return true;
      i = end + 1;
    }
  }
}

bool parse_int(std::string_view token, std::int64_t* value) {
  const char* end = token.data() + token.size();
  auto [ptr, error] = std::from_chars(token.data(), end, *value);
  return !token.empty() && error == std::errc() && ptr == end;
}

bool parse_float(std::string_view token, float* value) {
  const char* end = token.data() + token.size();
  auto [ptr, error] = std::from_chars(token.data(), end, *value);
  return !token.empty() && error == std::errc() && ptr == end && std::isfinite(*value);
}

}  // namespace gnnrec::io
