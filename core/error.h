// Errors inside gnnrec are exceptions (DESIGN decision 9): the apps catch
// once at the top, print one line and exit non-zero.
//
//   GNNREC_CHECK(cond, "message " << value)   throws gnnrec::Error
//
// Error::what() is the message alone (what a user reads); where() is the
// source file and line that threw (what a developer reads).
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace gnnrec {

class Error : public std::runtime_error {
 public:
  Error(const std::string& message, std::string where)
      : std::runtime_error(message), where_(std::move(where)) {}
  const std::string& where() const { return where_; }

 private:
  std::string where_;
};

// An allocation that did not fit, even after the cache was emptied.
class OutOfMemory : public Error {
 public:
  using Error::Error;
};

namespace detail {
[[noreturn]] void throw_error(const char* file, int line, const std::string& message);
}  // namespace detail

}  // namespace gnnrec

#define GNNREC_CHECK(cond, message)                                                  \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::ostringstream gnnrec_check_stream_;                                       \
      gnnrec_check_stream_ << message;                                               \
      ::gnnrec::detail::throw_error(__FILE__, __LINE__, gnnrec_check_stream_.str()); \
    }                                                                                \
  } while (0)

#define GNNREC_FAIL(message) GNNREC_CHECK(false, message)
