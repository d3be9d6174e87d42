#include "store/direct_write.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "base/files.h"

namespace trail::store {
namespace {

constexpr size_t kAlign = 4096;
// Measured on a VM disk: 8 MiB direct writes ran at 370 MB/s, 32 MiB ones at 1.1 GB/s.
constexpr size_t kBounce = size_t{32} << 20;

}  // namespace

DirectWriter::DirectWriter(int fd, std::string path) : fd_(fd), path_(std::move(path)) {
  flags_ = ::fcntl(fd_, F_GETFL);
  direct_ = flags_ >= 0 && ::fcntl(fd_, F_SETFL, flags_ | O_DIRECT) == 0;
}

DirectWriter::~DirectWriter() {
  if (writing_.valid()) writing_.wait();  // it writes from our buffer
  StopDirect();
}

Status DirectWriter::WaitForWrite() { return writing_.valid() ? writing_.get() : Status::Ok(); }

void DirectWriter::StopDirect() {
  if (direct_) ::fcntl(fd_, F_SETFL, flags_);
  direct_ = false;
}

Status DirectWriter::WriteAligned(const char* p, size_t len) {
  if (direct_) {
    size_t done = 0;
    while (done < len) {
      const ssize_t w = ::write(fd_, p + done, len - done);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EINVAL && done == 0) {  // the file system refuses O_DIRECT after all
        StopDirect();
        break;
      }
      if (w < 0) return IoError("cannot write " + path_ + ": " + std::strerror(errno));
      done += static_cast<size_t>(w);
    }
    if (direct_) return Status::Ok();
  }
  return WriteAll(fd_, std::string_view(p, len), path_);
}

Status DirectWriter::Append(std::string_view bytes) {
  // An aligned source with nothing buffered (so the file offset is aligned too): its whole
  // pages go to the disk from where they are, with no copy. Packs take this path.
  if (direct_ && used_ == 0 && reinterpret_cast<uintptr_t>(bytes.data()) % kAlign == 0) {
    TRAIL_RETURN_IF_ERROR(WaitForWrite());  // writes go to the file in order
    const size_t aligned = bytes.size() / kAlign * kAlign;
    TRAIL_RETURN_IF_ERROR(WriteAligned(bytes.data(), aligned));
    bytes.remove_prefix(aligned);
  }
  if (bytes.empty()) return Status::Ok();
  if (!bounce_[0]) {
    for (auto& b : bounce_) {
      void* raw = nullptr;
      if (!direct_ || ::posix_memalign(&raw, kAlign, kBounce) != 0) {
        StopDirect();
        return WriteAll(fd_, bytes, path_);
      }
      b = std::unique_ptr<char, void (*)(void*)>(static_cast<char*>(raw), &std::free);
    }
  }
  while (!bytes.empty()) {
    char* buffer = bounce_[filling_].get();
    const size_t n = std::min(kBounce - used_, bytes.size());
    std::memcpy(buffer + used_, bytes.data(), n);
    used_ += n;
    bytes.remove_prefix(n);
    if (used_ == kBounce) {
      // The other buffer's write first (one write at a time keeps the file's order), then this
      // one's in the background while the other fills.
      TRAIL_RETURN_IF_ERROR(WaitForWrite());
      writing_ = std::async(std::launch::async, [this, buffer] { return WriteAligned(buffer, kBounce); });
      filling_ ^= 1;
      used_ = 0;
    }
  }
  return Status::Ok();
}

Status DirectWriter::Finish() {
  TRAIL_RETURN_IF_ERROR(WaitForWrite());
  if (!bounce_[0] || used_ == 0) return Status::Ok();
  char* buffer = bounce_[filling_].get();
  const size_t aligned = used_ / kAlign * kAlign;
  if (aligned > 0) TRAIL_RETURN_IF_ERROR(WriteAligned(buffer, aligned));
  StopDirect();
  TRAIL_RETURN_IF_ERROR(WriteAll(fd_, std::string_view(buffer + aligned, used_ - aligned), path_));
  used_ = 0;
  return Status::Ok();
}

}  // namespace trail::store
