#include "sweep/sweep_store.h"

#include <algorithm>

#include "base/numbers.h"
#include "base/safe_path.h"

namespace trail::sweep {
namespace {

// The number in "<project>-sweep-<n>", or 0.
int64_t NumberOf(const std::string& id) {
  size_t at = id.rfind("-sweep-");
  if (at == std::string::npos) return 0;
  auto n = ParseInt(id.substr(at + 7));
  return n && *n > 0 ? *n : 0;
}

std::string Emit(const Json& record) { return EmitYaml(record); }

}  // namespace

std::string SweepPath(const std::string& id) { return std::string(kSweepsDir) + "/" + id + "/" + kSweepFile; }

StatusOr<Json> CreateSweep(Project& project, Json record) {
  TRAIL_ASSIGN_OR_RETURN(FileLock lock, project.LockWriters());
  int64_t last = 0;
  TRAIL_ASSIGN_OR_RETURN(auto tip, project.repo().ResolveRef(project.runs_ref()));
  if (tip) {
    auto entries = project.repo().ListDir(*tip, kSweepsDir);
    if (entries.ok()) {
      for (const auto& e : *entries) last = std::max(last, NumberOf(e.name));
    }
  }
  int64_t number = last + 1;
  std::string id = project.name() + "-sweep-" + std::to_string(number);
  Json out = Json::object();
  out["trail"] = 1;
  out["id"] = id;
  out["number"] = number;
  for (auto it = record.begin(); it != record.end(); ++it) {
    if (it.key() != "id" && it.key() != "number" && it.key() != "trail") out[it.key()] = it.value();
  }
  TRAIL_RETURN_IF_ERROR(project.Commit({{SweepPath(id), Emit(out)}}, "trail: sweep " + id).status());
  return out;
}

StatusOr<Json> LoadSweep(Project& project, const std::string& id_or_number) {
  std::string id = id_or_number;
  if (auto n = ParseInt(id_or_number); n && *n > 0) id = project.name() + "-sweep-" + std::to_string(*n);
  if (!CheckPathName(id, "sweep id").ok()) return NotFound("no sweep " + id_or_number);
  TRAIL_ASSIGN_OR_RETURN(auto tip, project.repo().ResolveRef(project.runs_ref()));
  if (!tip) return NotFound("no sweep " + id_or_number + " (nothing recorded yet)");
  auto text = project.repo().ReadFileAt(*tip, SweepPath(id));
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) return NotFound("no sweep " + id_or_number);
    return text.status();
  }
  TRAIL_ASSIGN_OR_RETURN(Json record, ParseYaml(*text, SweepPath(id)));
  if (!record.is_object()) return Corrupt(SweepPath(id) + ": expected a mapping");
  // The id names the sweep's folders (on the branch, under .trail/) and its trials' parent: a
  // record from another clone that names some other place is refused.
  if (record.value("id", Json()) != Json(id))
    return Corrupt(SweepPath(id) + ": its id " + record.value("id", Json()).dump() + " is not " + id);
  return record;
}

Status SaveSweep(Project& project, const Json& record, const std::string& message) {
  TRAIL_ASSIGN_OR_RETURN(FileLock lock, project.LockWriters());
  std::string id = record.value("id", "");
  if (id.empty()) return Internal("sweep record without id");
  TRAIL_RETURN_IF_ERROR(CheckPathName(id, "sweep id"));
  return project.Commit({{SweepPath(id), Emit(record)}}, message).status();
}

StatusOr<std::vector<Json>> ListSweeps(Project& project) {
  std::vector<Json> out;
  TRAIL_ASSIGN_OR_RETURN(auto tip, project.repo().ResolveRef(project.runs_ref()));
  if (!tip) return out;
  auto entries = project.repo().ListDir(*tip, kSweepsDir);
  if (!entries.ok()) return out;  // no sweeps yet
  std::vector<std::pair<int64_t, std::string>> ids;
  for (const auto& e : *entries) ids.emplace_back(NumberOf(e.name), e.name);
  std::sort(ids.begin(), ids.end());
  for (const auto& [n, id] : ids) {
    auto text = project.repo().ReadFileAt(*tip, SweepPath(id));
    if (!text.ok()) continue;
    auto rec = ParseYaml(*text, SweepPath(id));
    if (rec.ok() && rec->is_object()) out.push_back(*rec);
  }
  return out;
}

}  // namespace trail::sweep
