#include "project/stored_series.h"

#include "base/safe_path.h"
#include "store/file_store.h"
#include "store/local_store.h"
#include "store/oid.h"

namespace trail {
namespace {

constexpr std::string_view kBlobPrefix = "blob:";

}  // namespace

StatusOr<SeriesContent> LocateSeries(Project& project, const StoredRun& run, const Json& ref) {
  if (ref.is_string()) {
    // A companion beside run.yaml: the name comes from the record, so it must stay in the run's folder.
    const std::string name = ref.get<std::string>();
    TRAIL_RETURN_IF_ERROR(CheckRelativePath(name, "run " + run.dir + ": metric series file"));
    std::string path = run.dir + "/" + name;
    size_t slash = path.find_last_of('/');
    std::string dir = path.substr(0, slash), base = path.substr(slash + 1);
    auto entries = project.repo().ListDir(run.tip, dir);
    if (!entries.ok()) {
      if (entries.status().code() == Code::kNotFound) return NotFound("run " + run.dir + ": no series file " + name);
      return entries.status();
    }
    for (const auto& e : *entries) {
      if (e.name == base && !e.is_tree) return SeriesContent{std::string(kBlobPrefix) + e.oid};
    }
    return NotFound("run " + run.dir + ": no series file " + name);
  }
  if (!ref.is_object() || !ref.contains("oid") || !ref["oid"].is_string())
    return Corrupt("run " + run.dir + ": a metric series reference is neither a file nor an oid");
  const std::string oid = ref["oid"].get<std::string>();
  auto digest = store::ParseOid(oid);
  if (!digest) return Corrupt("run " + run.dir + ": bad series oid " + oid);
  return SeriesContent{store::OidString(*digest)};  // one spelling per content (a bare hex id is allowed)
}

StatusOr<std::string> ReadSeriesContent(Project& project, const SeriesContent& content) {
  if (content.id.rfind(kBlobPrefix, 0) == 0) return project.repo().ReadBlob(content.id.substr(kBlobPrefix.size()));
  auto oid = store::ParseOid(content.id);
  if (!oid) return InvalidArgument("not a series content id: " + content.id);
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<store::LocalStore> st, store::LocalStore::Open(project.store_dir()));
  return store::ReadFileBytes(*st, *oid);
}

}  // namespace trail
