// Metrics the program wrote to other tools' files: TensorBoard event files and Keras CSVLogger
// files (src/ingest/), followed while the run is live and read once more when it is finalized.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/yaml.h"
#include "ingest/csv_log_reader.h"
#include "ingest/event_file_reader.h"
#include "metrics/metric_set.h"
#include "project/metrics_config.h"

namespace trail {

struct FileMetrics {
  metrics::MetricSet csv;          // Keras CSVLogger files
  metrics::MetricSet tensorboard;  // event files
  metrics::MetricSet dvc;          // DVC's metrics files and dvclive's series (dvc_files.h)
  Json origin = Json::object();    // metric name -> "csv <file>" / "tensorboard <file>" / "dvc <file>" / ...
};

// Follows every file that belongs to a run started at `started` (unix seconds) in the folder
// `run_cwd` (docs/formats/tensorboard-ingest.md):
//  - metrics.csv files (relative to run_cwd); by default (csv: auto) every *.csv / *.log file
//    below run_cwd written since the run started whose header is CSVLogger's ("epoch,...");
//  - metrics.tensorboard folders: every event file below each, named "<subfolder>/<tag>"
//    relative to the folder given; by default (tensorboard: auto) the event files below run_cwd
//    written since the run started, named "<tag>", or "<split>/<tag>" when the file's folder is
//    a split folder as Keras writes them (train/, validation/, ...), so names do not depend on
//    timestamped log paths.
// Sources whose names would collide (two runs' folders, two CSV logs) are told apart by a prefix
// (file_metric_names.h). Fail-soft: problems become warnings naming the file. Not thread-safe.
class FileMetricsReader {
 public:
  FileMetricsReader(const MetricsConfig& config, std::string run_cwd, double started);
  ~FileMetricsReader();
  FileMetricsReader(const FileMetricsReader&) = delete;
  FileMetricsReader& operator=(const FileMetricsReader&) = delete;

  // False when the config reads no files at all.
  bool enabled() const;

  // Looks for new files and reads what every file gained since the last call. CSV rows carry no
  // time: they are stamped `now`. Meant to be called about once a second while the run is live.
  void Poll(double now, std::vector<std::string>* warnings);
  // Once the program has exited: Poll, and also takes a CSV row without its newline, warns about
  // a listed CSV file the run never wrote and an event file that ends inside a record, and reads
  // DVC's metrics files and dvclive's series the run wrote (dvc_files.h; only then: DVC writes
  // its metrics files whole at the end, and dvclive's series are for the record).
  void Finish(double now, std::vector<std::string>* warnings);

  // Every point read so far, under its final name.
  FileMetrics Named() const;
  // The points read since the last call, as metrics protocol lines under the names they have
  // now (a later source that collides with an earlier one renames both from then on).
  void AppendNewPoints(std::string* protocol_lines);

 private:
  struct Source;
  struct Followed;
  void Discover(std::vector<std::string>* warnings);
  void Follow(const std::string& path, const std::string& shown, bool csv, const std::string& source_id,
              const std::string& key_prefix, std::vector<std::string>* warnings);
  size_t SourceFor(const std::string& id, bool csv);
  void ReadAll(double now, bool finish, std::vector<std::string>* warnings);
  std::vector<std::string> Prefixes() const;

  const MetricsConfig config_;
  const std::string run_cwd_;
  const double started_;
  std::vector<std::unique_ptr<Source>> sources_;
  std::vector<std::unique_ptr<Followed>> followed_;
  std::unordered_set<std::string> decided_;  // paths followed or rejected for good
  bool warned_max_files_ = false;
  metrics::MetricSet dvc_;  // read by Finish
  Json dvc_origin_ = Json::object();
};

// Reads every file of the run at once (FileMetricsReader, then Finish): what finalizing uses,
// so that the normal path and crash recovery are the same code.
FileMetrics ReadFileMetrics(const MetricsConfig& config, const std::string& run_cwd, double started, double now,
                            std::vector<std::string>* warnings);

}  // namespace trail
