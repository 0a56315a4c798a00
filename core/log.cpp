#include "core/log.h"

#include <cstdio>
#include <mutex>

namespace gnnrec {
namespace {
std::mutex log_mutex;
WarningHook warning_hook;
}  // namespace

void log_info(const std::string& message) {
  std::lock_guard<std::mutex> lock(log_mutex);
  std::fprintf(stdout, "%s\n", message.c_str());
  std::fflush(stdout);
}

void log_warning(const std::string& message) {
  std::lock_guard<std::mutex> lock(log_mutex);
  if (warning_hook) {
    warning_hook(message);
    return;
  }
  std::fprintf(stderr, "warning: %s\n", message.c_str());
}

WarningHook set_warning_hook(WarningHook hook) {
  std::lock_guard<std::mutex> lock(log_mutex);
  std::swap(warning_hook, hook);
  return hook;
}

}  // namespace gnnrec
