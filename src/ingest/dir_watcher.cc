#include "ingest/dir_watcher.h"

#include <optional>

namespace trail::ingest {

struct DirWatcher::Followed {
  std::unique_ptr<EventFileReader> events;
  std::unique_ptr<CsvLogReader> csv;
  bool failed = false;  // the OS refused to read it; reported once
};

DirWatcher::DirWatcher(std::string root, WatchOptions options) : root_(std::move(root)), options_(options) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

DirWatcher::~DirWatcher() = default;

void DirWatcher::Discover(std::vector<std::string>* warnings) {
  auto want = [&](std::string_view name) {
    return (options_.tensorboard && IsEventFileName(name)) || (options_.keras_csv && IsCsvLogCandidateName(name));
  };
  Discovery found = FindFiles(root_, options_.limits, want);
  if (found.truncated && !warned_truncated_ && warnings != nullptr) {
    warned_truncated_ = true;
    warnings->push_back(root_ + ": stopped looking for metric files after " +
                        std::to_string(options_.limits.max_entries) + " directory entries; deeper files are not read");
  }
  for (const FoundFile& file : found.files) {
    if (decided_.count(file.path) != 0) continue;
    // An old file is not decided for good: if the run appends to it, its mtime moves on.
    if (file.mtime < options_.modified_since) continue;
    if (followed_.size() >= options_.max_files) {
      if (!warned_max_files_ && warnings != nullptr) {
        warned_max_files_ = true;
        warnings->push_back(root_ + ": more than " + std::to_string(options_.max_files) +
                            " metric files; the others are not read");
      }
      return;
    }
    auto followed = std::make_unique<Followed>();
    if (options_.tensorboard && IsEventFileName(file.name)) {
      followed->events = std::make_unique<EventFileReader>(file.path, KeyPrefixFor(file.relative_dir));
    } else {
      std::optional<bool> csv = LooksLikeCsvLog(file.path);
      if (!csv.has_value()) continue;  // too short to tell yet
      if (!*csv) {
        decided_.insert(file.path);
        continue;
      }
      followed->csv = std::make_unique<CsvLogReader>(file.path, KeyPrefixFor(file.relative_dir));
    }
    decided_.insert(file.path);
    followed_.push_back(std::move(followed));
  }
}

int64_t DirWatcher::ReadAll(double now, bool finish, metrics::MetricSet& set, std::vector<std::string>* warnings) {
  int64_t added = 0;
  for (auto& f : followed_) {
    if (f->failed) continue;
    StatusOr<int64_t> n = int64_t{0};
    if (f->events) {
      n = finish ? f->events->Finish(set, warnings) : f->events->Poll(set, warnings);
    } else {
      n = finish ? f->csv->Finish(now, set, warnings) : f->csv->Poll(now, set, warnings);
    }
    if (n.ok()) {
      added += *n;
    } else {
      f->failed = true;
      if (warnings != nullptr) warnings->push_back(n.status().message() + "; stopped reading this file");
    }
  }
  return added;
}

int64_t DirWatcher::Poll(double now, metrics::MetricSet& set, std::vector<std::string>* warnings) {
  Discover(warnings);
  return ReadAll(now, /*finish=*/false, set, warnings);
}

int64_t DirWatcher::Finish(double now, metrics::MetricSet& set, std::vector<std::string>* warnings) {
  Discover(warnings);
  return ReadAll(now, /*finish=*/true, set, warnings);
}

std::vector<std::string> DirWatcher::Files() const {
  std::vector<std::string> paths;
  for (const auto& f : followed_) paths.push_back(f->events ? f->events->path() : f->csv->path());
  return paths;
}

}  // namespace trail::ingest
