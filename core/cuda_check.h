// Error macros for the CUDA runtime, cuBLAS and cuSPARSE (CUDA builds only).
// Each names the source file, the line and the failing call:
//
//   CUDA error at kernels/cuda/spmm.cu:88 in `cudaMemsetAsync(y, 0, bytes, stream)`:
//   out of memory (cudaErrorMemoryAllocation)
//
// CUDA_CHECK_LAUNCH() goes after every <<<...>>> launch. The _PRINT variants
// only log, for destructors, which must not throw.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cusparse.h>

namespace gnnrec::detail {
[[noreturn]] void throw_cuda_error(cudaError_t err, const char* call, const char* file, int line);
[[noreturn]] void throw_cublas_error(cublasStatus_t status, const char* call, const char* file,
                                     int line);
[[noreturn]] void throw_cusparse_error(cusparseStatus_t status, const char* call, const char* file,
                                       int line);
void print_cuda_error(cudaError_t err, const char* call, const char* file, int line);
}  // namespace gnnrec::detail

#define CUDA_CHECK(call)                                                          \
  do {                                                                            \
    cudaError_t gnnrec_err_ = (call);                                             \
    if (gnnrec_err_ != cudaSuccess)                                               \
      ::gnnrec::detail::throw_cuda_error(gnnrec_err_, #call, __FILE__, __LINE__); \
  } while (0)

#define CUDA_CHECK_LAUNCH() CUDA_CHECK(cudaGetLastError())

#define CUDA_CHECK_PRINT(call)                                                    \
  do {                                                                            \
    cudaError_t gnnrec_err_ = (call);                                             \
    if (gnnrec_err_ != cudaSuccess)                                               \
      ::gnnrec::detail::print_cuda_error(gnnrec_err_, #call, __FILE__, __LINE__); \
  } while (0)

#define CUBLAS_CHECK(call)                                                             \
  do {                                                                                 \
    cublasStatus_t gnnrec_status_ = (call);                                            \
    if (gnnrec_status_ != CUBLAS_STATUS_SUCCESS)                                       \
      ::gnnrec::detail::throw_cublas_error(gnnrec_status_, #call, __FILE__, __LINE__); \
  } while (0)

#define CUSPARSE_CHECK(call)                                                             \
  do {                                                                                   \
    cusparseStatus_t gnnrec_status_ = (call);                                            \
    if (gnnrec_status_ != CUSPARSE_STATUS_SUCCESS)                                       \
      ::gnnrec::detail::throw_cusparse_error(gnnrec_status_, #call, __FILE__, __LINE__); \
  } while (0)
