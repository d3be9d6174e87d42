// Stored files by content id: /api/v1/runs/{id}/files/{oid} streams the bytes of an artifact,
// data input, data snapshot or stored series, and .../list the files of a stored folder. Only
// oids that the run's record names are served (and the files of its folder artifacts); the name
// of the download comes from the record, never from the request.
#include <memory>

#include "http_json.h"
#include "router.h"
#include "run_refs.h"
#include "trail/browse.h"
#include "trail/runs.h"

namespace trail::server {
namespace {

// The record's entry for `oid`, or the entry of a file inside one of its folder artifacts.
StatusOr<NamedObject> FindNamed(api::Project& project, const api::StoredRun& run, const std::string& oid) {
  std::vector<NamedObject> named = NamedObjects(run.record);
  for (const auto& n : named) {
    if (n.oid == oid) return n;
  }
  for (const auto& n : named) {
    if (!n.folder) continue;
    auto files = api::ListStoredFolder(project, n.oid);
    if (!files.ok()) continue;
    for (const auto& f : *files) {
      if (f.oid == oid) return NamedObject{oid, SanitizeFileName(f.path), false};
    }
  }
  return NotFound(run.ref + " names no stored file " + oid);
}

void GetFile(ServerState* state, const httplib::Request& req, httplib::Response& res) {
  const std::string ref = req.matches[1], oid = req.matches[2];
  auto lease = std::make_shared<StatusOr<ProjectPool::Lease>>(state->pool.Acquire());
  Status s = [&]() -> Status {
    TRAIL_RETURN_IF_ERROR(CheckRunRef(ref));
    TRAIL_RETURN_IF_ERROR(CheckOid(oid));
    if (!lease->ok()) return lease->status();
    api::Project& project = ***lease;
    TRAIL_ASSIGN_OR_RETURN(api::StoredRun run, api::LoadRun(project, ref));
    TRAIL_ASSIGN_OR_RETURN(NamedObject named, FindNamed(project, run, oid));
    TRAIL_ASSIGN_OR_RETURN(api::StoredObject object, api::StatStoredObject(project, oid));
    if (object.folder) return InvalidArgument(oid + " is a folder: list it with " + req.path + "/list");
    res.set_header("Content-Disposition", "attachment; filename=\"" + named.file_name + "\"");
    res.set_header("Cache-Control", "private, max-age=31536000, immutable");  // a content id never changes
    // The project stays checked out while the bytes stream (the lease lives in the provider).
    res.set_content_provider(static_cast<size_t>(object.size), "application/octet-stream",
                             [lease, oid](size_t offset, size_t, httplib::DataSink& sink) {
                               if (offset != 0) return false;  // everything is written by the first call
                               Status read = api::ReadStoredObject(***lease, oid, [&](std::string_view chunk) {
                                 if (!sink.write(chunk.data(), chunk.size())) return IoError("the client went away");
                                 return Status::Ok();
                               });
                               return read.ok();
                             });
    return Status::Ok();
  }();
  if (!s.ok()) SendError(res, s);
}

Status GetFolderList(const httplib::Request& req, httplib::Response& res, api::Project& project) {
  const std::string ref = req.matches[1], oid = req.matches[2];
  TRAIL_RETURN_IF_ERROR(CheckRunRef(ref));
  TRAIL_RETURN_IF_ERROR(CheckOid(oid));
  TRAIL_ASSIGN_OR_RETURN(api::StoredRun run, api::LoadRun(project, ref));
  TRAIL_ASSIGN_OR_RETURN(NamedObject named, FindNamed(project, run, oid));
  TRAIL_ASSIGN_OR_RETURN(std::vector<api::StoredFolderEntry> files, api::ListStoredFolder(project, named.oid));
  Json out = Json::array();
  for (const auto& f : files) out.push_back({{"path", f.path}, {"size", f.size}, {"oid", f.oid}});
  SendJson(res, {{"files", std::move(out)}});
  return Status::Ok();
}

}  // namespace

void RegisterFilesRoutes(Router& router) {
  ServerState* state = &router.state();
  router.Get(R"(/api/v1/runs/([^/]+)/files/([^/]+)/list)", GetFolderList);
  router.GetRaw(R"(/api/v1/runs/([^/]+)/files/([^/]+))",
                [state](const httplib::Request& req, httplib::Response& res) { GetFile(state, req, res); });
}

}  // namespace trail::server
