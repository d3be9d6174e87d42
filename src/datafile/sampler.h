// The sampling rule of data snapshots, independent of any file format.
//
// Rows are taken in consecutive blocks of L = round(1/fraction) rows; in block b one row, at
// offset Mix64(Mix64(seed ^ stream) + b) mod L, is kept. So the count is exact to within one row,
// the sample is spread evenly over the whole file, and a last partial block keeps its row only
// if the chosen offset falls inside it. Mix64 is the SplitMix64 finalizer, written out here,
// and FNV-1a names the streams: the choice depends on nothing but the inputs, on any machine,
// compiler or standard library (std:: distributions are implementation-defined, so unused).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "trail/status.h"

namespace trail::datafile {

uint64_t Mix64(uint64_t x);
// FNV-1a, 64-bit: the stream of a stratification class is the hash of its value.
uint64_t Fnv1a64(std::string_view bytes);

// L for a fraction in (0, 1]; anything else is InvalidArgument. The fraction actually kept is
// 1/L: 0.01 keeps 1 in 100, 0.3 keeps 1 in 3, anything above 2/3 keeps everything.
StatusOr<uint64_t> BlockLength(double fraction);

// One stream of rows (the whole file, or one class of a stratified snapshot).
class BlockSampler {
 public:
  BlockSampler(uint64_t block_length, uint64_t seed, uint64_t stream)
      : length_(block_length), key_(Mix64(seed ^ stream)) {}
  // Whether the next row of this stream is kept.
  bool Take();
  uint64_t seen() const { return seen_; }
  uint64_t kept() const { return kept_; }
  // How many of the first `rows` rows Take() keeps, without taking them (for formats that must
  // write the count before the rows, such as .npy).
  uint64_t KeptAmong(uint64_t rows) const;

 private:
  uint64_t ChosenOffset(uint64_t block) const { return Mix64(key_ + block) % length_; }

  uint64_t length_;
  uint64_t key_;
  uint64_t seen_ = 0;
  uint64_t kept_ = 0;
  uint64_t chosen_ = 0;
};

struct ClassCount {
  uint64_t rows_in = 0;
  uint64_t rows_kept = 0;
};

// A BlockSampler per class value, so every class keeps its proportion. Memory grows with the
// number of classes, which is capped.
class StratifiedSampler {
 public:
  static constexpr size_t kMaxClasses = 100000;

  StratifiedSampler(uint64_t block_length, uint64_t seed) : length_(block_length), seed_(seed) {}
  // Whether the next row, of class `value`, is kept; InvalidArgument past kMaxClasses classes.
  StatusOr<bool> Take(std::string_view value);
  // Per class, sorted by value.
  std::map<std::string, ClassCount> Counts() const;

 private:
  uint64_t length_;
  uint64_t seed_;
  // Transparent hashing: a row's class is looked up as a string_view, without a copy.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, BlockSampler, Hash, std::equal_to<>> classes_;
};

}  // namespace trail::datafile
