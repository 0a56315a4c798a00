#include "core/tensor.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <sstream>

#include "core/allocator.h"

#if GNNREC_WITH_CUDA
#include "core/cuda_context.h"
#endif

namespace gnnrec {
namespace {

// Host copies and fills of more than kParallelBytes are split over the
// OpenMP threads: one thread's memcpy reaches about half of what two do
// here, and autograd copies whole tables (first gradient contributions).
constexpr std::size_t kParallelBytes = std::size_t(1) << 18;
constexpr std::size_t kChunkBytes = std::size_t(1) << 16;

template <class ChunkFn>
void for_each_chunk(std::size_t bytes, ChunkFn chunk_fn) {
  const auto n_chunks = static_cast<std::int64_t>((bytes + kChunkBytes - 1) / kChunkBytes);
#pragma omp parallel for schedule(dynamic) if (bytes > kParallelBytes)
  for (std::int64_t c = 0; c < n_chunks; ++c) {
    const std::size_t begin = static_cast<std::size_t>(c) * kChunkBytes;
    chunk_fn(begin, std::min(kChunkBytes, bytes - begin));
  }
}

void host_memcpy(void* dst, const void* src, std::size_t bytes) {
  for_each_chunk(bytes, [&](std::size_t begin, std::size_t n) {
    std::memcpy(static_cast<char*>(dst) + begin, static_cast<const char*>(src) + begin, n);
  });
}

void host_memset_zero(void* dst, std::size_t bytes) {
  for_each_chunk(bytes, [&](std::size_t begin, std::size_t n) {
    std::memset(static_cast<char*>(dst) + begin, 0, n);
  });
}

}  // namespace

std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::F32:
      return 4;
    case DType::I32:
      return 4;
    case DType::I64:
      return 8;
  }
  return 0;
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::F32:
      return "f32";
    case DType::I32:
      return "i32";
    case DType::I64:
      return "i64";
  }
  return "?";
}

std::string shape_str(const Shape& shape) {
  std::ostringstream out;
  out << "(";
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << ")";
  return out.str();
}

Storage::Storage(std::size_t bytes, Device device) : bytes_(bytes), device_(device) {
  data_ = allocator_for(device).allocate(bytes);
}

Storage::~Storage() { allocator_for(device_).release(data_); }

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  std::int64_t n = 1;
  for (std::int64_t extent : shape) {
    GNNREC_CHECK(extent >= 0, "tensor shape " << shape_str(shape) << " has a negative extent");
    n *= extent;
  }
  Tensor t;
  t.shape_ = shape;
  t.dtype_ = dtype;
  t.storage_ = std::make_shared<Storage>(static_cast<std::size_t>(n) * dtype_size(dtype), device);
  return t;
}

Tensor Tensor::zeros(const Shape& shape, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, device);
  t.zero_();
  return t;
}

Tensor Tensor::full(const Shape& shape, float value, Device device) {
  Tensor host = empty(shape, DType::F32, Device::cpu());
  float* p = host.data<float>();
  for (std::int64_t i = 0; i < host.numel(); ++i) p[i] = value;
  return device.is_cpu() ? host : host.to(device);
}

std::int64_t Tensor::size(int dim) const {
  GNNREC_CHECK(dim >= 0 && dim < ndim(),
               "dimension " << dim << " out of range for a tensor of shape " << shape_str(shape_));
  return shape_[static_cast<std::size_t>(dim)];
}

std::int64_t Tensor::numel() const {
  std::int64_t n = 1;
  for (std::int64_t extent : shape_) n *= extent;
  return n;
}

std::int64_t Tensor::cols() const {
  std::int64_t r = rows();
  return r == 0 ? (ndim() <= 1 ? 1 : numel()) : numel() / r;
}

void* Tensor::raw_data() const {
  GNNREC_CHECK(defined(), "use of an undefined tensor");
  return static_cast<char*>(storage_->data()) + offset_bytes_;
}

void Tensor::check_dtype(DType expected) const {
  GNNREC_CHECK(defined(), "use of an undefined tensor");
  GNNREC_CHECK(dtype_ == expected,
               "tensor of dtype " << dtype_name(dtype_) << " accessed as " << dtype_name(expected));
}

Tensor Tensor::to(Device device) const {
  GNNREC_CHECK(defined(), "to(): undefined tensor");
  Tensor out = empty(shape_, dtype_, device);
  copy_bytes(out.raw_data(), device, raw_data(), this->device(), nbytes());
  return out;
}

void Tensor::zero_() {
  if (nbytes() == 0) return;
#if GNNREC_WITH_CUDA
  if (device().is_cuda()) {
    CUDA_CHECK(cudaMemsetAsync(raw_data(), 0, nbytes(), cuda::stream()));
    return;
  }
#endif
  host_memset_zero(raw_data(), nbytes());
}

void Tensor::copy_from(const Tensor& src) {
  GNNREC_CHECK(src.shape_ == shape_ && src.dtype_ == dtype_,
               "copy_from: source " << shape_str(src.shape_) << " " << dtype_name(src.dtype_)
                                    << " does not match destination " << shape_str(shape_) << " "
                                    << dtype_name(dtype_));
  copy_bytes(raw_data(), device(), src.raw_data(), src.device(), nbytes());
}

Tensor Tensor::reshape(const Shape& shape) const {
  std::int64_t n = 1;
  for (std::int64_t extent : shape) n *= extent;
  GNNREC_CHECK(n == numel(), "cannot reshape " << shape_str(shape_) << " to " << shape_str(shape));
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

Tensor Tensor::slice_rows(std::int64_t begin, std::int64_t end) const {
  GNNREC_CHECK(ndim() >= 1 && 0 <= begin && begin <= end && end <= shape_[0],
               "slice_rows(" << begin << ", " << end << ") out of range for " << shape_str(shape_));
  Tensor t = *this;
  t.shape_[0] = end - begin;
  t.offset_bytes_ += static_cast<std::size_t>(begin * cols()) * dtype_size(dtype_);
  return t;
}

void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device,
                std::size_t bytes) {
  if (bytes == 0) return;
  if (dst_device.is_cpu() && src_device.is_cpu()) {
    host_memcpy(dst, src, bytes);
    return;
  }
#if GNNREC_WITH_CUDA
  cudaMemcpyKind kind = dst_device.is_cpu()   ? cudaMemcpyDeviceToHost
                        : src_device.is_cpu() ? cudaMemcpyHostToDevice
                                              : cudaMemcpyDeviceToDevice;
  CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, kind, cuda::stream()));
  if (kind != cudaMemcpyDeviceToDevice) CUDA_CHECK(cudaStreamSynchronize(cuda::stream()));
#else
  GNNREC_FAIL(
      "a copy to or from a CUDA device was requested but this gnnrec was built "
      "without CUDA");
#endif
}

void check_same_shape(const char* op, const Tensor& a, const Tensor& b) {
  GNNREC_CHECK(a.shape() == b.shape(), op << ": shapes " << shape_str(a.shape()) << " and "
                                          << shape_str(b.shape()) << " do not match");
}

void check_same_device(const char* op, const Tensor& a, const Tensor& b) {
  GNNREC_CHECK(a.device() == b.device(), op << ": operands on different devices ("
                                            << a.device().str() << " and " << b.device().str()
                                            << ")");
}

void check_dtype(const char* op, const Tensor& t, DType dtype) {
  GNNREC_CHECK(t.dtype() == dtype, op << ": expected a " << dtype_name(dtype) << " tensor, got "
                                      << dtype_name(t.dtype()));
}

}  // namespace gnnrec
