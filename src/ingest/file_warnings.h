// The warnings one ingested file produces, capped so that a file that is wrong on every line
// cannot flood the caller.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace trail::ingest {

class FileWarnings {
 public:
  explicit FileWarnings(std::string path) : path_(std::move(path)) {}

  // Appends "<path>: <message>" to `sink` (which may be null: the warning is dropped). After
  // kMaxPerFile warnings, one more line says the rest are not shown, and then nothing is added.
  void Add(std::vector<std::string>* sink, const std::string& message) {
    ++count_;
    if (sink == nullptr || count_ > kMaxPerFile + 1) return;
    sink->push_back(count_ == kMaxPerFile + 1 ? path_ + ": further warnings about this file are not shown"
                                              : path_ + ": " + message);
  }

  static constexpr int kMaxPerFile = 20;

 private:
  std::string path_;
  int count_ = 0;
};

}  // namespace trail::ingest
