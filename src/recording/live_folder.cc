#include "recording/live_folder.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/clock.h"
#include "base/yaml.h"
#include "record/live_files.h"
#include "record/record.h"

namespace trail {
namespace {

// exit.json is under 100 bytes; trailing blanks are valid JSON whitespace.
constexpr size_t kExitReserveBytes = 256;

}  // namespace

bool IsRunFolder(const std::string& name) { return !name.empty() && name[0] != '.' && record::RunNumberOf(name); }

StatusOr<LiveRun> CreateLiveFolder(Env& env, const std::string& live_dir, const std::string& id, int64_t number) {
  LiveRun run;
  run.env = &env;
  run.number = number;
  run.id = id;
  run.dir = JoinPath(live_dir, run.id);
  std::string staging = JoinPath(live_dir, record::live::kCreatingPrefix + run.id + "-" + std::to_string(::getpid()));
  TRAIL_RETURN_IF_ERROR(env.MakeDirs(staging));
  TRAIL_ASSIGN_OR_RETURN(run.lock, env.Lock(JoinPath(staging, record::live::kLockFile), LockMode::kExclusive));
  // The lock file's name durable with the folder: after a power cut a live folder without one
  // would be left forever (recovery finalizes or removes only folders whose lock it can take).
  TRAIL_RETURN_IF_ERROR(env.SyncDir(staging));
  if (Status moved = env.Rename(staging, run.dir); !moved.ok()) {
    Status s = IoError("cannot create " + run.dir + ": " + moved.message());
    (void)env.RemoveAll(staging);
    return s;
  }
  // The folder's name is durable before anything is written in it: the run's values, synced
  // into it later, must not vanish with an unsynced rename in a power cut.
  TRAIL_RETURN_IF_ERROR(env.SyncDir(live_dir));
  return run;
}

Status RemoveLiveFolder(Env& env, const std::string& dir) {
  std::string slash_parent = dir.substr(0, dir.find_last_of('/'));
  std::string doomed = JoinPath(slash_parent, record::live::kRemovingPrefix + dir.substr(dir.find_last_of('/') + 1) +
                                                  "-" + std::to_string(::getpid()));
  if (Status moved = env.Rename(dir, doomed); !moved.ok()) {
    if (moved.code() == Code::kNotFound) return Status::Ok();
    return IoError("cannot remove " + dir + ": " + moved.message());
  }
  return env.RemoveAll(doomed);
}

StatusOr<std::unique_ptr<WritableFile>> OpenLiveFile(const LiveRun& run, const char* file) {
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> opened,
                         run.env->OpenForWrite(run.path(file), OpenMode::kAppend));
  TRAIL_RETURN_IF_ERROR(run.env->SyncDir(run.dir));
  return opened;
}

Status ReserveExitRecord(const LiveRun& run) {
  return WriteFileAtomic(*run.env, run.path(record::live::kExitReserveFile), std::string(kExitReserveBytes, ' '),
                         /*sync=*/false);
}

Status WriteExitRecord(const LiveRun& run, const ExitInfo& exit) {
  std::string text = Json{{"exit_code", exit.exit_code}, {"signal", exit.signal}, {"ended", exit.ended}}.dump();
  // Not synced: it only matters if trail dies in the next few milliseconds,
  // and then the worst case is a run recorded as crashed instead of finished.
  Env& env = *run.env;
  Status written = WriteFileAtomic(env, run.path(record::live::kExitFile), text, /*sync=*/false);
  if (written.ok() || text.size() > kExitReserveBytes) return written;
  // Most likely a full disk: use the space reserved at the start.
  const std::string reserve = run.path(record::live::kExitReserveFile);
  auto file = env.OpenForWrite(reserve, OpenMode::kOverwrite);
  if (!file.ok()) return written;
  Status in_place = (*file)->Append(text);
  if (in_place.ok()) in_place = (*file)->Sync();
  if (in_place.ok()) in_place = (*file)->Close();
  if (!in_place.ok()) return written;
  if (!env.Rename(reserve, run.path(record::live::kExitFile)).ok()) return written;
  return Status::Ok();
}

std::optional<ExitInfo> ReadExitRecord(const LiveRun& run) {
  auto e = run.env->ReadFile(run.path(record::live::kExitFile));
  if (!e.ok()) return std::nullopt;
  auto j = Json::parse(*e, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  return ExitInfo{j.value("exit_code", 0), j.value("signal", 0), j.value("ended", run.env->NowUnixSeconds())};
}

}  // namespace trail
