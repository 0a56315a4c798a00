// A tiny logger: info to stdout, warnings to stderr. Tests install a hook
// that turns every warning into a test failure (STYLE habit 18).
#pragma once

#include <functional>
#include <string>

namespace gnnrec {

void log_info(const std::string& message);
void log_warning(const std::string& message);

// Replaces where warnings go (nullptr restores stderr). Returns the old hook.
using WarningHook = std::function<void(const std::string&)>;
WarningHook set_warning_hook(WarningHook hook);

}  // namespace gnnrec
