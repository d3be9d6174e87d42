#include "recording/import_run.h"

#include <sys/stat.h>

#include <memory>

#include "base/random_id.h"
#include "base/safe_path.h"
#include "project/metrics_config.h"
#include "record/record.h"
#include "recording/finalize.h"
#include "recording/model_summary.h"
#include "recording/run_numbers.h"
#include "recording/session.h"
#include "store/file_store.h"
#include "store/oid.h"
#include "store/presets.h"

namespace trail {
namespace {

// Stores `a` and returns its artifact entry, as the artifacts of a recorded run get theirs.
StatusOr<Json> StoreImportedArtifact(store::LocalStore& store, const ImportedArtifact& a,
                                     std::vector<std::string>* warnings) {
  TRAIL_RETURN_IF_ERROR(CheckRelativePath(a.path, "artifact path", /*outside_repo_dirs=*/true));
  // Checked again here, just before it is read: the file may have been replaced by a link.
  struct stat st {};
  if (::lstat(a.file.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return FailedPrecondition(a.file + ": not a regular file (a symbolic link, or gone); not imported");
  TRAIL_ASSIGN_OR_RETURN(store::FileManifest m,
                         store::StoreFile(store, a.file, store::ChunkingFor(a.path), /*flush=*/false));
  Json e = Json::object();
  e["path"] = a.path;
  e["role"] = GuessArtifactRole(a.path);
  e["size"] = m.size;
  e["oid"] = store::OidString(m.id);
  SummarizeModelArtifact(a.file, e, warnings);
  return e;
}

}  // namespace

StatusOr<ImportedIds> CommitImportedRuns(Project& project, std::vector<ImportedRun>& runs, const std::string& message,
                                         std::vector<std::string>* warnings) {
  ImportedIds out;
  if (runs.empty()) return out;
  const MetricsConfig config = ParseMetricsConfig(project.config()).value_or(MetricsConfig{});
  // Content first, outside the writer lock (it can take long); the store stays open, its
  // shared lock held, until the records that name what went into it are committed.
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<store::LocalStore> store,
                         store::LocalStore::OpenForWriting(project.store_dir()));
  std::vector<FinishedRun> finished(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) {
    FinishedRun& f = finished[i];
    f.record = runs[i].record;
    Json metrics_json = SummarizeMetrics(runs[i].metrics, config, Json::object(), f);
    if (!metrics_json.empty()) f.record["metrics"] = metrics_json;
    Json artifacts = Json::array();
    for (const ImportedArtifact& a : runs[i].artifacts) {
      TRAIL_ASSIGN_OR_RETURN(Json e, StoreImportedArtifact(*store, a, warnings));
      artifacts.push_back(std::move(e));
    }
    if (!artifacts.empty()) f.record["artifacts"] = artifacts;
    AddModelFunctions(f.record);
    StoreBigSeries(project, f, store, warnings);
  }
  TRAIL_RETURN_IF_ERROR(store->Flush());

  TRAIL_ASSIGN_OR_RETURN(FileLock lock, project.LockWriters());
  // Numbers are handed out under the writer lock only, so the runs get consecutive ones.
  TRAIL_ASSIGN_OR_RETURN(const int64_t first, TakeRunNumberLocked(project));
  const int64_t count = static_cast<int64_t>(runs.size());
  if (count > 1) {
    TRAIL_ASSIGN_OR_RETURN(const int64_t last, TakeRunNumberLocked(project, first + count - 2));
    if (last != first + count - 1) return Internal("run numbers for the import are not consecutive");
  }
  for (int64_t i = 0; i < count; ++i) out.ids[runs[i].key] = record::MakeRunId(project.name(), first + i);
  std::vector<git::FileWrite> writes;
  for (int64_t i = 0; i < count; ++i) {
    const int64_t number = first + i;
    const std::string& id = out.ids[runs[i].key];
    Json rec = Json::object();
    rec["trail"] = record::kFormatVersion;
    rec["id"] = id;
    rec["number"] = number;
    rec["uid"] = RandomUid();
    for (auto it = finished[i].record.begin(); it != finished[i].record.end(); ++it) rec[it.key()] = it.value();
    if (auto p = out.ids.find(runs[i].parent_key); !runs[i].parent_key.empty() && p != out.ids.end())
      rec["parent"] = p->second;
    rec = record::Canonical(rec);
    const std::string dir = record::RunDir(id, number);
    writes.push_back({record::RecordPath(id, number), record::Serialize(rec)});
    for (auto& [file, content] : finished[i].series_files) writes.push_back({dir + "/" + file, std::move(content)});
  }
  TRAIL_ASSIGN_OR_RETURN(out.commit, project.Commit(writes, message));
  return out;
}

}  // namespace trail
