#include "models/init.h"

#include <cmath>
#include <vector>

#include "core/philox.h"

namespace gnnrec {

Tensor normal_init(std::int64_t rows, std::int64_t cols, float std, std::uint64_t seed,
                   std::uint32_t salt, Device device) {
  // Box-Muller on pairs of Philox uniforms, computed on the host in double.
  Tensor host = Tensor::empty({rows, cols}, DType::F32);
  float* values = host.data<float>();
  const auto n = static_cast<std::size_t>(rows * cols);
  for (std::size_t i = 0; i < n; i += 2) {
    Philox4 r = philox_block(seed, kRngInit, salt, static_cast<std::uint32_t>(i / 2),
                             static_cast<std::uint32_t>(i >> 33));
    double u1 = (static_cast<double>(r.w[0]) + 1.0) / 4294967296.0;  // (0, 1]
    double u2 = static_cast<double>(r.w[1]) / 4294967296.0;
    double radius = std::sqrt(-2.0 * std::log(u1));
    values[i] = static_cast<float>(std * radius * std::cos(2.0 * M_PI * u2));
    if (i + 1 < n) values[i + 1] = static_cast<float>(std * radius * std::sin(2.0 * M_PI * u2));
  }
  return device.is_cpu() ? host : host.to(device);
}

Tensor uniform_init(std::int64_t rows, std::int64_t cols, float bound, std::uint64_t seed,
                    std::uint32_t salt, Device device) {
  Tensor host = Tensor::empty({rows, cols}, DType::F32);
  float* values = host.data<float>();
  const auto n = static_cast<std::size_t>(rows * cols);
  for (std::size_t i = 0; i < n; i += 4) {
    Philox4 r = philox_block(seed, kRngInit, salt, static_cast<std::uint32_t>(i / 4),
                             static_cast<std::uint32_t>(i >> 34));
    for (std::size_t w = 0; w < 4 && i + w < n; ++w) {
      values[i + w] = bound * (2.0f * uniform_float(r.w[w]) - 1.0f);
    }
  }
  return device.is_cpu() ? host : host.to(device);
}

}  // namespace gnnrec
