#include "recording/live_folder.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "record/live_files.h"
#include "record/record.h"
#include "base/clock.h"
#include "base/yaml.h"

namespace trail {
namespace {

// exit.json is under 100 bytes; trailing blanks are valid JSON whitespace.
constexpr size_t kExitReserveBytes = 256;

}  // namespace

bool IsRunFolder(const std::string& name) { return !name.empty() && name[0] != '.' && record::RunNumberOf(name); }

StatusOr<LiveRun> CreateLiveFolder(const std::string& live_dir, const std::string& id, int64_t number) {
  LiveRun run;
  run.number = number;
  run.id = id;
  run.dir = JoinPath(live_dir, run.id);
  std::string staging = JoinPath(live_dir, record::live::kCreatingPrefix + run.id + "-" + std::to_string(::getpid()));
  TRAIL_RETURN_IF_ERROR(MakeDirs(staging));
  TRAIL_ASSIGN_OR_RETURN(run.lock, FileLock::Acquire(JoinPath(staging, record::live::kLockFile)));
  if (::rename(staging.c_str(), run.dir.c_str()) != 0) {
    Status s = IoError("cannot create " + run.dir + ": " + std::strerror(errno));
    (void)RemoveAll(staging);
    return s;
  }
  return run;
}

Status RemoveLiveFolder(const std::string& dir) {
  std::string slash_parent = dir.substr(0, dir.find_last_of('/'));
  std::string doomed = JoinPath(slash_parent, record::live::kRemovingPrefix +
                                                  dir.substr(dir.find_last_of('/') + 1) + "-" +
                                                  std::to_string(::getpid()));
  if (::rename(dir.c_str(), doomed.c_str()) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return IoError("cannot remove " + dir + ": " + std::strerror(errno));
  }
  return RemoveAll(doomed);
}

Status ReserveExitRecord(const LiveRun& run) {
  return WriteFileAtomic(run.path(record::live::kExitReserveFile), std::string(kExitReserveBytes, ' '),
                         /*sync=*/false);
}

Status WriteExitRecord(const LiveRun& run, const ExitInfo& exit) {
  std::string text = Json{{"exit_code", exit.exit_code}, {"signal", exit.signal}, {"ended", exit.ended}}.dump();
  // Not synced: it only matters if trail dies in the next few milliseconds,
  // and then the worst case is a run recorded as crashed instead of finished.
  Status written = WriteFileAtomic(run.path(record::live::kExitFile), text, /*sync=*/false);
  if (written.ok() || text.size() > kExitReserveBytes) return written;
  // Most likely a full disk: use the space reserved at the start.
  const std::string reserve = run.path(record::live::kExitReserveFile);
  int fd = ::open(reserve.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return written;
  Status in_place = WriteAll(fd, text, reserve);
  if (in_place.ok() && ::fdatasync(fd) != 0) in_place = IoError("cannot sync " + reserve + ": " + std::strerror(errno));
  ::close(fd);
  if (!in_place.ok()) return written;
  if (::rename(reserve.c_str(), run.path(record::live::kExitFile).c_str()) != 0) return written;
  return Status::Ok();
}

std::optional<ExitInfo> ReadExitRecord(const LiveRun& run) {
  auto e = ReadFile(run.path(record::live::kExitFile));
  if (!e.ok()) return std::nullopt;
  auto j = Json::parse(*e, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  return ExitInfo{j.value("exit_code", 0), j.value("signal", 0), j.value("ended", NowUnixSeconds())};
}

}  // namespace trail
