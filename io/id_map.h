// Raw ids (as written in a dataset file) to dense ids 0..n-1, one map per
// node type: user "5" and item "5" are different nodes.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace gnnrec::io {

class IdMap {
 public:
  // The dense id of `raw`, assigned in order of first appearance.
  std::int32_t add(const std::string& raw) {
    auto [it, inserted] = dense_.emplace(raw, static_cast<std::int32_t>(raw_.size()));
    if (inserted) raw_.push_back(raw);
    return it->second;
  }
  // -1 when `raw` was never added.
  std::int32_t find(const std::string& raw) const {
    auto it = dense_.find(raw);
    return it == dense_.end() ? -1 : it->second;
  }
  const std::string& raw(std::int32_t dense) const {
    return raw_.at(static_cast<std::size_t>(dense));
  }
  std::int32_t size() const { return static_cast<std::int32_t>(raw_.size()); }

 private:
  std::unordered_map<std::string, std::int32_t> dense_;
  std::vector<std::string> raw_;
};

}  // namespace gnnrec::io
