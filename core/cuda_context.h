// The process's CUDA context (CUDA builds only): one compute stream, and a
// cuBLAS and a cuSPARSE handle bound to it, created on first use -- after
// probe_gpu() said a GPU is usable, because cusparseCreate without a context
// prints to stderr and fails.
//
// Every CUDA launcher in kernels/cuda/ queues its work on stream(); there is
// no other stream, so work is ordered and the caching allocator may hand a
// freed block to the next op at once.
#pragma once

#include <cstddef>

#include "core/cuda_check.h"

namespace gnnrec::cuda {

cudaStream_t stream();
cublasHandle_t cublas();
cusparseHandle_t cusparse();

// Raw device memory for the caching allocator: nullptr when it does not fit.
void* raw_alloc(std::size_t bytes);
void raw_free(void* ptr);

// Threads per block for one-dimensional launches.
constexpr int kBlockSize = 256;

inline unsigned int blocks_for(long long n_threads, int block_size = kBlockSize) {
  long long blocks = (n_threads + block_size - 1) / block_size;
  return static_cast<unsigned int>(blocks > 0 ? blocks : 1);
}

}  // namespace gnnrec::cuda
