#include "recording/live_series.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <initializer_list>
#include <string_view>
#include <utility>

#include "base/errors.h"
#include "base/files.h"
#include "base/safe_path.h"
#include "metrics/line_parser.h"
#include "metrics/metric_set.h"
#include "metrics/tailer.h"
#include "metrics/time_marks.h"
#include "record/live_files.h"
#include "record/record.h"
#include "recording/live_folder.h"

namespace trail {
namespace {

constexpr size_t kReadChunk = size_t{4} << 20;

// A file descriptor closed at scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// The run's live folder, if it is one: a real directory, never a symlink.
bool IsLiveFolder(const std::string& dir) {
  struct stat st;
  return ::lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Opens a file of the live folder for reading, never through a symlink. Ok with fd -1 when it
// does not exist (not written yet, or the folder is gone).
Status OpenLiveFile(const std::string& path, Fd* out) {
  out->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (out->fd >= 0) {
    struct stat st;
    if (::fstat(out->fd, &st) != 0) return ErrnoError("cannot stat", path);
    if (!S_ISREG(st.st_mode)) return IoError(path + " is not a regular file");
    return Status::Ok();
  }
  if (errno == ENOENT || errno == ENOTDIR) return Status::Ok();
  if (errno == ELOOP) return IoError(path + " is a symlink; not followed");
  return ErrnoError("cannot open", path);
}

// Reads the complete lines of `path` past cursor->offset into `set`, advancing the cursor. A
// line without its own time gets the time the recorder read it at (`marks_path`, the metrics
// file only), or `now` when the recorder has not read it yet. Lines over the tailer's limit are
// skipped as the tailer skips them. A missing file reads as empty.
Status ReadNewLines(const std::string& path, const std::string& marks_path, double now, LiveFileCursor* cursor,
                    metrics::MetricSet& set) {
  Fd file;
  TRAIL_RETURN_IF_ERROR(OpenLiveFile(path, &file));
  if (file.fd < 0) return Status::Ok();
  struct stat st;
  if (::fstat(file.fd, &st) != 0) return ErrnoError("cannot stat", path);
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size < static_cast<uint64_t>(cursor->offset)) {
    // The writer rewrote the file: read it again from the start, as the recorder does.
    cursor->offset = 0;
    cursor->counts.clear();
  }
  uint64_t offset = static_cast<uint64_t>(cursor->offset);
  if (offset == size) return Status::Ok();

  std::vector<metrics::TimeMark> marks;
  if (!marks_path.empty()) {
    auto loaded = metrics::LoadTimeMarksAfter(marks_path, offset);
    if (loaded.ok()) marks = std::move(*loaded);  // times are a nicety here, never a failure
  }
  const uint64_t marked_up_to = marks.empty() ? 0 : marks.back().offset;

  for (const auto& [key, count] : cursor->counts) set.ContinueCount(key, count);
  metrics::LineParser parser;
  std::string pending;         // bytes read and not yet consumed; pending[0] is at file offset `base`
  uint64_t base = offset;      // file offset of pending[0]
  uint64_t consumed = offset;  // just past the last complete line
  uint64_t read_to = offset;
  bool skipping = false;  // inside a line over the limit: its bytes are dropped up to its newline
  while (read_to < size) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kReadChunk, size - read_to));
    size_t old = pending.size();
    pending.resize(old + want);
    ssize_t n = ::pread(file.fd, pending.data() + old, want, static_cast<off_t>(read_to));
    if (n < 0 && errno == EINTR) {
      pending.resize(old);
      continue;
    }
    if (n < 0) return ErrnoError("cannot read", path);
    pending.resize(old + static_cast<size_t>(n));
    if (n == 0) break;
    read_to += static_cast<uint64_t>(n);
    size_t start = 0;
    for (;;) {
      size_t nl = pending.find('\n', start);
      if (nl == std::string::npos) break;
      uint64_t line_end = base + nl + 1;
      if (!skipping && nl - start <= metrics::MetricsTailer::kMaxLineBytes) {
        double time = line_end <= marked_up_to ? metrics::TimeForOffset(marks, line_end, now) : now;
        (void)parser.Parse(std::string_view(pending).substr(start, nl - start), time, set);
      }
      skipping = false;
      consumed = line_end;
      start = nl + 1;
    }
    base += start;
    pending.erase(0, start);
    if (pending.size() > metrics::MetricsTailer::kMaxLineBytes) {
      // Too long to be a line the recorder keeps: drop what we have of it.
      skipping = true;
      base += pending.size();
      pending.clear();
    }
  }
  // An unfinished line (or one being skipped) stays unread: the next call starts at it again.
  cursor->offset = static_cast<int64_t>(consumed);
  for (size_t id = 0; id < set.NumKeys(); ++id) cursor->counts[std::string(set.KeyById(id))] = set.SeriesSizeById(id);
  return Status::Ok();
}

// Appends the set's points to `out`, leaving out the names any of `hidden` holds (the record takes
// those from a file that comes first).
void TakePoints(const metrics::MetricSet& set, std::initializer_list<const std::map<std::string, int64_t>*> hidden,
                std::map<std::string, metrics::SeriesColumns>& out) {
  for (const std::string& key : set.Keys()) {
    bool taken = false;
    for (const auto* names : hidden) taken = taken || names->count(key) > 0;
    if (taken) continue;
    const std::vector<metrics::Point>* points = set.Series(key);
    if (points == nullptr || points->empty()) continue;
    metrics::SeriesColumns& cols = out[key];
    for (const metrics::Point& p : *points) {
      cols.step.push_back(p.step);
      cols.time.push_back(p.time);
      cols.value.push_back(p.value);
    }
  }
}

}  // namespace

StatusOr<std::string> LiveRunId(const Project& project, const std::string& ref) {
  auto invalid = [&] { return InvalidArgument("not a run of project " + project.name() + ": \"" + ref + "\""); };
  if (ref.empty() || ref.size() > 200 || ref.find('/') != std::string::npos || ref.find("..") != std::string::npos ||
      ref.find('\0') != std::string::npos)
    return invalid();
  auto number = record::RunNumberOf(ref);
  if (!number || *number <= 0) return invalid();
  std::string id = record::MakeRunId(project.name(), *number);
  bool digits_only = std::all_of(ref.begin(), ref.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits_only && id != ref) return invalid();
  if (digits_only && std::to_string(*number) != ref) return invalid();
  TRAIL_RETURN_IF_ERROR(CheckPathName(id, "run id"));
  return id;
}

StatusOr<Json> ReadLiveStart(Project& project, const std::string& ref) {
  TRAIL_ASSIGN_OR_RETURN(std::string id, LiveRunId(project, ref));
  std::string dir = JoinPath(project.live_dir(), id);
  std::string path = JoinPath(dir, record::live::kStartFile);
  if (!IsLiveFolder(dir)) return NotFound(ref + " is not running");
  Fd file;
  TRAIL_RETURN_IF_ERROR(OpenLiveFile(path, &file));
  if (file.fd < 0) return NotFound(ref + " is not running");
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(file.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("cannot read", path);
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > (size_t{16} << 20)) return Corrupt(path + " is over 16 MiB");
  }
  TRAIL_ASSIGN_OR_RETURN(Json start, ParseYaml(text, path));
  if (!start.is_object()) return Corrupt(path + " is not a mapping");
  return start;
}

StatusOr<LiveSeries> ReadLiveSeries(Project& project, const std::string& ref, LiveFileCursors* cursors) {
  TRAIL_ASSIGN_OR_RETURN(std::string id, LiveRunId(project, ref));
  std::string dir = JoinPath(project.live_dir(), id);
  LiveSeries out;
  if (!IsLiveFolder(dir)) {
    out.running = false;
    return out;
  }
  double now = project.env().NowUnixSeconds();
  metrics::MetricSet own, files, output, system;
  TRAIL_RETURN_IF_ERROR(ReadNewLines(JoinPath(dir, record::live::kMetricsFile),
                                     JoinPath(dir, record::live::kMetricsMarksFile), now, &cursors->metrics, own));
  TRAIL_RETURN_IF_ERROR(ReadNewLines(JoinPath(dir, record::live::kFileMetricsFile), "", now, &cursors->files, files));
  TRAIL_RETURN_IF_ERROR(
      ReadNewLines(JoinPath(dir, record::live::kOutputMetricsFile), "", now, &cursors->output, output));
  TRAIL_RETURN_IF_ERROR(
      ReadNewLines(JoinPath(dir, record::live::kSystemMetricsFile), "", now, &cursors->system, system));
  TakePoints(own, {}, out.metrics);
  TakePoints(files, {&cursors->metrics.counts}, out.metrics);
  TakePoints(output, {&cursors->metrics.counts, &cursors->files.counts}, out.metrics);
  TakePoints(system, {&cursors->metrics.counts, &cursors->files.counts, &cursors->output.counts}, out.metrics);
  // Gone while we read (the run finished): what was read is still right; the watcher stops here.
  out.running = IsLiveFolder(dir);
  return out;
}

std::vector<std::string> ListLiveRunIds(Project& project) {
  std::vector<std::pair<int64_t, std::string>> live;
  for (auto& name : project.env().ListDir(project.live_dir())) {
    if (!IsRunFolder(name)) continue;
    live.emplace_back(*record::RunNumberOf(name), std::move(name));
  }
  std::sort(live.begin(), live.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> ids;
  ids.reserve(live.size());
  for (auto& [n, id] : live) ids.push_back(std::move(id));
  return ids;
}

}  // namespace trail
