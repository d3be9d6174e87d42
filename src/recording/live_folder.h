// The live folder of a run, `.trail/live/<id>/` (its files are named in record/live_files.h;
// format: docs/formats/live-runs.md): the handle every step of recording passes around, the
// exit record, and the folder's atomic creation and removal. Knows nothing of run numbers,
// the record or the runs branch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/env.h"
#include "base/files.h"
#include "trail/status.h"

namespace trail {

struct ExitInfo {
  int exit_code = 0;
  int signal = 0;  // non-zero: killed by this signal
  double ended = 0;
};

struct LiveRun {
  std::string id;
  int64_t number = 0;
  std::string dir;  // absolute path of .trail/live/<id>
  FileLock lock;    // held for the whole run
  // The project's Env (Project::env()): what the run's own files are written through.
  Env* env = Env::Default();

  std::string path(const char* file) const { return JoinPath(dir, file); }
};

// True for the folder name of a run; live folders being created or removed have a leading dot
// and are not runs.
bool IsRunFolder(const std::string& name);

// Creates `<live_dir>/<id>` holding its lock. The folder is built under a hidden name with its
// lock held, then renamed into place: nobody ever sees a live folder whose lock is free. The
// caller holds the writer lock (RecoverAbandonedRuns removes hidden folders under it).
StatusOr<LiveRun> CreateLiveFolder(Env& env, const std::string& live_dir, const std::string& id, int64_t number);

// Removes a finished run's live folder. It is first renamed out of the way, atomically, so a
// concurrent reader sees either the whole run or nothing. A folder already gone is Ok.
Status RemoveLiveFolder(Env& env, const std::string& dir);

// exit.json is how a run's real exit status survives its trail process (see
// RecoverAbandonedRuns). Space for it is reserved before the child starts
// (`exit.reserve`, a few hundred blank bytes), so that a program that filled
// the disk still has its exit status recorded: WriteExitRecord writes
// exit.json normally and, when that fails, into the reserved file in place
// (overwriting allocates nothing) before renaming it to exit.json.
// Opens a file of the live folder for appending (creating it) through the run's Env, and makes
// its name durable (the folder synced): what a later Sync makes durable must still be found
// after a power cut, and a synced file whose new name was not is lost with it.
StatusOr<std::unique_ptr<WritableFile>> OpenLiveFile(const LiveRun& run, const char* file);

Status ReserveExitRecord(const LiveRun& run);
Status WriteExitRecord(const LiveRun& run, const ExitInfo& exit);
// The exit record, if the run has one that parses (`ended` defaults to now).
std::optional<ExitInfo> ReadExitRecord(const LiveRun& run);

}  // namespace trail
