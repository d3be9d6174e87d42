#include "model/hdf5_child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/errors.h"

namespace trail::model {
namespace {

enum FrameKind : uint32_t { kData = 1, kEnd = 2, kError = 3 };
constexpr size_t kHeaderBytes = 8;

// Set only in a child, after fork; the parent never changes it.
bool in_child = false;
std::atomic<int> test_fault{static_cast<int>(Hdf5ChildFault::kNone)};
std::atomic<int64_t> test_timeout_ms{0};

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

void PutU32(char* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(v >> (8 * i));
}

uint32_t GetU32(const char* in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  return v;
}

// The child's own bound on time spent in libhdf5 between two frames (seconds): twice the parent's silence
// limit, so the parent's timeout normally acts first. It is what ends a child that hangs inside
// libhdf5 after its parent died (then nobody reads, and nobody kills it). Waiting on a full pipe
// is not counted: a parent that reads slowly is not a hang, and one that is gone gives EPIPE.
std::atomic<unsigned> test_alarm_seconds{0};
unsigned ChildAlarmSeconds() {
  const unsigned test = test_alarm_seconds.load();
  return test > 0
             ? test
             : static_cast<unsigned>(2 * std::chrono::duration_cast<std::chrono::seconds>(kHdf5ChildTimeout).count());
}

// Writes a header and `size` (at most kHdf5FrameBytes) bytes; false when the pipe is gone.
bool WriteFrame(int fd, uint32_t kind, const char* data, size_t size) {
  ::alarm(0);
  char header[kHeaderBytes];
  PutU32(header, kind);
  PutU32(header + 4, static_cast<uint32_t>(size));
  iovec iov[2] = {{header, sizeof header}, {const_cast<char*>(data), size}};
  int parts = size > 0 ? 2 : 1;
  iovec* at = iov;
  while (parts > 0) {
    const ssize_t n = ::writev(fd, at, parts);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    size_t done = static_cast<size_t>(n);
    while (parts > 0 && done >= at->iov_len) {
      done -= at->iov_len;
      ++at;
      --parts;
    }
    if (parts > 0) {
      at->iov_base = static_cast<char*>(at->iov_base) + done;
      at->iov_len -= done;
    }
  }
  ::alarm(ChildAlarmSeconds());
  return true;
}

// The address space the parent has mapped now (from /proc/self/statm), 0 when unknown.
uint64_t MappedBytes() {
  FILE* f = std::fopen("/proc/self/statm", "re");
  if (f == nullptr) return 0;
  unsigned long long pages = 0;
  const int got = std::fscanf(f, "%llu", &pages);
  std::fclose(f);
  if (got != 1) return 0;
  const long page = ::sysconf(_SC_PAGESIZE);
  return page > 0 ? pages * static_cast<uint64_t>(page) : 0;
}

// The child's whole life after fork: it only calls libhdf5 (through `body`), writes to the pipe
// and _exits (no atexit handlers, no sanitizer leak check, no stdio flush of the parent's buffers).
[[noreturn]] void RunChild(int write_fd, uint64_t address_limit, Hdf5ChildFault fault, const std::string& display,
                           const Hdf5ChildBody& body) {
  in_child = true;
  // Keep only stdin/out/err and the pipe (as fd 3): another thread's pipes must not stay open
  // here, or their readers would not see their own children end.
  if (write_fd != 3 && ::dup2(write_fd, 3) < 0) ::_exit(120);
  if (::close_range(4, ~0U, 0) != 0) {
    for (int fd = 4; fd < 4096; ++fd) ::close(fd);
  }
  ::signal(SIGPIPE, SIG_IGN);  // a parent that stopped reading gives EPIPE: the child exits
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);  // a crash on a hostile file leaves no core file behind
  if (!kSanitized && address_limit > 0) {
    const rlimit as{address_limit, address_limit};
    ::setrlimit(RLIMIT_AS, &as);
  }
  ::signal(SIGALRM, SIG_DFL);  // the alarm ends the process (see ChildAlarmSeconds)
  ::alarm(ChildAlarmSeconds());
  switch (fault) {
    case Hdf5ChildFault::kNone:
      break;
    case Hdf5ChildFault::kCrash:
      ::signal(SIGSEGV, SIG_DFL);  // past a sanitizer's handler
      ::raise(SIGSEGV);
      ::_exit(121);
    case Hdf5ChildFault::kHang:
      for (;;) ::pause();
    case Hdf5ChildFault::kTruncate: {
      const char payload[16] = {};
      WriteFrame(3, kData, payload, sizeof payload);  // one whole frame, then half of one
      char header[kHeaderBytes];
      PutU32(header, kData);
      PutU32(header + 4, sizeof payload);
      (void)!::write(3, header, sizeof header);
      (void)!::write(3, payload, sizeof payload / 2);
      ::_exit(0);
    }
    case Hdf5ChildFault::kHugeFrame: {
      char header[kHeaderBytes];
      PutU32(header, kData);
      PutU32(header + 4, 0xFFFFFFFFu);
      (void)!::write(3, header, sizeof header);
      ::_exit(0);
    }
    case Hdf5ChildFault::kExitQuietly:
      ::_exit(0);
    case Hdf5ChildFault::kBlowUp:
      break;  // below, where the body runs
  }
  Hdf5ChildWriter out(3);
  Status status = Status::Ok();
  try {
    if (fault == Hdf5ChildFault::kBlowUp) {
      // Past the address-space limit; never touched, so harmless where no limit applies.
      void* p = ::operator new(2 * kHdf5ChildAddressSpace);
      ::operator delete(p);
    }
    status = body(out);
  } catch (const std::exception& e) {  // std::bad_alloc under the address-space limit
    status = Corrupt(display + ": the HDF5 library failed reading this file (" + e.what() +
                     "); the file is damaged or hostile");
  } catch (...) {
    status = Corrupt(display + ": the HDF5 library failed reading this file; the file is damaged or hostile");
  }
  if (status.ok()) {
    WriteFrame(3, kEnd, nullptr, 0);
  } else {
    std::string payload(1, static_cast<char>(status.code()));
    payload += status.message().substr(0, kHdf5FrameBytes - 1);
    WriteFrame(3, kError, payload.data(), payload.size());
  }
  ::_exit(0);
}

}  // namespace

bool InHdf5Child() { return in_child; }

bool Hdf5ChildWriter::Write(const char* data, size_t size) {
  while (size > 0) {
    const size_t n = std::min<size_t>(size, kHdf5FrameBytes);
    if (!WriteFrame(fd_, kData, data, n)) return false;
    data += n;
    size -= n;
  }
  return true;
}

StatusOr<std::unique_ptr<Hdf5Child>> Hdf5Child::Start(const std::string& display, Hdf5ChildBody body) {
  const uint64_t mapped = MappedBytes();
  const uint64_t address_limit = mapped == 0 ? 0 : mapped + kHdf5ChildAddressSpace;
  const auto fault = static_cast<Hdf5ChildFault>(test_fault.load());
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return IoError(display + ": cannot make a pipe: " + ErrnoMessage(errno));
  ::fcntl(fds[0], F_SETPIPE_SZ, static_cast<int>(kHdf5FrameBytes));  // fewer wake-ups; best effort
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    return IoError(display + ": cannot start a process to read it: " + ErrnoMessage(e));
  }
  if (pid == 0) RunChild(fds[1], address_limit, fault, display, body);
  ::close(fds[1]);
  std::unique_ptr<Hdf5Child> child(new Hdf5Child());
  child->pid_ = pid;
  child->fd_ = fds[0];
  child->display_ = display;
  return child;
}

Hdf5Child::~Hdf5Child() { Reap(/*kill_first=*/true); }

std::string Hdf5Child::Reap(bool kill_first) {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (pid_ < 0) return "";
  // Killing a child that already exited changes nothing: its status is fixed when it exits.
  if (kill_first) ::kill(pid_, SIGKILL);
  int status = 0;
  pid_t got;
  do {
    got = ::waitpid(pid_, &status, 0);
  } while (got < 0 && errno == EINTR);
  pid_ = -1;
  if (got < 0) return "it ended; its exit status is unknown";
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "its answer ended early";
}

Status Hdf5Child::Failed(const std::string& why) {
  return Corrupt(display_ + ": the HDF5 library failed reading this file (" + why +
                 "); the file is damaged or hostile");
}

Status Hdf5Child::ReadExactly(char* buf, size_t size, bool* eof) {
  *eof = false;
  const int64_t override_ms = test_timeout_ms.load();
  const int64_t timeout_ms = override_ms > 0 ? override_ms : kHdf5ChildTimeout.count();
  size_t done = 0;
  while (done < size) {
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(timeout_ms));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      Reap(true);
      return Failed("no answer for " + (timeout_ms % 1000 == 0 ? std::to_string(timeout_ms / 1000) + " s"
                                                               : std::to_string(timeout_ms) + " ms"));
    }
    const ssize_t n = ready < 0 ? -1 : ::read(fd_, buf + done, size - done);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      *eof = true;
      return Status::Ok();
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

StatusOr<bool> Hdf5Child::Next(std::string* data) {
  // `data` keeps its size from frame to frame: resizing a cleared string zero-fills it, 1 MiB of
  // memset per frame.
  if (ended_ || fd_ < 0) {
    data->clear();
    if (ended_) return false;
    return FailedPrecondition(display_ + ": the HDF5 child has already failed");
  }
  char header[kHeaderBytes];
  bool eof = false;
  TRAIL_RETURN_IF_ERROR(ReadExactly(header, sizeof header, &eof));
  if (eof) return Failed(Reap(true));
  const uint32_t kind = GetU32(header), size = GetU32(header + 4);
  if (size > kHdf5FrameBytes || (kind != kData && kind != kEnd && kind != kError) || (kind == kEnd && size != 0) ||
      (kind == kError && size == 0)) {
    Reap(true);
    return Failed("it sent a malformed frame");
  }
  data->resize(size);
  TRAIL_RETURN_IF_ERROR(ReadExactly(data->data(), size, &eof));
  if (eof) {
    data->clear();
    return Failed(Reap(true));
  }
  if (kind == kData) return true;
  Reap(true);
  std::string payload = std::move(*data);
  data->clear();
  if (kind == kEnd) {
    ended_ = true;
    return false;
  }
  const int code = static_cast<unsigned char>(payload[0]);
  std::string message = payload.substr(1);
  if (code <= static_cast<int>(Code::kOk) || code > static_cast<int>(Code::kInternal)) {
    return Failed("it sent a malformed error");
  }
  return Status(static_cast<Code>(code), std::move(message));
}

StatusOr<std::string> Hdf5Child::ReadAll(uint64_t max_bytes) {
  std::string all, frame;
  for (;;) {
    TRAIL_ASSIGN_OR_RETURN(bool more, Next(&frame));
    if (!more) return all;
    if (all.size() + frame.size() > max_bytes) {
      Reap(true);
      return Corrupt(display_ + ": what the HDF5 library read from it is over " + std::to_string(max_bytes) + " bytes");
    }
    all += frame;
  }
}

void ChildMessageWriter::U64(uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out_.append(b, 8);
}

void ChildMessageWriter::String(const std::string& s) {
  U64(s.size());
  out_ += s;
}

void ChildMessageWriter::OptionalString(const std::optional<std::string>& s) {
  U64(s.has_value());
  if (s.has_value()) String(*s);
}

void ChildMessageWriter::OptionalStrings(const std::optional<std::vector<std::string>>& list) {
  U64(list.has_value());
  if (!list.has_value()) return;
  U64(list->size());
  for (const std::string& s : *list) String(s);
}

bool ChildMessageReader::U64(uint64_t* v) {
  if (in_.size() < 8) return false;
  *v = 0;
  for (int i = 0; i < 8; ++i) *v |= static_cast<uint64_t>(static_cast<unsigned char>(in_[i])) << (8 * i);
  in_.remove_prefix(8);
  return true;
}

bool ChildMessageReader::String(std::string* s) {
  uint64_t size = 0;
  if (!U64(&size) || size > in_.size()) return false;
  s->assign(in_.substr(0, size));
  in_.remove_prefix(size);
  return true;
}

bool ChildMessageReader::OptionalString(std::optional<std::string>* s) {
  uint64_t has = 0;
  if (!U64(&has) || has > 1) return false;
  s->reset();
  if (has == 0) return true;
  s->emplace();
  return String(&**s);
}

bool ChildMessageReader::OptionalStrings(std::optional<std::vector<std::string>>* list) {
  uint64_t has = 0, count = 0;
  if (!U64(&has) || has > 1) return false;
  list->reset();
  if (has == 0) return true;
  // Each string takes at least its 8-byte length: a count past that is a lie, refused unallocated.
  if (!U64(&count) || count > in_.size() / 8) return false;
  list->emplace();
  for (uint64_t k = 0; k < count; ++k) {
    std::string s;
    if (!String(&s)) return false;
    (*list)->push_back(std::move(s));
  }
  return true;
}

Status ChildMessageReader::Malformed() const {
  return Corrupt(display_ + ": the HDF5 library's answer about it is malformed");
}

void SetHdf5ChildFaultForTesting(Hdf5ChildFault fault) { test_fault.store(static_cast<int>(fault)); }

void SetHdf5ChildTimeoutForTesting(std::chrono::milliseconds timeout) { test_timeout_ms.store(timeout.count()); }

void SetHdf5ChildAlarmForTesting(unsigned seconds) { test_alarm_seconds.store(seconds); }

}  // namespace trail::model
