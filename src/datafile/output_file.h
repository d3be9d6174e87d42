// A snapshot being written: streamed to a temporary file beside the target and renamed over it
// only by Commit(), so a reader never sees half a snapshot, even after a crash. (util's
// WriteFileAtomic takes the whole content at once; a snapshot of a large file is streamed.)
#pragma once

#include <string>
#include <string_view>

#include "trail/status.h"

namespace trail::datafile {

class OutputFile {
 public:
  static StatusOr<OutputFile> Create(const std::string& path);
  OutputFile(OutputFile&& other) noexcept;
  OutputFile& operator=(OutputFile&&) = delete;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  // Without Commit(), removes the temporary file: the target is left as it was.
  ~OutputFile();

  Status Append(std::string_view bytes);
  // Flushes, fsyncs, renames over the target and fsyncs its directory.
  Status Commit();

 private:
  OutputFile(std::string path, std::string temp, int fd) : path_(std::move(path)), temp_(std::move(temp)), fd_(fd) {}
  Status Flush();

  std::string path_;
  std::string temp_;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace trail::datafile
