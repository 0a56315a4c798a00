// Tensor: a contiguous, row-major array of f32, i32 or i64 on the CPU or a
// CUDA GPU. Copies of a Tensor share its storage (like a shared_ptr); use
// clone() or to() for a new buffer. Memory comes from the device's caching
// allocator (core/allocator.h).
//
//   Tensor x = Tensor::zeros({n_nodes, dim}, DType::F32, Device::cuda());
//   float* p = x.data<float>();              // (n_nodes, dim)
//   Tensor host = x.to(Device::cpu());        // a copy
//   std::vector<float> v = x.to_vector<float>();
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/device.h"
#include "core/error.h"

namespace gnnrec {

enum class DType { F32, I32, I64 };

std::size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);

template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() {
  return DType::F32;
}
template <>
constexpr DType dtype_of<std::int32_t>() {
  return DType::I32;
}
template <>
constexpr DType dtype_of<std::int64_t>() {
  return DType::I64;
}

// One allocation; released to its device's cache when the last Tensor that
// shares it goes away.
class Storage {
 public:
  Storage(std::size_t bytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }
  Device device() const { return device_; }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
  Device device_;
};

using Shape = std::vector<std::int64_t>;
std::string shape_str(const Shape& shape);  // "(3, 64)"

class Tensor {
 public:
  Tensor() = default;  // undefined: defined() is false

  static Tensor empty(const Shape& shape, DType dtype, Device device = Device::cpu());
  static Tensor zeros(const Shape& shape, DType dtype, Device device = Device::cpu());
  static Tensor full(const Shape& shape, float value, Device device = Device::cpu());
  template <class T>
  static Tensor from_vector(const std::vector<T>& values, const Shape& shape,
                            Device device = Device::cpu());

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  int ndim() const { return static_cast<int>(shape_.size()); }
  std::int64_t size(int dim) const;
  std::int64_t numel() const;
  std::int64_t rows() const { return ndim() == 0 ? 1 : shape_[0]; }
  std::int64_t cols() const;  // numel / rows: the width of one row
  DType dtype() const { return dtype_; }
  Device device() const { return storage_ ? storage_->device() : Device::cpu(); }
  std::size_t nbytes() const { return static_cast<std::size_t>(numel()) * dtype_size(dtype_); }

  // Typed access; throws if T does not match dtype().
  template <class T>
  T* data();
  template <class T>
  const T* data() const;
  void* raw_data() const;

  Tensor to(Device device) const;  // a copy on `device` (a new buffer even if equal)
  Tensor clone() const { return to(device()); }
  template <class T>
  std::vector<T> to_vector() const;  // copies to the host

  void zero_();                       // sets every element to 0
  void copy_from(const Tensor& src);  // same shape and dtype, any devices

  Tensor reshape(const Shape& shape) const;                       // shares storage
  Tensor slice_rows(std::int64_t begin, std::int64_t end) const;  // shares storage
  bool shares_storage_with(const Tensor& other) const { return storage_ == other.storage_; }

 private:
  std::shared_ptr<Storage> storage_;
  std::size_t offset_bytes_ = 0;
  Shape shape_;
  DType dtype_ = DType::F32;

  void check_dtype(DType expected) const;
};

// Copies `bytes` between any two devices. Host<->device copies wait for the
// copy to finish; device<->device copies are queued on the compute stream.
void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device,
                std::size_t bytes);

// Shape and device checks with messages that name the op and the operands.
void check_same_shape(const char* op, const Tensor& a, const Tensor& b);
void check_same_device(const char* op, const Tensor& a, const Tensor& b);
void check_dtype(const char* op, const Tensor& t, DType dtype);

// ---- template definitions -------------------------------------------------
template <class T>
T* Tensor::data() {
  check_dtype(dtype_of<T>());
  return static_cast<T*>(raw_data());
}

template <class T>
const T* Tensor::data() const {
  check_dtype(dtype_of<T>());
  return static_cast<const T*>(raw_data());
}

template <class T>
Tensor Tensor::from_vector(const std::vector<T>& values, const Shape& shape, Device device) {
  Tensor host = empty(shape, dtype_of<T>(), Device::cpu());
  GNNREC_CHECK(
      static_cast<std::int64_t>(values.size()) == host.numel(),
      "from_vector: " << values.size() << " values do not fill shape " << shape_str(shape));
  copy_bytes(host.raw_data(), Device::cpu(), values.data(), Device::cpu(), host.nbytes());
  return device.is_cpu() ? host : host.to(device);
}

template <class T>
std::vector<T> Tensor::to_vector() const {
  check_dtype(dtype_of<T>());
  std::vector<T> values(static_cast<std::size_t>(numel()));
  copy_bytes(values.data(), Device::cpu(), raw_data(), device(), nbytes());
  return values;
}

}  // namespace gnnrec
