// GNNREC_HD marks a function that runs on both backends (DESIGN decision 10):
// under nvcc it is __host__ __device__, in a plain C++ build it is nothing.
// The per-element and per-row bodies of map-like kernels are written once
// with it; the CPU backend loops over them and the CUDA kernels call them
// once per thread.
#pragma once

#if defined(__CUDACC__)
#define GNNREC_HD __host__ __device__
#else
#define GNNREC_HD
#endif
