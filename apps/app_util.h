// Small pieces the training programs share: timing, the one-line error
// convention, the thread count, and copying saved values into a parameter.
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <functional>
#include <sstream>
#include <string>

#include <omp.h>

#include "core/autograd.h"
#include "core/device.h"
#include "core/error.h"
#include "core/log.h"

namespace gnnrec::app {

// --threads N: the CPU backend's OpenMP threads (0 keeps OpenMP's default:
// OMP_NUM_THREADS, else one per core). Says how many it uses when the run
// is on the CPU.
inline void use_cpu_threads(int threads, Device device) {
  if (threads > 0) omp_set_num_threads(threads);
  if (device.is_cpu()) {
    log_info("threads: " + std::to_string(omp_get_max_threads()) + " (--threads)");
  }
}

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
  } catch (const OutOfMemory& e) {
    std::fprintf(stderr, "%s: error: %s (it does not fit: try a smaller width or batch size)\n",
                 program.c_str(), e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", program.c_str(), e.what());
    return 1;
  }
}

// Ctrl-C (SIGINT) or SIGTERM asks the training loop to stop after the
// current step, write a checkpoint and exit with kInterruptedExit; a second
// one ends the program at once (the handler resets itself).
constexpr int kInterruptedExit = 130;

inline volatile std::sig_atomic_t& interrupt_flag() {
  static volatile std::sig_atomic_t flag = 0;
  return flag;
}
inline bool interrupt_requested() { return interrupt_flag() != 0; }

inline void stop_after_this_step_on_interrupt() {
  struct sigaction action {};
  action.sa_handler = [](int) { interrupt_flag() = 1; };
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;  // the second signal takes the default action
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// A double as text that reads back to the same value (checkpoint metadata).
inline std::string exact(double value) {
  std::ostringstream text;
  text.precision(17);
  text << value;
  return text.str();
}

// param's values <- values (any device; same shape).
inline void assign(const ag::Var& param, const Tensor& values) {
  Tensor storage = param.value();  // shares the parameter's storage
  storage.copy_from(values);
}

}  // namespace gnnrec::app
