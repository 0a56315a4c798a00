#include "core/cuda_context.h"

#include <cstdio>
#include <string>

#include "core/device.h"
#include "core/error.h"

namespace gnnrec {
namespace detail {

void throw_cuda_error(cudaError_t err, const char* call, const char* file, int line) {
  std::string message = std::string("CUDA error at ") + file + ":" + std::to_string(line) +
                        " in `" + call + "`: " + cudaGetErrorString(err) + " (" +
                        cudaGetErrorName(err) + ")";
  std::string where = std::string(file) + ":" + std::to_string(line);
  if (err == cudaErrorMemoryAllocation) throw OutOfMemory(message, where);
  throw Error(message, where);
}

void throw_cublas_error(cublasStatus_t status, const char* call, const char* file, int line) {
  throw Error(std::string("cuBLAS error at ") + file + ":" + std::to_string(line) + " in `" + call +
                  "`: " + cublasGetStatusString(status) + " (" + cublasGetStatusName(status) + ")",
              std::string(file) + ":" + std::to_string(line));
}

void throw_cusparse_error(cusparseStatus_t status, const char* call, const char* file, int line) {
  throw Error(std::string("cuSPARSE error at ") + file + ":" + std::to_string(line) + " in `" +
                  call + "`: " + cusparseGetErrorString(status) + " (" +
                  cusparseGetErrorName(status) + ")",
              std::string(file) + ":" + std::to_string(line));
}

void print_cuda_error(cudaError_t err, const char* call, const char* file, int line) {
  std::fprintf(stderr, "CUDA error at %s:%d in `%s`: %s (%s)\n", file, line, call,
               cudaGetErrorString(err), cudaGetErrorName(err));
}

}  // namespace detail

namespace cuda {
namespace {

struct Context {
  cudaStream_t stream = nullptr;
  cublasHandle_t cublas = nullptr;
  cusparseHandle_t cusparse = nullptr;

  Context() {
    const GpuStatus& gpu = probe_gpu();
    GNNREC_CHECK(gpu.available, "CUDA work requested but no GPU is usable: " << gpu.reason);
    CUDA_CHECK(cudaSetDevice(0));
    CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
    CUBLAS_CHECK(cublasCreate(&cublas));
    CUBLAS_CHECK(cublasSetStream(cublas, stream));
    // FP32 products, no TF32: scores must match the CPU reference closely.
    CUBLAS_CHECK(cublasSetMathMode(cublas, CUBLAS_DEFAULT_MATH));
    CUSPARSE_CHECK(cusparseCreate(&cusparse));
    CUSPARSE_CHECK(cusparseSetStream(cusparse, stream));
  }
  // Handles and the stream live until the process ends: destroying them in a
  // static destructor races with the driver's own shutdown.
};

Context& context() {
  static Context ctx;
  return ctx;
}

}  // namespace

cudaStream_t stream() { return context().stream; }
cublasHandle_t cublas() { return context().cublas; }
cusparseHandle_t cusparse() { return context().cusparse; }

void* raw_alloc(std::size_t bytes) {
  (void)context();
  void* ptr = nullptr;
  cudaError_t err = cudaMalloc(&ptr, bytes);
  if (err == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();
    return nullptr;
  }
  CUDA_CHECK(err);
  return ptr;
}

void raw_free(void* ptr) { CUDA_CHECK_PRINT(cudaFree(ptr)); }

}  // namespace cuda
}  // namespace gnnrec
