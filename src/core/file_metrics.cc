#include "core/file_metrics.h"

#include "ingest/csv_log_reader.h"
#include "ingest/discovery.h"
#include "ingest/event_file_reader.h"
#include "util/files.h"

namespace trail {
namespace {

// Files modified a little before the run started still count: file systems
// with coarse timestamps, and a writer opened just before the clock read.
constexpr double kMtimeSlackSeconds = 2;

bool IsSplitFolder(const std::string& name) {
  for (const char* s : {"train", "training", "validation", "val", "valid", "test", "eval", "evaluation"}) {
    if (name == s) return true;
  }
  return false;
}

std::string Absolute(const std::string& base, const std::string& p) { return !p.empty() && p[0] == '/' ? p : JoinPath(base, p); }

void ReadEvents(const std::string& path, const std::string& prefix, const std::string& shown, FileMetrics& out,
                std::vector<std::string>* warnings) {
  ingest::EventFileReader reader(path, prefix);
  std::vector<std::string> keys_before = out.tensorboard.Keys();
  auto read = reader.Finish(out.tensorboard, warnings);
  if (!read.ok()) {
    warnings->push_back(read.status().message());
    return;
  }
  for (const auto& key : out.tensorboard.Keys()) {
    if (!out.origin.contains(key)) out.origin[key] = "tensorboard " + shown;
  }
}

}  // namespace

FileMetrics ReadFileMetrics(const MetricsConfig& config, const std::string& run_cwd, double started, double now,
                            std::vector<std::string>* warnings) {
  FileMetrics out;
  for (const auto& file : config.csv_files) {
    std::string path = Absolute(run_cwd, file);
    if (!PathExists(path)) {
      warnings->push_back("metrics.csv: " + file + " was not written by the run");
      continue;
    }
    ingest::CsvLogReader reader(path, "");
    auto read = reader.Finish(now, out.csv, warnings);
    if (!read.ok()) {
      warnings->push_back(read.status().message());
      continue;
    }
    for (const auto& key : out.csv.Keys()) {
      if (!out.origin.contains(key)) out.origin[key] = "csv " + file;
    }
  }

  ingest::DiscoveryLimits limits;
  auto want = [](std::string_view name) { return ingest::IsEventFileName(name); };
  if (!config.tensorboard_dirs.empty()) {
    for (const auto& dir : config.tensorboard_dirs) {
      std::string root = Absolute(run_cwd, dir);
      for (const auto& f : ingest::FindFiles(root, limits, want).files) {
        std::string shown = dir + "/" + (f.relative_dir.empty() ? "" : f.relative_dir + "/") + f.name;
        ReadEvents(f.path, ingest::KeyPrefixFor(f.relative_dir), shown, out, warnings);
      }
    }
  } else if (config.tensorboard_auto) {
    for (const auto& f : ingest::FindFiles(run_cwd, limits, want).files) {
      if (f.mtime < started - kMtimeSlackSeconds) continue;
      std::string folder = f.relative_dir.substr(f.relative_dir.find_last_of('/') + 1);
      std::string prefix = IsSplitFolder(folder) ? folder + "/" : "";
      std::string shown = (f.relative_dir.empty() ? "" : f.relative_dir + "/") + f.name;
      ReadEvents(f.path, prefix, shown, out, warnings);
    }
  }
  return out;
}

}  // namespace trail
