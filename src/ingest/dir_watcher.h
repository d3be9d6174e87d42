// DirWatcher: the metrics other tools write to files under a directory, while a run is live.
//
// It finds TensorBoard event files and Keras CSVLogger files under a root (discovery.h), keeps a
// reader for each (event_file_reader.h, csv_log_reader.h), and on every Poll picks up new files
// and reads what every file gained. Points are named by where the file lies (see
// docs/formats/tensorboard-ingest.md):
//
//   <root>/events.out.tfevents.X             tag "loss"        -> "loss"
//   <root>/train/events.out.tfevents.X       tag "epoch_loss"  -> "train/epoch_loss"
//   <root>/validation/events.out.tfevents.Y  tag "epoch_loss"  -> "validation/epoch_loss"
//   <root>/logs/history.csv                  column "val_loss" -> "logs/val_loss"
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "ingest/csv_log_reader.h"
#include "ingest/discovery.h"
#include "ingest/event_file_reader.h"
#include "metrics/metric_set.h"

namespace trail::ingest {

struct WatchOptions {
  // Files last modified before this (unix seconds) are ignored when found, so a run reads only
  // what it wrote, not the logs of earlier runs in the same folder. 0 takes every file.
  double modified_since = 0;
  bool tensorboard = true;  // files whose name contains "tfevents"
  // *.csv and *.log files whose first line starts "epoch" and a separator (',' ';' '\t'): the
  // header Keras' CSVLogger writes.
  bool keras_csv = true;
  DiscoveryLimits limits;
  size_t max_files = 256;  // files followed at once; more are reported and ignored
};

// Not thread-safe. Pass the same MetricSet to every call.
class DirWatcher {
 public:
  explicit DirWatcher(std::string root, WatchOptions options = {});
  DirWatcher(const DirWatcher&) = delete;
  DirWatcher& operator=(const DirWatcher&) = delete;
  ~DirWatcher();

  // Looks for new files, then reads what each followed file gained since the last call. `now`
  // stamps CSV rows, which carry no time. Returns the points added. Never fails: a file the OS
  // will not read, or that turns out corrupt, becomes a warning and is no longer read; a missing
  // root finds nothing (yet). Meant to be called about once a second.
  int64_t Poll(double now, metrics::MetricSet& set, std::vector<std::string>* warnings);

  // A last Poll once the writers have exited: also takes a CSV row without its newline, and
  // warns about an event file that ends inside a record.
  int64_t Finish(double now, metrics::MetricSet& set, std::vector<std::string>* warnings);

  // Paths of the files followed, in the order they were found.
  std::vector<std::string> Files() const;

 private:
  struct Followed;
  void Discover(std::vector<std::string>* warnings);
  int64_t ReadAll(double now, bool finish, metrics::MetricSet& set, std::vector<std::string>* warnings);

  std::string root_;
  WatchOptions options_;
  std::vector<std::unique_ptr<Followed>> followed_;
  std::unordered_set<std::string> decided_;  // paths followed or rejected for good
  bool warned_truncated_ = false;
  bool warned_max_files_ = false;
};

}  // namespace trail::ingest
