// libhdf5 in a child process. Debian's libhdf5 1.10.8 crashes on some crafted files (an overread
// in H5HG_read on a damaged variable-length string) that trail cannot check before libhdf5 reads
// them, and a model file may come from another clone: every libhdf5 call therefore runs in a
// forked child (no exec) that streams its results back over a pipe in bounded frames. A crash, a
// hang or a memory blow-up in libhdf5 ends only the child; the parent reports it as a Corrupt
// status naming the file.
//
// The parent process never calls libhdf5 itself (Hdf5File refuses outside a child), so its
// libhdf5 state is never mid-call when another thread forks: children need no process-wide lock
// and run in parallel. Each child closes every inherited descriptor but its pipe, lowers its
// address-space limit (not under sanitizers, which reserve terabytes) and writes no core file.
//
// Protocol, child to parent: frames of an 8-byte header (u32 kind, u32 length, little-endian) and
// `length` bytes, at most kHdf5FrameBytes; kinds data, end (success, empty) and error (a status
// code byte and its message). The parent checks each frame's size, waits at most
// kHdf5ChildTimeout for each, and turns anything else (end of the pipe without an end frame, an
// oversized or unknown frame, silence) into "PATH: the HDF5 library failed reading this file
// (killed by signal 11); the file is damaged or hostile", killing and reaping the child.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "trail/status.h"

namespace trail::model {

inline constexpr uint32_t kHdf5FrameBytes = 1 << 20;
// A child that sends nothing for this long is killed.
inline constexpr std::chrono::milliseconds kHdf5ChildTimeout{60000};
// A child may use this much address space beyond what the parent had mapped when it forked.
inline constexpr uint64_t kHdf5ChildAddressSpace = uint64_t{4} << 30;

// Whether this process is an HDF5 child (set right after fork).
bool InHdf5Child();

// The child's side of the pipe: data split into frames. Calls return false when the parent is
// gone; the child then just exits.
class Hdf5ChildWriter {
 public:
  explicit Hdf5ChildWriter(int fd) : fd_(fd) {}
  bool Write(const char* data, size_t size);
  bool Write(const std::string& data) { return Write(data.data(), data.size()); }

 private:
  int fd_;
};

// What a child does, in the child only: call libhdf5, write results. An error it returns goes to
// the parent as that status.
using Hdf5ChildBody = std::function<Status(Hdf5ChildWriter& out)>;

// A running child and the read end of its pipe. Not thread-safe; one reader at a time.
class Hdf5Child {
 public:
  // Forks a child running `body`. `display` names the file in errors.
  static StatusOr<std::unique_ptr<Hdf5Child>> Start(const std::string& display, Hdf5ChildBody body);
  ~Hdf5Child();  // kills (SIGKILL) and reaps a child still running: no zombie, no waiting
  Hdf5Child(const Hdf5Child&) = delete;
  Hdf5Child& operator=(const Hdf5Child&) = delete;

  // Replaces `*data` with the next data frame's bytes; false (and `*data` empty) after the end
  // frame, when the child has been reaped. The child's own error comes back as its status; a
  // failure of the child itself as Corrupt naming the file (`*data` is then unspecified).
  StatusOr<bool> Next(std::string* data);
  // Every data frame up to the end, refused (Corrupt) past `max_bytes`.
  StatusOr<std::string> ReadAll(uint64_t max_bytes);

 private:
  Hdf5Child() = default;
  Status ReadExactly(char* buf, size_t size, bool* eof);
  // Kills the child if it still runs, reaps it, and says how it ended ("killed by signal 11").
  std::string Reap(bool kill_first);
  Status Failed(const std::string& why);

  pid_t pid_ = -1;
  int fd_ = -1;
  std::string display_;
  bool ended_ = false;  // the end frame came
};

// Small binary encoding of what a child sends back: u64s and length-prefixed strings. The reader
// bounds-checks everything (a child that libhdf5 corrupted may send anything).
class ChildMessageWriter {
 public:
  void U64(uint64_t v);
  void String(const std::string& s);
  void OptionalString(const std::optional<std::string>& s);
  void OptionalStrings(const std::optional<std::vector<std::string>>& list);
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

class ChildMessageReader {
 public:
  // `display` names the file in the Corrupt error a malformed message gives.
  ChildMessageReader(std::string_view bytes, std::string display) : in_(bytes), display_(std::move(display)) {}
  bool U64(uint64_t* v);
  bool String(std::string* s);
  bool OptionalString(std::optional<std::string>* s);
  bool OptionalStrings(std::optional<std::vector<std::string>>* list);
  bool AtEnd() const { return in_.empty(); }
  Status Malformed() const;

 private:
  std::string_view in_;
  std::string display_;
};

// Test-only: faults the children started after the call inject instead of running their body
// (inherited through fork; the production code never sets them).
enum class Hdf5ChildFault {
  kNone,
  kCrash,        // raise(SIGSEGV), as libhdf5's overread does
  kHang,         // send nothing, forever (until the parent's timeout or the child's alarm)
  kTruncate,     // send a data frame's header and half its bytes, then exit 0
  kHugeFrame,    // send a frame header claiming 4 GiB
  kExitQuietly,  // exit 0 without an end frame
  kBlowUp,       // allocate twice kHdf5ChildAddressSpace before running the body
};
void SetHdf5ChildFaultForTesting(Hdf5ChildFault fault);
// Test-only: how long a silent child is waited for (kHdf5ChildTimeout when zero).
void SetHdf5ChildTimeoutForTesting(std::chrono::milliseconds timeout);
// Test-only: the child's own alarm (twice kHdf5ChildTimeout when zero), which ends a child
// whose parent is gone while libhdf5 hangs.
void SetHdf5ChildAlarmForTesting(unsigned seconds);

}  // namespace trail::model
