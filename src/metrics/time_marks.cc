#include "metrics/time_marks.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <utility>

#include "base/errors.h"
#include "base/files.h"

namespace trail::metrics {
namespace {

constexpr size_t kRecordSize = 16;

void PutU64(unsigned char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

uint64_t GetU64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

}  // namespace

StatusOr<TimeMarks> TimeMarks::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("cannot open time marks", path);
  return TimeMarks(fd, path);
}

TimeMarks::TimeMarks(TimeMarks&& other) noexcept : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

TimeMarks& TimeMarks::operator=(TimeMarks&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

TimeMarks::~TimeMarks() {
  if (fd_ >= 0) ::close(fd_);
}

Status TimeMarks::Append(uint64_t offset, double time) {
  unsigned char record[kRecordSize];
  PutU64(record, offset);
  PutU64(record + 8, std::bit_cast<uint64_t>(time));
  // One write of 16 bytes to an O_APPEND file: a crash leaves a whole
  // record or a short tail that LoadTimeMarks drops.
  ssize_t n;
  do {
    n = ::write(fd_, record, kRecordSize);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return ErrnoError("cannot write time marks", path_);
  if (static_cast<size_t>(n) != kRecordSize) return IoError("short write to time marks " + path_);
  return Status::Ok();
}

StatusOr<std::vector<TimeMark>> LoadTimeMarks(const std::string& path) {
  std::vector<TimeMark> marks;
  auto read = ReadFile(path);
  if (!read.ok()) {
    if (read.status().code() == Code::kNotFound) return marks;
    return read.status().WithContext("time marks");
  }
  const std::string& data = *read;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  marks.reserve(data.size() / kRecordSize);
  for (size_t i = 0; i + kRecordSize <= data.size(); i += kRecordSize) {
    TimeMark mark{GetU64(bytes + i), std::bit_cast<double>(GetU64(bytes + i + 8))};
    if (!marks.empty() && mark.offset < marks.back().offset) marks.clear();
    marks.push_back(mark);
  }
  return marks;
}

StatusOr<std::vector<TimeMark>> LoadTimeMarksAfter(const std::string& path, uint64_t after) {
  std::vector<TimeMark> marks;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return marks;
    return ErrnoError("cannot open time marks", path);
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoError("cannot stat time marks", path);
  const uint64_t records = static_cast<uint64_t>(st.st_size) / kRecordSize;
  auto read_at = [&](uint64_t first, uint64_t count, std::vector<unsigned char>& buf) -> Status {
    buf.resize(count * kRecordSize);
    size_t got = 0;
    while (got < buf.size()) {
      ssize_t n = ::pread(fd, buf.data() + got, buf.size() - got, static_cast<off_t>(first * kRecordSize + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoError("cannot read time marks", path);
      if (n == 0) break;
      got += static_cast<size_t>(n);
    }
    buf.resize(got / kRecordSize * kRecordSize);
    return Status::Ok();
  };
  std::vector<unsigned char> buf;
  // The first record with offset > after; the one before it too, for a caller whose lines all
  // end past the last mark.
  uint64_t lo = 0, hi = records;
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    TRAIL_RETURN_IF_ERROR(read_at(mid, 1, buf));
    if (buf.empty()) break;
    if (GetU64(buf.data()) <= after) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  uint64_t first = lo > 0 ? lo - 1 : 0;
  TRAIL_RETURN_IF_ERROR(read_at(first, records - first, buf));
  for (size_t i = 0; i + kRecordSize <= buf.size(); i += kRecordSize) {
    TimeMark mark{GetU64(buf.data() + i), std::bit_cast<double>(GetU64(buf.data() + i + 8))};
    if (!marks.empty() && mark.offset < marks.back().offset) marks.clear();
    marks.push_back(mark);
  }
  return marks;
}

double TimeForOffset(const std::vector<TimeMark>& marks, uint64_t line_end, double fallback) {
  if (marks.empty()) return fallback;
  auto it = std::lower_bound(marks.begin(), marks.end(), line_end,
                             [](const TimeMark& m, uint64_t off) { return m.offset < off; });
  return it == marks.end() ? marks.back().time : it->time;
}

}  // namespace trail::metrics
