#include "recording/dvc_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <set>
#include <string_view>

#include "base/errors.h"
#include "base/files.h"
#include "base/numbers.h"
#include "base/paths.h"
#include "base/safe_path.h"
#include "base/text.h"
#include "ingest/discovery.h"

namespace trail {
namespace {

// Metric documents are small; deeper nesting is refused rather than walked.
constexpr int kMaxMetricsDepth = 16;
constexpr std::string_view kDvcliveSeriesDir = "plots/metrics";

struct BoundedFile {
  std::string text;
  double mtime = 0;
};

// `rel` below `root`, read only when it is a regular file of at most `max_bytes` reached through
// no symbolic link. NotFound when it does not exist.
StatusOr<BoundedFile> ReadBelow(const std::string& root, const std::string& rel, int64_t max_bytes) {
  TRAIL_RETURN_IF_ERROR(CheckRelativePath(rel, "dvc file"));
  TRAIL_RETURN_IF_ERROR(CheckNoLinkBelow(root, ParentOf(rel)));
  const std::string path = JoinPath(root, rel);
  ScopedFd fd;
  fd.fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd.fd < 0) {
    if (errno == ENOENT) return NotFound(rel + ": not found");
    if (errno == ELOOP) return FailedPrecondition(rel + ": a symbolic link; not followed");
    return ErrnoError("cannot read", rel);
  }
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) return ErrnoError("cannot read", rel);
  if (!S_ISREG(st.st_mode)) return FailedPrecondition(rel + ": not a regular file");
  if (st.st_size > max_bytes)
    return FailedPrecondition(rel + ": " + std::to_string(st.st_size) + " bytes, more than the " +
                              std::to_string(max_bytes) + " read");
  BoundedFile out;
  out.mtime = static_cast<double>(st.st_mtim.tv_sec) + static_cast<double>(st.st_mtim.tv_nsec) / 1e9;
  // Read at most max_bytes whatever the size said: the file may grow while it is read.
  out.text.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < out.text.size()) {
    ssize_t n = ::read(fd.fd, out.text.data() + got, out.text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("cannot read", rel);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out.text.resize(got);
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A `metrics:` list's paths: each item a path, or a one-key mapping {path: {cache: false}}.
void AddListedPaths(const Json& list, std::vector<std::string>* out) {
  if (!list.is_array()) return;
  for (const Json& item : list) {
    if (item.is_string()) {
      out->push_back(item.get<std::string>());
    } else if (item.is_object()) {
      for (auto it = item.begin(); it != item.end(); ++it) out->push_back(it.key());
    }
  }
}

// Reads a dvclive series file: a header naming `timestamp`, `step` and the value column, then
// tab-separated rows. A malformed line ends the file with a warning.
void ReadDvcliveSeries(const std::string& run_cwd, const std::string& rel, const std::string& name,
                       metrics::MetricSet* set, std::vector<std::string>* warnings) {
  auto file = ReadBelow(run_cwd, rel, kMaxDvcliveSeriesBytes);
  if (!file.ok()) {
    if (warnings) warnings->push_back("dvclive: " + file.status().message());
    return;
  }
  std::string_view text = file->text;
  int step_col = -1, time_col = -1, value_col = -1;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) break;  // a last line without its newline is being written
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_no;
    std::vector<std::string_view> cells;
    for (size_t start = 0;;) {
      size_t tab = line.find('\t', start);
      cells.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    if (line_no == 1) {
      for (size_t c = 0; c < cells.size(); ++c) {
        if (cells[c] == "step")
          step_col = static_cast<int>(c);
        else if (cells[c] == "timestamp")
          time_col = static_cast<int>(c);
        else if (value_col < 0)
          value_col = static_cast<int>(c);
      }
      if (value_col < 0) {
        if (warnings) warnings->push_back("dvclive: " + rel + ": no value column in its header");
        return;
      }
      continue;
    }
    if (line.empty()) continue;
    auto cell = [&](int c) { return c >= 0 && static_cast<size_t>(c) < cells.size() ? cells[c] : std::string_view(); };
    std::optional<double> value = ParseDouble(cell(value_col));
    std::optional<int64_t> step = step_col >= 0 ? ParseInt(cell(step_col)) : std::optional<int64_t>(line_no - 2);
    std::optional<double> ms = time_col >= 0 ? ParseDouble(cell(time_col)) : std::optional<double>(file->mtime * 1000);
    if (!value || !step || !ms || !std::isfinite(*ms)) {
      if (warnings)
        warnings->push_back("dvclive: " + rel + ": line " + std::to_string(line_no) +
                            ": malformed; the rest is not read");
      return;
    }
    set->Add(name, *step, *ms / 1000.0, *value);
  }
}

// Numbers of a metrics document as points of one step, for names the set does not hold yet.
void AddDocument(const std::string& rel, const BoundedFile& file, bool dvclive, metrics::MetricSet* set, Json* origin,
                 std::vector<std::string>* warnings) {
  auto doc = ParseYaml(file.text, rel, kMaxMetricsDepth);  // YAML is a superset of JSON
  if (!doc.ok()) {
    if (warnings) warnings->push_back("dvc: " + doc.status().message());
    return;
  }
  int64_t step = 0;
  std::vector<std::pair<std::string, double>> values;
  if (dvclive && doc->is_object()) {
    // dvclive's metrics.json holds the step its values were logged at beside them.
    Json d = *doc;
    if (d.contains("step") && d["step"].is_number_integer()) step = d["step"].get<int64_t>();
    d.erase("step");
    FlattenMetricNumbers(d, "", &values);
  } else {
    FlattenMetricNumbers(*doc, "", &values);
  }
  const std::vector<std::string> keys = set->Keys();
  const std::set<std::string> known(keys.begin(), keys.end());
  for (const auto& [name, value] : values) {
    if (known.count(name)) continue;  // dvclive's series of it is whole; this is its last value
    set->Add(name, step, file.mtime, value);
    (*origin)[name] = std::string(dvclive ? "dvclive " : "dvc ") + rel;
  }
}

}  // namespace

void FlattenMetricNumbers(const Json& doc, const std::string& prefix,
                          std::vector<std::pair<std::string, double>>* out) {
  if (doc.is_object()) {
    for (auto it = doc.begin(); it != doc.end(); ++it)
      FlattenMetricNumbers(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
  } else if (doc.is_number() && !prefix.empty()) {
    out->emplace_back(prefix, doc.get<double>());
  }
}

std::vector<std::string> DvcMetricsFiles(const std::string& run_cwd, std::vector<std::string>* warnings) {
  std::vector<std::string> listed;
  auto file = ReadBelow(run_cwd, "dvc.yaml", kMaxDvcFileBytes);
  if (!file.ok()) {
    if (file.status().code() != Code::kNotFound && warnings) warnings->push_back("dvc: " + file.status().message());
    return listed;
  }
  auto doc = ParseYaml(file->text, "dvc.yaml", kMaxMetricsDepth);
  if (!doc.ok()) {
    if (warnings) warnings->push_back("dvc: " + doc.status().message());
    return listed;
  }
  if (!doc->is_object()) return listed;
  if (doc->contains("metrics")) AddListedPaths((*doc)["metrics"], &listed);
  if (doc->contains("stages") && (*doc)["stages"].is_object()) {
    for (const Json& stage : (*doc)["stages"]) {
      if (!stage.is_object()) continue;
      if (stage.contains("metrics")) AddListedPaths(stage["metrics"], &listed);
      // foreach / matrix stages keep theirs under `do:`.
      if (stage.contains("do") && stage["do"].is_object() && stage["do"].contains("metrics"))
        AddListedPaths(stage["do"]["metrics"], &listed);
    }
  }
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const std::string& p : listed) {
    if (p.find("${") != std::string::npos) continue;  // a template DVC fills in per stage
    if (!seen.insert(p).second) continue;
    std::string why = UnsafePathReason(p, /*outside_repo_dirs=*/true);
    if (!why.empty()) {
      if (warnings) warnings->push_back("dvc.yaml: metrics file " + EscapeForMessage(p) + " " + why + "; not read");
      continue;
    }
    out.push_back(p);
  }
  return out;
}

void ReadDvcMetrics(const std::string& run_cwd, double since, metrics::MetricSet* set, Json* origin,
                    std::vector<std::string>* warnings) {
  const double cutoff = since - kMtimeSlackSeconds;
  const std::vector<std::string> listed = DvcMetricsFiles(run_cwd, warnings);
  // dvclive's folders: the default one, and that of every metrics.json dvc.yaml lists beside a
  // plots/metrics folder.
  std::vector<std::string> dvclive_dirs = {"dvclive"};
  for (const std::string& p : listed) {
    if (BaseName(p) != "metrics.json" || ParentOf(p).empty()) continue;
    const std::string dir = ParentOf(p);
    if (dir != "dvclive" && IsDirectory(JoinPath(JoinPath(run_cwd, dir), std::string(kDvcliveSeriesDir))))
      dvclive_dirs.push_back(dir);
  }
  std::set<std::string> dvclive_json;
  size_t series_files = 0;
  for (const std::string& dir : dvclive_dirs) {
    const std::string series_rel = dir + "/" + std::string(kDvcliveSeriesDir);
    if (!CheckNoLinkBelow(run_cwd, series_rel).ok()) continue;  // never through a link
    ingest::DiscoveryLimits limits;
    auto found = ingest::FindFiles(JoinPath(run_cwd, series_rel), limits,
                                   [](std::string_view name) { return EndsWith(name, ".tsv"); });
    for (const auto& f : found.files) {
      if (f.mtime < cutoff) continue;
      if (++series_files > kMaxDvcliveSeriesFiles) {
        if (warnings)
          warnings->push_back("dvclive: more than " + std::to_string(kMaxDvcliveSeriesFiles) +
                              " series files; the others are not read");
        break;
      }
      const std::string below = f.relative_dir.empty() ? f.name : f.relative_dir + "/" + f.name;
      std::string name = below.substr(0, below.size() - 4);  // without .tsv
      for (char& c : name) {
        if (c == '/') c = '.';
      }
      const std::string rel = series_rel + "/" + below;
      const size_t keys_before = set->NumKeys();
      ReadDvcliveSeries(run_cwd, rel, name, set, warnings);
      if (set->NumKeys() > keys_before) (*origin)[name] = "dvclive " + rel;
    }
    dvclive_json.insert(dir + "/metrics.json");
  }
  // dvclive's metrics.json (whether or not dvc.yaml lists it), then the other listed files.
  std::vector<std::string> files(dvclive_json.begin(), dvclive_json.end());
  for (const std::string& p : listed) {
    if (!dvclive_json.count(p)) files.push_back(p);
  }
  for (const std::string& rel : files) {
    if (EndsWith(rel, ".toml")) {
      if (warnings) warnings->push_back("dvc: " + rel + ": TOML metrics files are not read");
      continue;
    }
    auto file = ReadBelow(run_cwd, rel, kMaxDvcFileBytes);
    if (!file.ok()) {
      if (file.status().code() != Code::kNotFound && warnings) warnings->push_back("dvc: " + file.status().message());
      continue;
    }
    if (file->mtime < cutoff) continue;  // not written by this run
    AddDocument(rel, *file, dvclive_json.count(rel) != 0, set, origin, warnings);
  }
}

}  // namespace trail
