#include "datafile/sampler.h"

#include <cmath>

namespace trail::datafile {

uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t Fnv1a64(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

StatusOr<uint64_t> BlockLength(double fraction) {
  if (!(fraction > 0.0) || !(fraction <= 1.0)) {
    return InvalidArgument("snapshot fraction must be in (0, 1], got " + std::to_string(fraction));
  }
  double inverse = std::round(1.0 / fraction);
  if (!(inverse <= 4e18)) return InvalidArgument("snapshot fraction " + std::to_string(fraction) + " is too small");
  return static_cast<uint64_t>(inverse);
}

bool BlockSampler::Take() {
  uint64_t offset = seen_ % length_;
  if (offset == 0) chosen_ = ChosenOffset(seen_ / length_);
  ++seen_;
  if (offset != chosen_) return false;
  ++kept_;
  return true;
}

uint64_t BlockSampler::KeptAmong(uint64_t rows) const {
  uint64_t full = rows / length_, rest = rows % length_;
  return full + (rest > 0 && ChosenOffset(full) < rest ? 1 : 0);
}

StatusOr<bool> StratifiedSampler::Take(std::string_view value) {
  auto it = classes_.find(value);
  if (it == classes_.end()) {
    if (classes_.size() >= kMaxClasses) {
      return InvalidArgument("more than " + std::to_string(kMaxClasses) +
                             " distinct values in the stratify column; pick a column of class labels");
    }
    it = classes_.emplace(std::string(value), BlockSampler(length_, seed_, Fnv1a64(value))).first;
  }
  return it->second.Take();
}

std::map<std::string, ClassCount> StratifiedSampler::Counts() const {
  std::map<std::string, ClassCount> out;
  for (const auto& [value, sampler] : classes_) out[value] = {sampler.seen(), sampler.kept()};
  return out;
}

}  // namespace trail::datafile
