// When a CPU kernel's loop wakes OpenMP's threads. A sleeping thread takes
// 10-50 µs to wake (OMP_WAIT_POLICY=passive, the setting for a shared
// machine), longer than one core takes for a pass over 32k floats; a SAGE
// training step has ~200 loops, many over a 64 x 64 weight or a bias. So a
// loop runs on the calling thread alone below these amounts of work (a
// kernel's results do not depend on its thread count). The clause is
// written `if (parallel : ...)`: a bare `if` on `parallel for simd` would
// also turn off the loop's vectorization.
#pragma once

#include <cstdint>

namespace gnnrec::cpu {

// Elements of a memory-bound pass (elementwise ops, Adam, gathers, sums).
constexpr std::int64_t kMinParallelElements = std::int64_t(1) << 15;
// Elements of a pass with an exp or a log per element (the losses).
constexpr std::int64_t kMinParallelTranscendentals = std::int64_t(1) << 11;
// Multiply-adds of a GEMM (and floats packed for one).
constexpr std::int64_t kMinParallelMultiplyAdds = std::int64_t(1) << 20;

// A parallel loop hands out its iterations in pieces, to whichever thread
// is free (schedule(dynamic, piece)), not in one equal share per thread:
// on a shared machine the OS pauses one of our threads now and then, and a
// static split makes the other wait for it at the loop's end (a Last.fm
// SAGE epoch beside one other busy process: 0.79-0.82 -> 0.68-0.75 s). Which thread
// computes an element does not change its value, so results stay the same;
// reductions keep their static split (their partial sums' order is fixed).
// The pieces, in elements of a flat loop, rows of a row loop, and elements
// of a loop with an exp or a log each:
constexpr std::int64_t kPieceElements = std::int64_t(1) << 14;
constexpr std::int64_t kPieceRows = 256;
constexpr std::int64_t kPieceTranscendentals = std::int64_t(1) << 10;

}  // namespace gnnrec::cpu
