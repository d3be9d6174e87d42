#include "recording/file_metrics.h"

#include "base/files.h"
#include "base/paths.h"
#include "ingest/discovery.h"
#include "metrics/protocol_line.h"
#include "recording/dvc_files.h"
#include "recording/file_metric_names.h"

namespace trail {
namespace {

constexpr size_t kMaxFiles = 256;  // files followed at once; more are reported and ignored

bool IsSplitFolder(std::string_view name) {
  for (const char* s : {"train", "training", "validation", "val", "valid", "test", "eval", "evaluation"}) {
    if (name == s) return true;
  }
  return false;
}

std::string Absolute(const std::string& base, const std::string& p) {
  return !p.empty() && p[0] == '/' ? p : JoinPath(base, p);
}

// A CSV log's source id: its path without the extension ("logs/adam" for logs/adam.csv).
std::string WithoutExtension(const std::string& path) {
  size_t dot = path.find_last_of('.');
  size_t slash = path.find_last_of('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash) || dot == slash + 1) return path;
  return path.substr(0, dot);
}

}  // namespace

// One run's worth of files: a TensorBoard run folder or one CSV log, read into its own set so
// that its names can be decided once every source is known.
struct FileMetricsReader::Source {
  std::string id;
  bool csv = false;
  metrics::MetricSet set;
  Json origin = Json::object();  // key in `set` -> "csv <file>" / "tensorboard <file>"
  std::vector<int64_t> emitted;  // per key id of `set`: points handed to AppendNewPoints
};

struct FileMetricsReader::Followed {
  size_t source = 0;
  std::string shown;  // the file as the origin names it
  std::unique_ptr<ingest::EventFileReader> events;
  std::unique_ptr<ingest::CsvLogReader> csv;
  bool failed = false;  // the OS refused to read it; reported once
};

FileMetricsReader::FileMetricsReader(const MetricsConfig& config, std::string run_cwd, double started)
    : config_(config), run_cwd_(std::move(run_cwd)), started_(started) {}

FileMetricsReader::~FileMetricsReader() = default;

bool FileMetricsReader::enabled() const {
  return config_.csv_auto || !config_.csv_files.empty() || config_.tensorboard_auto ||
         !config_.tensorboard_dirs.empty();
}

size_t FileMetricsReader::SourceFor(const std::string& id, bool csv) {
  for (size_t i = 0; i < sources_.size(); ++i) {
    if (sources_[i]->id == id && sources_[i]->csv == csv) return i;
  }
  auto source = std::make_unique<Source>();
  source->id = id;
  source->csv = csv;
  sources_.push_back(std::move(source));
  return sources_.size() - 1;
}

void FileMetricsReader::Follow(const std::string& path, const std::string& shown, bool csv,
                               const std::string& source_id, const std::string& key_prefix,
                               std::vector<std::string>* warnings) {
  if (decided_.count(path) != 0) return;
  if (followed_.size() >= kMaxFiles) {
    if (!warned_max_files_ && warnings != nullptr) {
      warned_max_files_ = true;
      warnings->push_back(run_cwd_ + ": more than " + std::to_string(kMaxFiles) +
                          " metric files; the others are not read");
    }
    return;
  }
  decided_.insert(path);
  auto followed = std::make_unique<Followed>();
  followed->source = SourceFor(source_id, csv);
  followed->shown = shown;
  if (csv) {
    followed->csv = std::make_unique<ingest::CsvLogReader>(path, key_prefix);
  } else {
    followed->events = std::make_unique<ingest::EventFileReader>(path, key_prefix);
  }
  followed_.push_back(std::move(followed));
}

void FileMetricsReader::Discover(std::vector<std::string>* warnings) {
  ingest::DiscoveryLimits limits;
  for (const std::string& file : config_.csv_files) {
    Follow(Absolute(run_cwd_, file), file, /*csv=*/true, WithoutExtension(file), "", warnings);
  }
  for (const std::string& dir : config_.tensorboard_dirs) {
    auto want = [](std::string_view name) { return ingest::IsEventFileName(name); };
    for (const auto& f : ingest::FindFiles(Absolute(run_cwd_, dir), limits, want).files) {
      std::string shown = dir + "/" + JoinPath(f.relative_dir, f.name);
      Follow(f.path, shown, /*csv=*/false, dir, ingest::KeyPrefixFor(f.relative_dir), warnings);
    }
  }
  if (!config_.csv_auto && !config_.tensorboard_auto) return;
  auto want = [this](std::string_view name) {
    return (config_.tensorboard_auto && ingest::IsEventFileName(name)) ||
           (config_.csv_auto && ingest::IsCsvLogCandidateName(name));
  };
  for (const auto& f : ingest::FindFiles(run_cwd_, limits, want).files) {
    // An old file is not decided for good: if the run appends to it, its mtime moves on.
    if (decided_.count(f.path) != 0 || f.mtime < started_ - kMtimeSlackSeconds) continue;
    const std::string shown = JoinPath(f.relative_dir, f.name);
    if (config_.tensorboard_auto && ingest::IsEventFileName(f.name)) {
      // The run folder is the file's folder, or its parent when that is a split folder.
      std::string folder = BaseName(f.relative_dir);
      bool split = IsSplitFolder(folder);
      std::string run_folder = split ? ParentOf(f.relative_dir) : f.relative_dir;
      Follow(f.path, shown, /*csv=*/false, run_folder, split ? folder + "/" : "", warnings);
      continue;
    }
    std::optional<bool> csv_log = ingest::LooksLikeCsvLog(f.path);
    if (!csv_log) continue;  // too short to tell yet
    if (!*csv_log) {
      decided_.insert(f.path);
      continue;
    }
    Follow(f.path, shown, /*csv=*/true, WithoutExtension(shown), "", warnings);
  }
}

void FileMetricsReader::ReadAll(double now, bool finish, std::vector<std::string>* warnings) {
  for (auto& f : followed_) {
    if (f->failed) continue;
    Source& source = *sources_[f->source];
    const size_t keys_before = source.set.NumKeys();
    StatusOr<int64_t> n = int64_t{0};
    if (f->events) {
      n = finish ? f->events->Finish(source.set, warnings) : f->events->Poll(source.set, warnings);
    } else {
      n = finish ? f->csv->Finish(now, source.set, warnings) : f->csv->Poll(now, source.set, warnings);
    }
    if (!n.ok()) {
      f->failed = true;
      if (warnings != nullptr) warnings->push_back(n.status().message() + "; stopped reading this file");
    }
    for (size_t id = keys_before; id < source.set.NumKeys(); ++id) {
      source.origin[std::string(source.set.KeyById(id))] = (f->csv ? "csv " : "tensorboard ") + f->shown;
    }
  }
}

void FileMetricsReader::Poll(double now, std::vector<std::string>* warnings) {
  Discover(warnings);
  ReadAll(now, /*finish=*/false, warnings);
}

void FileMetricsReader::Finish(double now, std::vector<std::string>* warnings) {
  for (const std::string& file : config_.csv_files) {
    if (!PathExists(Absolute(run_cwd_, file)) && warnings != nullptr) {
      warnings->push_back("metrics.csv: " + file + " was not written by the run");
    }
  }
  Discover(warnings);
  ReadAll(now, /*finish=*/true, warnings);
  if (config_.dvc) ReadDvcMetrics(run_cwd_, started_, &dvc_, &dvc_origin_, warnings);
}

std::vector<std::string> FileMetricsReader::Prefixes() const {
  // CSV logs and event files are named apart: a CSV column and a tag may share a name.
  std::vector<std::string> prefixes(sources_.size());
  for (bool csv : {true, false}) {
    std::vector<NamedSource> named;
    std::vector<size_t> index;
    for (size_t i = 0; i < sources_.size(); ++i) {
      if (sources_[i]->csv != csv) continue;
      named.push_back({sources_[i]->id, sources_[i]->set.Keys()});
      index.push_back(i);
    }
    std::vector<std::string> p = DistinguishingPrefixes(named);
    for (size_t j = 0; j < index.size(); ++j) prefixes[index[j]] = std::move(p[j]);
  }
  return prefixes;
}

FileMetrics FileMetricsReader::Named() const {
  FileMetrics out;
  const std::vector<std::string> prefixes = Prefixes();
  for (size_t i = 0; i < sources_.size(); ++i) {
    const Source& source = *sources_[i];
    metrics::MetricSet& into = source.csv ? out.csv : out.tensorboard;
    for (const std::string& key : source.set.Keys()) {
      const std::string name = prefixes[i] + key;
      for (const metrics::Point& p : *source.set.Series(key)) into.Add(name, p.step, p.time, p.value);
      if (!out.origin.contains(name)) out.origin[name] = source.origin.value(key, "file");
    }
  }
  for (const std::string& key : dvc_.Keys()) {
    for (const metrics::Point& p : *dvc_.Series(key)) out.dvc.Add(key, p.step, p.time, p.value);
    if (!out.origin.contains(key)) out.origin[key] = dvc_origin_.value(key, "dvc");
  }
  return out;
}

void FileMetricsReader::AppendNewPoints(std::string* protocol_lines) {
  const std::vector<std::string> prefixes = Prefixes();
  // As in the record, a CSV column wins over an event file tag of the same name.
  std::unordered_set<std::string> csv_names;
  for (size_t i = 0; i < sources_.size(); ++i) {
    if (!sources_[i]->csv) continue;
    for (const std::string& key : sources_[i]->set.Keys()) csv_names.insert(prefixes[i] + key);
  }
  for (size_t i = 0; i < sources_.size(); ++i) {
    Source& source = *sources_[i];
    source.emitted.resize(source.set.NumKeys(), 0);
    for (size_t id = 0; id < source.set.NumKeys(); ++id) {
      const std::vector<metrics::Point>& series = *source.set.Series(source.set.KeyById(id));
      if (static_cast<size_t>(source.emitted[id]) == series.size()) continue;
      const std::string name = prefixes[i] + std::string(source.set.KeyById(id));
      if (!source.csv && csv_names.count(name) != 0) continue;
      const std::string key = Json(name).dump();
      for (size_t n = static_cast<size_t>(source.emitted[id]); n < series.size(); ++n) {
        metrics::AppendProtocolLine(protocol_lines, series[n].step, series[n].time, key, series[n].value);
      }
      source.emitted[id] = static_cast<int64_t>(series.size());
    }
  }
}

FileMetrics ReadFileMetrics(const MetricsConfig& config, const std::string& run_cwd, double started, double now,
                            std::vector<std::string>* warnings) {
  FileMetricsReader reader(config, run_cwd, started);
  reader.Finish(now, warnings);
  return reader.Named();
}

}  // namespace trail
