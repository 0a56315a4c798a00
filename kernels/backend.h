// The two backends, as tag types. Every kernel is declared once as a
// template over the backend,
//
//   template <class Backend> void relu_forward(std::int64_t n, const float* x, float* y);
//
// and defined twice with the same name and arguments: relu_forward<Cpu> in
// kernels/cpu/ (plain loops, the reference) and relu_forward<Cuda> in
// kernels/cuda/ (the launcher). Ops pick one with GNNREC_DISPATCH from the
// device their tensors live on. Kernels take raw pointers on that device;
// they never allocate for their outputs and never synchronize.
#pragma once

#include "core/device.h"
#include "core/error.h"

namespace gnnrec {

struct Cpu {};
struct Cuda {};

}  // namespace gnnrec

// GNNREC_DISPATCH(device, kernel, args...) calls kernel<Cuda>(args...) for a
// CUDA device and kernel<Cpu>(args...) otherwise.
#if GNNREC_WITH_CUDA
#define GNNREC_DISPATCH(device, kernel, ...) \
  do {                                       \
    if ((device).is_cuda()) {                \
      kernel<::gnnrec::Cuda>(__VA_ARGS__);   \
    } else {                                 \
      kernel<::gnnrec::Cpu>(__VA_ARGS__);    \
    }                                        \
  } while (0)
#else
#define GNNREC_DISPATCH(device, kernel, ...)                                            \
  do {                                                                                  \
    GNNREC_CHECK(!(device).is_cuda(),                                                   \
                 #kernel ": CUDA tensor given but this gnnrec was built without CUDA"); \
    kernel<::gnnrec::Cpu>(__VA_ARGS__);                                                 \
  } while (0)
#endif
