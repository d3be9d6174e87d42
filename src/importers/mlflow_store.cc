#include "importers/mlflow_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "base/files.h"
#include "base/numbers.h"
#include "base/safe_path.h"
#include "base/text.h"
#include "base/yaml.h"

namespace trail::importers {
namespace {

constexpr const char* kMetaFile = "meta.yaml";
constexpr const char* kTrashDir = ".trash";
constexpr const char* kModelsDir = "models";
// Folders of an experiment that are not runs (newer MLflow versions keep these beside the runs).
const std::set<std::string> kExperimentFolders = {"tags", "traces", "models", "datasets"};

struct Entry {
  std::string name;
  bool dir = false;
};

// Closes a descriptor when it goes out of scope.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// The entries of `dir`, sorted by name; a symbolic link, a special file or a name that is not
// UTF-8 is an error naming it (a store is read without following any link).
StatusOr<std::vector<Entry>> List(const std::string& dir) {
  std::vector<std::string> names = ListDirectory(dir);
  std::sort(names.begin(), names.end());
  std::vector<Entry> out;
  for (const std::string& name : names) {
    const std::string path = JoinPath(dir, name);
    if (!IsValidUtf8(name)) return InvalidArgument(EscapeForMessage(path) + ": the name is not valid UTF-8");
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return IoError(path + ": cannot be read");
    if (S_ISLNK(st.st_mode))
      return InvalidArgument(path + ": a symbolic link (an MLflow store is read without following links)");
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) return InvalidArgument(path + ": not a file or a folder");
    out.push_back({name, S_ISDIR(st.st_mode)});
  }
  return out;
}

// Opens `path` for reading without following a link; it must be a regular file.
StatusOr<uint64_t> OpenRegular(const std::string& path, Fd& fd) {
  fd.fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd.fd < 0) {
    if (errno == ELOOP)
      return InvalidArgument(path + ": a symbolic link (an MLflow store is read without following links)");
    return errno == ENOENT ? NotFound(path + ": no such file") : IoError(path + ": cannot be read");
  }
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0 || !S_ISREG(st.st_mode)) return InvalidArgument(path + ": not a regular file");
  return static_cast<uint64_t>(st.st_size);
}

// The whole of `path`, at most `max` bytes (a bigger file is an error, never read).
StatusOr<std::string> ReadBounded(const std::string& path, size_t max) {
  Fd fd;
  TRAIL_ASSIGN_OR_RETURN(uint64_t size, OpenRegular(path, fd));
  if (size > max)
    return InvalidArgument(path + ": " + std::to_string(size) + " bytes, more than the " + std::to_string(max) +
                           " such a file may hold");
  std::string text(max + 1, '\0');
  size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::read(fd.fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError(path + ": cannot be read");
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got > max) return InvalidArgument(path + ": grew past " + std::to_string(max) + " bytes while read");
  text.resize(got);
  return text;
}

// A value kept in a record: UTF-8 text without NUL.
Status CheckText(const std::string& text, const std::string& path) {
  if (!IsValidUtf8(text)) return InvalidArgument(path + ": not valid UTF-8 text");
  if (text.find('\0') != std::string::npos) return InvalidArgument(path + ": holds a NUL byte");
  return Status::Ok();
}

// Every file under `dir` as (key, path): a key with '/' is a file in subfolders.
Status ListKeys(const std::string& dir, const std::string& prefix, int depth,
                std::vector<std::pair<std::string, std::string>>& out) {
  if (depth > kMaxKeyDepth)
    return InvalidArgument(dir + ": keys nested more than " + std::to_string(kMaxKeyDepth) + " folders deep");
  TRAIL_ASSIGN_OR_RETURN(std::vector<Entry> entries, List(dir));
  for (const Entry& e : entries) {
    const std::string key = prefix.empty() ? e.name : prefix + "/" + e.name;
    const std::string path = JoinPath(dir, e.name);
    if (std::string why = UnsafePathReason(key); !why.empty())
      return InvalidArgument(path + ": unsafe key \"" + EscapeForMessage(key) + "\": " + why);
    if (e.dir) {
      TRAIL_RETURN_IF_ERROR(ListKeys(path, key, depth + 1, out));
    } else {
      out.emplace_back(key, path);
    }
  }
  return Status::Ok();
}

// params/ or tags/ of a run: key -> text.
StatusOr<std::vector<std::pair<std::string, std::string>>> ReadValues(const std::string& dir) {
  std::vector<std::pair<std::string, std::string>> files, out;
  if (!IsDirectory(dir)) return out;
  TRAIL_RETURN_IF_ERROR(ListKeys(dir, "", 0, files));
  for (auto& [key, path] : files) {
    TRAIL_ASSIGN_OR_RETURN(std::string value, ReadBounded(path, kMaxValueBytes));
    TRAIL_RETURN_IF_ERROR(CheckText(value, path));
    out.emplace_back(key, std::move(value));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Streams the metric file `path` into `set` under `key`.
Status ReadMetric(const std::string& path, const std::string& key, metrics::MetricSet& set) {
  Fd fd;
  TRAIL_RETURN_IF_ERROR(OpenRegular(path, fd).status());
  std::string pending;
  char buf[64 * 1024];
  int64_t line_no = 0;
  auto take = [&](std::string_view line) -> Status {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return Status::Ok();
    auto p = ParseMlflowMetricLine(line);
    if (!p)
      return InvalidArgument(path + ": line " + std::to_string(line_no) +
                             ": expected \"timestamp value step\" (timestamp in ms, step an integer)");
    set.Add(key, p->step, static_cast<double>(p->timestamp_ms) / 1000.0, p->value);
    return Status::Ok();
  };
  for (;;) {
    ssize_t n = ::read(fd.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError(path + ": cannot be read");
    if (n == 0) break;
    pending.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      if (nl - start > kMaxMetricLineBytes) break;
      TRAIL_RETURN_IF_ERROR(take(std::string_view(pending).substr(start, nl - start)));
    }
    pending.erase(0, start);
    if (pending.size() > kMaxMetricLineBytes)
      return InvalidArgument(path + ": line " + std::to_string(line_no + 1) + ": longer than " +
                             std::to_string(kMaxMetricLineBytes) + " bytes");
  }
  return take(pending);
}

// Every file below `dir` (at most kMaxArtifactDepth folders deep) as (relative path, path).
Status ListArtifacts(const std::string& dir, const std::string& prefix, int depth,
                     std::vector<std::pair<std::string, std::string>>& out) {
  if (depth > kMaxArtifactDepth)
    return InvalidArgument(dir + ": artifacts nested more than " + std::to_string(kMaxArtifactDepth) + " folders deep");
  TRAIL_ASSIGN_OR_RETURN(std::vector<Entry> entries, List(dir));
  for (const Entry& e : entries) {
    const std::string rel = prefix.empty() ? e.name : prefix + "/" + e.name;
    const std::string path = JoinPath(dir, e.name);
    if (std::string why = UnsafePathReason(rel, /*outside_repo_dirs=*/true); !why.empty())
      return InvalidArgument(path + ": unsafe artifact path \"" + EscapeForMessage(rel) + "\": " + why);
    if (e.dir) {
      TRAIL_RETURN_IF_ERROR(ListArtifacts(path, rel, depth + 1, out));
    } else {
      out.emplace_back(rel, path);
    }
  }
  return Status::Ok();
}

StatusOr<Json> ReadMeta(const std::string& dir) {
  const std::string path = JoinPath(dir, kMetaFile);
  TRAIL_ASSIGN_OR_RETURN(std::string text, ReadBounded(path, kMaxMetaBytes));
  TRAIL_RETURN_IF_ERROR(CheckText(text, path));
  TRAIL_ASSIGN_OR_RETURN(Json meta, ParseYaml(text, path, /*max_depth=*/8));
  if (!meta.is_object()) return InvalidArgument(path + ": not a mapping of fields");
  return meta;
}

// A field MLflow writes as a string (some versions as a number: an experiment id); "" when
// absent or null.
StatusOr<std::string> TextField(const Json& meta, const char* key, const std::string& path) {
  if (!meta.contains(key) || meta[key].is_null()) return std::string();
  const Json& v = meta[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  return InvalidArgument(path + ": " + key + ": expected text");
}

StatusOr<std::optional<int64_t>> IntField(const Json& meta, const char* key, const std::string& path) {
  if (!meta.contains(key) || meta[key].is_null()) return std::optional<int64_t>();
  if (!meta[key].is_number_integer()) return InvalidArgument(path + ": " + key + ": expected an integer");
  return std::optional<int64_t>(meta[key].get<int64_t>());
}

StatusOr<bool> DeletedField(const Json& meta, const std::string& path) {
  TRAIL_ASSIGN_OR_RETURN(std::string stage, TextField(meta, "lifecycle_stage", path));
  if (stage.empty() || stage == "active") return false;
  if (stage == "deleted") return true;
  return InvalidArgument(path + ": lifecycle_stage: expected active or deleted, got " + EscapeForMessage(stage));
}

// The run's meta.yaml, checked against where it lies.
StatusOr<MlflowRun> ReadRunMeta(const std::string& dir, const std::string& folder, const std::string& experiment_id) {
  const std::string path = JoinPath(dir, kMetaFile);
  TRAIL_ASSIGN_OR_RETURN(Json meta, ReadMeta(dir));
  MlflowRun run;
  TRAIL_ASSIGN_OR_RETURN(run.run_id, TextField(meta, "run_id", path));
  if (run.run_id.empty()) {
    TRAIL_ASSIGN_OR_RETURN(run.run_id, TextField(meta, "run_uuid", path));
  }
  if (Status s = CheckPathName(run.run_id, "run_id"); !s.ok()) return InvalidArgument(path + ": " + s.message());
  if (run.run_id != folder)
    return InvalidArgument(path + ": run_id " + EscapeForMessage(run.run_id) + " is not its folder's name");
  TRAIL_ASSIGN_OR_RETURN(run.experiment_id, TextField(meta, "experiment_id", path));
  if (run.experiment_id != experiment_id)
    return InvalidArgument(path + ": experiment_id " + EscapeForMessage(run.experiment_id) +
                           " is not its experiment's (" + experiment_id + ")");
  TRAIL_ASSIGN_OR_RETURN(run.name, TextField(meta, "run_name", path));
  TRAIL_ASSIGN_OR_RETURN(run.user, TextField(meta, "user_id", path));
  TRAIL_ASSIGN_OR_RETURN(std::optional<int64_t> status, IntField(meta, "status", path));
  if (!status || *status < 1 || *status > 5)
    return InvalidArgument(path + ": status: expected 1 to 5 (RUNNING, SCHEDULED, FINISHED, FAILED, KILLED)");
  run.status = static_cast<MlflowStatus>(*status);
  TRAIL_ASSIGN_OR_RETURN(run.start_ms, IntField(meta, "start_time", path));
  TRAIL_ASSIGN_OR_RETURN(run.end_ms, IntField(meta, "end_time", path));
  TRAIL_ASSIGN_OR_RETURN(run.deleted, DeletedField(meta, path));
  return run;
}

// The params, tags, metrics and artifact files of a run already read from its meta.yaml.
Status ReadRunContents(const std::string& dir, MlflowRun& run) {
  // Refuses a link among the run's own entries (params/, metrics/, ...): IsDirectory below
  // would follow one.
  TRAIL_RETURN_IF_ERROR(List(dir).status());
  TRAIL_ASSIGN_OR_RETURN(run.params, ReadValues(JoinPath(dir, "params")));
  TRAIL_ASSIGN_OR_RETURN(run.tags, ReadValues(JoinPath(dir, "tags")));
  const std::string metrics_dir = JoinPath(dir, "metrics");
  if (IsDirectory(metrics_dir)) {
    std::vector<std::pair<std::string, std::string>> files;
    TRAIL_RETURN_IF_ERROR(ListKeys(metrics_dir, "", 0, files));
    std::sort(files.begin(), files.end());
    for (const auto& [key, path] : files) TRAIL_RETURN_IF_ERROR(ReadMetric(path, key, run.metrics));
  }
  const std::string artifacts_dir = JoinPath(dir, "artifacts");
  if (IsDirectory(artifacts_dir)) TRAIL_RETURN_IF_ERROR(ListArtifacts(artifacts_dir, "", 0, run.artifacts));
  return Status::Ok();
}

bool Selected(const MlflowReadOptions& options, const MlflowExperiment& e, std::set<std::string>& matched) {
  if (options.experiments.empty()) return true;
  bool any = false;
  for (const std::string& s : options.experiments) {
    if (s == e.id || s == e.name) {
      matched.insert(s);
      any = true;
    }
  }
  return any;
}

// Reads the experiment in `dir` (its folder name `folder`) into `store` when selected.
Status ReadExperiment(const std::string& dir, const std::string& folder, bool in_trash,
                      const MlflowReadOptions& options, std::set<std::string>& matched, MlflowStore& store) {
  const std::string path = JoinPath(dir, kMetaFile);
  TRAIL_ASSIGN_OR_RETURN(Json meta, ReadMeta(dir));
  MlflowExperiment e;
  TRAIL_ASSIGN_OR_RETURN(e.id, TextField(meta, "experiment_id", path));
  if (e.id != folder)
    return InvalidArgument(path + ": experiment_id " + EscapeForMessage(e.id) + " is not its folder's name");
  TRAIL_ASSIGN_OR_RETURN(e.name, TextField(meta, "name", path));
  if (e.name.empty()) return InvalidArgument(path + ": name: missing");
  TRAIL_ASSIGN_OR_RETURN(e.deleted, DeletedField(meta, path));
  e.deleted = e.deleted || in_trash;
  if (!Selected(options, e, matched)) return Status::Ok();
  if (e.deleted && !options.include_deleted) {
    ++store.skipped_deleted_experiments;
    return Status::Ok();
  }
  TRAIL_ASSIGN_OR_RETURN(std::vector<Entry> entries, List(dir));
  for (const Entry& entry : entries) {
    if (!entry.dir || kExperimentFolders.count(entry.name)) continue;
    const std::string run_dir = JoinPath(dir, entry.name);
    TRAIL_ASSIGN_OR_RETURN(MlflowRun run, ReadRunMeta(run_dir, entry.name, e.id));
    if (run.deleted && !options.include_deleted) {
      ++store.skipped_deleted_runs;
      continue;
    }
    TRAIL_RETURN_IF_ERROR(ReadRunContents(run_dir, run));
    e.runs.push_back(std::move(run));
  }
  std::stable_sort(e.runs.begin(), e.runs.end(), [](const MlflowRun& a, const MlflowRun& b) {
    return std::make_pair(a.start_ms.value_or(0), a.run_id) < std::make_pair(b.start_ms.value_or(0), b.run_id);
  });
  store.experiments.push_back(std::move(e));
  return Status::Ok();
}

}  // namespace

std::optional<MlflowMetricLine> ParseMlflowMetricLine(std::string_view line) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t sp = line.find(' ', start);
    parts.push_back(line.substr(start, sp == std::string_view::npos ? std::string_view::npos : sp - start));
    if (sp == std::string_view::npos || parts.size() > 3) break;
    start = sp + 1;
  }
  if (parts.size() != 2 && parts.size() != 3) return std::nullopt;
  MlflowMetricLine out;
  auto ts = ParseInt(parts[0]);
  auto value = ParseDouble(parts[1]);
  if (!ts || !value) return std::nullopt;
  out.timestamp_ms = *ts;
  out.value = *value;
  if (parts.size() == 3) {
    auto step = ParseInt(parts[2]);
    if (!step) return std::nullopt;
    out.step = *step;
  }
  return out;
}

StatusOr<MlflowStore> ReadMlflowStore(const std::string& root, const MlflowReadOptions& options) {
  if (!IsDirectory(root)) return NotFound(root + ": no such folder (an MLflow file store, mlruns/)");
  MlflowStore store;
  std::set<std::string> matched;
  TRAIL_ASSIGN_OR_RETURN(std::vector<Entry> entries, List(root));
  for (const Entry& e : entries) {
    if (!e.dir) continue;
    if (e.name == kModelsDir) {
      store.has_registered_models = true;
      continue;
    }
    if (e.name == kTrashDir) {
      const std::string trash = JoinPath(root, kTrashDir);
      TRAIL_ASSIGN_OR_RETURN(std::vector<Entry> deleted, List(trash));
      for (const Entry& d : deleted) {
        if (d.dir)
          TRAIL_RETURN_IF_ERROR(ReadExperiment(JoinPath(trash, d.name), d.name, true, options, matched, store));
      }
      continue;
    }
    if (e.name[0] == '.') continue;
    TRAIL_RETURN_IF_ERROR(ReadExperiment(JoinPath(root, e.name), e.name, false, options, matched, store));
  }
  for (const std::string& s : options.experiments) {
    if (!matched.count(s)) return NotFound("no experiment " + EscapeForMessage(s) + " (name or id) in " + root);
  }
  // By id, numerically where they are numbers (MLflow's ids are).
  std::sort(store.experiments.begin(), store.experiments.end(), [](const auto& a, const auto& b) {
    return std::make_pair(a.id.size(), a.id) < std::make_pair(b.id.size(), b.id);
  });
  return store;
}

}  // namespace trail::importers
