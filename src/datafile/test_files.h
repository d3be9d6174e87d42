// Test-only: a scratch directory, and writers of the binary formats built independently of the
// code under test (TFRecord frames with a bit-at-a-time CRC32C, .npy headers, Thrift compact).
#pragma once

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "base/test_crc32c.h"
#include "base/test_temp_dir.h"

namespace trail::datafile::testing {

using trail::testing::TempDir;

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string Le(uint64_t v, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

inline uint32_t ReferenceMaskedCrc32c(const std::string& data) {
  return trail::testing::ReferenceMask(trail::testing::ReferenceCrc32c(data));
}

inline std::string TfRecordFrame(const std::string& data) {
  std::string length = Le(data.size(), 8);
  return length + Le(ReferenceMaskedCrc32c(length), 4) + data + Le(ReferenceMaskedCrc32c(data), 4);
}

// A version 1.0 .npy header for `dict`, padded to 64 bytes as NumPy does.
inline std::string NpyV1(std::string dict) {
  size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  return std::string("\x93NUMPY\x01\x00", 8) + Le(dict.size(), 2) + dict;
}

// True if /usr/bin/python3 can import numpy (it generates realistic .npy/.npz files).
inline bool HaveNumpy() { return std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0; }

inline int RunPython(const std::string& code) {
  std::string quoted;
  for (char c : code) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return std::system(("/usr/bin/python3 -c '" + quoted + "'").c_str());
}

// Thrift compact protocol, written by hand for the Parquet tests.
class ThriftWriter {
 public:
  void Field(int delta, int type) { out_ += static_cast<char>((delta << 4) | type); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_ += static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    out_ += static_cast<char>(v);
  }
  void ZigZag(int64_t v) { Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void Binary(const std::string& s) {
    Varint(s.size());
    out_ += s;
  }
  void ListHeader(int count, int type) { out_ += static_cast<char>((count << 4) | type); }
  void Raw(const std::string& s) { out_ += s; }
  void Stop() { out_ += '\0'; }
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

}  // namespace trail::datafile::testing
