// Small pieces the training programs share: timing, the one-line error
// convention, and copying saved values into a parameter.
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <string>

#include "core/autograd.h"

namespace gnnrec::app {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Command-line errors print as "<program>: error: <what> (see --help)".
inline void use_one_line_errors(CLI::App& app, const std::string& program) {
  app.failure_message([program](const CLI::App*, const CLI::Error& e) {
    return program + ": error: " + e.what() + " (see --help)\n";
  });
  // A flag given twice takes its last value (scripts append overrides).
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

// Runs `body`; any exception becomes "<program>: error: <what>" and exit 1.
inline int run_reporting_errors(const std::string& program, const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", program.c_str(), e.what());
    return 1;
  }
}

// param's values <- values (any device; same shape).
inline void assign(const ag::Var& param, const Tensor& values) {
  Tensor storage = param.value();  // shares the parameter's storage
  storage.copy_from(values);
}

}  // namespace gnnrec::app
