// A run's code: the files of its snapshot, one file's text, the snapshot's diff against the
// commit it started from; and the diff between two runs' snapshots (/api/v1/compare/code).
#include "http_json.h"
#include "router.h"
#include "run_refs.h"
#include "trail/browse.h"
#include "trail/runs.h"

namespace trail::server {
namespace {

constexpr int64_t kMaxFiles = 20000;
constexpr int64_t kMaxFileBytes = 1 << 20;
constexpr size_t kMaxPatchBytes = 4 << 20;

std::string CodeField(const Json& record, const char* key) {
  if (!record.contains("code") || !record["code"].is_object()) return "";
  const Json& code = record["code"];
  return code.contains(key) && code[key].is_string() ? code[key].get<std::string>() : "";
}

StatusOr<api::StoredRun> RunWithSnapshot(api::Project& project, const std::string& ref) {
  TRAIL_RETURN_IF_ERROR(CheckRunRef(ref));
  TRAIL_ASSIGN_OR_RETURN(api::StoredRun run, api::LoadRun(project, ref));
  if (CodeField(run.record, "snapshot").empty()) return NotFound(ref + " has no code snapshot");
  return run;
}

// A path inside the snapshot: relative, '/'-separated, no empty, "." or ".." part. Checked here
// and again by ReadCodeFile, which never touches the file system.
Status CheckCodePath(const std::string& path) {
  if (path.empty() || path.size() > 4096) return InvalidArgument("path must name a file of the snapshot");
  if (path.front() == '/') return InvalidArgument("path must be relative to the snapshot's root");
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(pos, end - pos);
    if (part.empty() || part == "." || part == "..") return InvalidArgument("path must not hold '..', '.' or '//'");
    pos = end + 1;
  }
  if (path.find('\0') != std::string::npos || path.find('\\') != std::string::npos) {
    return InvalidArgument("path must not hold NUL or '\\'");
  }
  return Status::Ok();
}

Json Patch(std::string patch) {
  if (patch.size() <= kMaxPatchBytes) return patch;
  patch.resize(kMaxPatchBytes);
  return patch + "\n[patch cut at 4 MiB]\n";
}

Status GetFiles(const httplib::Request& req, httplib::Response& res, api::Project& project) {
  TRAIL_ASSIGN_OR_RETURN(api::StoredRun run, RunWithSnapshot(project, req.matches[1]));
  const std::string snapshot = CodeField(run.record, "snapshot"), base = CodeField(run.record, "commit");
  bool truncated = false;
  TRAIL_ASSIGN_OR_RETURN(std::vector<api::CodeEntry> entries,
                         api::ListCodeFiles(project, snapshot, kMaxFiles, &truncated));
  Json files = Json::array();
  for (const auto& e : entries) {
    files.push_back({{"path", e.path}, {"type", e.type}, {"size", e.size}, {"executable", e.executable}});
  }
  SendJson(res, {{"commit", snapshot},
                 {"base", base.empty() ? Json() : Json(base)},
                 {"truncated", truncated},
                 {"files", std::move(files)}});
  return Status::Ok();
}

Status GetFile(const httplib::Request& req, httplib::Response& res, api::Project& project) {
  const std::string path = req.get_param_value("path");
  TRAIL_RETURN_IF_ERROR(CheckCodePath(path));
  TRAIL_ASSIGN_OR_RETURN(api::StoredRun run, RunWithSnapshot(project, req.matches[1]));
  bool truncated = false;
  TRAIL_ASSIGN_OR_RETURN(
      std::string text, api::ReadCodeFile(project, CodeField(run.record, "snapshot"), path, kMaxFileBytes, &truncated));
  if (truncated) res.set_header("X-Trail-Truncated", "1");
  res.set_content(text, kTextType);  // always text: a snapshot's HTML is never rendered as a page
  return Status::Ok();
}

Status GetDiff(const httplib::Request& req, httplib::Response& res, api::Project& project) {
  TRAIL_ASSIGN_OR_RETURN(api::StoredRun run, RunWithSnapshot(project, req.matches[1]));
  const std::string snapshot = CodeField(run.record, "snapshot"), base = CodeField(run.record, "commit");
  Json body = {{"base", base.empty() ? Json() : Json(base)}, {"snapshot", snapshot}, {"stat", ""}, {"patch", ""}};
  if (!base.empty()) {
    TRAIL_ASSIGN_OR_RETURN(std::string stat, api::CodeDiffStat(project, base, snapshot));
    TRAIL_ASSIGN_OR_RETURN(std::string patch, api::CodePatch(project, base, snapshot));
    body["stat"] = stat;
    body["patch"] = Patch(std::move(patch));
  }
  SendJson(res, body);
  return Status::Ok();
}

Status GetCompareCode(const httplib::Request& req, httplib::Response& res, api::Project& project) {
  if (!req.has_param("a") || !req.has_param("b")) return InvalidArgument("give two runs: ?a=ID&b=ID");
  TRAIL_ASSIGN_OR_RETURN(api::StoredRun a, RunWithSnapshot(project, req.get_param_value("a")));
  TRAIL_ASSIGN_OR_RETURN(api::StoredRun b, RunWithSnapshot(project, req.get_param_value("b")));
  const std::string sa = CodeField(a.record, "snapshot"), sb = CodeField(b.record, "snapshot");
  TRAIL_ASSIGN_OR_RETURN(std::string stat, api::CodeDiffStat(project, sa, sb));
  TRAIL_ASSIGN_OR_RETURN(std::string patch, api::CodePatch(project, sa, sb));
  SendJson(res, {{"a", a.record.value("id", a.ref)},
                 {"b", b.record.value("id", b.ref)},
                 {"stat", stat},
                 {"patch", Patch(std::move(patch))}});
  return Status::Ok();
}

}  // namespace

void RegisterCodeRoutes(Router& router) {
  router.Get(R"(/api/v1/runs/([^/]+)/code/files)", GetFiles);
  router.Get(R"(/api/v1/runs/([^/]+)/code/file)", GetFile);
  router.Get(R"(/api/v1/runs/([^/]+)/code/diff)", GetDiff);
  router.Get(R"(/api/v1/compare/code)", GetCompareCode);
}

}  // namespace trail::server
