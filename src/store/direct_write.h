// Sequential writes that bypass the page cache where the file system allows it (O_DIRECT).
//
// A buffered write copies every byte into the page cache; on the machines measured that cost
// more CPU than hashing the same bytes (0.9-3.9 s of kernel time per GiB on a VM), and the
// fsync that crash safety needs then waits for the same bytes again. A direct write hands
// aligned pages to the device and leaves the cores to the hashing. O_DIRECT needs aligned
// memory, offsets and lengths: aligned input (a pack built in an AlignedBuffer) is written from
// where it is; anything else goes through aligned bounce buffers, two of them: while one is
// written (on a helper thread) the next is filled, so copying and the disk overlap (a restore
// is otherwise the disk's time plus the copy's). What is left at the end, under one block, is
// written buffered. File systems that refuse O_DIRECT
// (tmpfs, some FUSE mounts) get buffered writes throughout.
#pragma once

#include <atomic>
#include <cstddef>
#include <future>
#include <memory>
#include <string>
#include <string_view>

#include "trail/status.h"

namespace trail::store {

class DirectWriter {
 public:
  // `fd` is open for writing at offset 0; `path` names it in errors. The caller closes it.
  DirectWriter(int fd, std::string path);
  ~DirectWriter();
  DirectWriter(const DirectWriter&) = delete;
  DirectWriter& operator=(const DirectWriter&) = delete;

  Status Append(std::string_view bytes);
  // Writes what is buffered; the file then holds exactly the bytes appended.
  Status Finish();

 private:
  // Writes len bytes at p: direct while the file system allows it, buffered once it refuses.
  Status WriteAligned(const char* p, size_t len);
  void StopDirect();
  // Waits for the bounce buffer being written, if any; its result.
  Status WaitForWrite();
  int fd_;
  std::string path_;
  int flags_ = -1;
  std::atomic<bool> direct_{false};  // read by Append while a background write may clear it
  std::unique_ptr<char, void (*)(void*)> bounce_[2] = {{nullptr, nullptr}, {nullptr, nullptr}};
  int filling_ = 0;              // the bounce buffer Append copies into
  size_t used_ = 0;              // bytes in it
  std::future<Status> writing_;  // the other one's write, while it runs
};

}  // namespace trail::store
