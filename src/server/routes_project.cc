// The project and its runs table: /api/v1/project, /keys, /runs, /runs/count, /query/check.
#include "cursor.h"
#include "http_json.h"
#include "router.h"
#include "trail/runs.h"
#include "trail/series.h"

namespace trail::server {
namespace {

constexpr int64_t kMaxLimit = 1000;
constexpr int64_t kMaxLiveRows = 200;

StatusOr<api::RunQuery> QueryOf(const httplib::Request& req) {
  api::RunQuery q;
  q.where = req.get_param_value("where");
  q.sort = req.get_param_value("sort");
  TRAIL_ASSIGN_OR_RETURN(q.descending, BoolParam(req, "desc", false));
  TRAIL_ASSIGN_OR_RETURN(q.include_archived, BoolParam(req, "archived", false));
  return q;
}

Json KeysJson(const std::vector<api::RunKey>& keys) {
  Json out = Json::array();
  for (const auto& k : keys) out.push_back({{"key", k.key}, {"runs", k.runs}});
  return out;
}

// The runs branch tip the index answers for (ForEachRun and friends sync it first).
StatusOr<std::string> IndexTip(api::Project& project) {
  TRAIL_ASSIGN_OR_RETURN(api::ProjectState state, api::ReadProjectState(project));
  return state.tip;
}

// CountRuns through the cache: the same filter is counted again only after the branch moved.
StatusOr<int64_t> CachedCount(ServerState& state, api::Project& project, const std::string& where, bool archived) {
  TRAIL_ASSIGN_OR_RETURN(std::string tip, IndexTip(project));
  if (auto hit = state.listings.Count(tip, where, archived)) return *hit;
  TRAIL_ASSIGN_OR_RETURN(int64_t total, api::CountRuns(project, where, archived));
  state.listings.PutCount(tip, where, archived, total);
  return total;
}

Status GetProject(ServerState& state, httplib::Response& res, api::Project& project) {
  TRAIL_ASSIGN_OR_RETURN(int64_t runs, CachedCount(state, project, "", false));
  TRAIL_ASSIGN_OR_RETURN(api::ProjectState now, api::ReadProjectState(project));
  Json body = {{"name", project.name()},
               {"root", project.root()},
               {"branch", project.branch()},
               {"trail_version", TRAIL_VERSION},
               {"runs", runs},
               {"live", now.live.size()},
               {"tip", now.tip},
               {"read_only", false}};
  SendJson(res, body);
  return Status::Ok();
}

Status GetKeys(ServerState& state, httplib::Response& res, api::Project& project) {
  TRAIL_ASSIGN_OR_RETURN(std::string tip, IndexTip(project));
  if (auto hit = state.listings.Keys(tip)) {
    SendJson(res, *hit);
    return Status::Ok();
  }
  TRAIL_ASSIGN_OR_RETURN(api::RunKeys keys, api::ListRunKeys(project));
  Json body = {{"params", KeysJson(keys.params)},
               {"metrics", KeysJson(keys.metrics)},
               {"tags", KeysJson(keys.tags)},
               {"derived", KeysJson(keys.derived)},
               {"context", KeysJson(keys.context)},
               {"attributes",
                {"id", "number", "name", "status", "user", "started", "duration", "exit_code", "parent", "host",
                 "branch", "commit"}}};
  state.listings.PutKeys(tip, body);
  SendJson(res, body);
  return Status::Ok();
}

Status GetRuns(ServerState& state, const httplib::Request& req, httplib::Response& res, api::Project& project) {
  TRAIL_ASSIGN_OR_RETURN(api::RunQuery query, QueryOf(req));
  TRAIL_ASSIGN_OR_RETURN(int64_t limit, IntParam(req, "limit", 50, 1, kMaxLimit));
  TRAIL_ASSIGN_OR_RETURN(int64_t offset, IntParam(req, "offset", 0, 0, int64_t{1} << 40));
  TRAIL_ASSIGN_OR_RETURN(bool count, BoolParam(req, "count", false));
  if (req.has_param("cursor") && !req.get_param_value("cursor").empty()) {
    if (req.has_param("offset")) return InvalidArgument("give offset or cursor, not both");
    TRAIL_ASSIGN_OR_RETURN(offset, DecodeCursor(req.get_param_value("cursor"), query));
  }
  query.offset = offset;
  query.limit = limit + 1;  // one more than asked: whether there is a next page
  // The first page says which tip it lists (read before the listing, so it is never newer than
  // the rows): the page compares it with /events' `changed` and refetches only when they differ.
  std::string tip;
  if (offset == 0) {
    TRAIL_ASSIGN_OR_RETURN(tip, IndexTip(project));
  }
  Json rows = Json::array();
  bool more = false;
  TRAIL_RETURN_IF_ERROR(api::ForEachRun(project, query, [&](const api::RunRow& row) {
    if (static_cast<int64_t>(rows.size()) == limit) {
      more = true;
    } else {
      rows.push_back(RowToJson(row));
    }
    return Status::Ok();
  }));
  Json body = {{"runs", std::move(rows)},
               {"offset", offset},
               {"next_cursor", more ? Json(EncodeCursor(query, offset + limit)) : Json()},
               {"total", nullptr}};
  if (count) {
    TRAIL_ASSIGN_OR_RETURN(int64_t total, CachedCount(state, project, query.where, query.include_archived));
    body["total"] = total;
  }
  if (offset == 0) {
    Json live = Json::array();
    for (const auto& row : api::LiveRuns(project, kMaxLiveRows)) live.push_back(RowToJson(row));
    body["live"] = std::move(live);
    body["tip"] = tip;
  }
  SendJson(res, body);
  return Status::Ok();
}

Status GetCount(ServerState& state, const httplib::Request& req, httplib::Response& res, api::Project& project) {
  TRAIL_ASSIGN_OR_RETURN(bool archived, BoolParam(req, "archived", false));
  TRAIL_ASSIGN_OR_RETURN(int64_t total, CachedCount(state, project, req.get_param_value("where"), archived));
  SendJson(res, {{"total", total}});
  return Status::Ok();
}

// Compiled, not run: the query box checks as the user types, and running a filtered, sorted query
// costs a scan of the index.
Status GetQueryCheck(const httplib::Request& req, httplib::Response& res, api::Project&) {
  TRAIL_ASSIGN_OR_RETURN(api::RunQuery query, QueryOf(req));
  TRAIL_RETURN_IF_ERROR(api::CheckRunQuery(query));
  SendJson(res, {{"ok", true}});
  return Status::Ok();
}

}  // namespace

void RegisterProjectRoutes(Router& router) {
  ServerState* state = &router.state();
  router.Get("/api/v1/project", [state](const httplib::Request&, httplib::Response& res, api::Project& project) {
    return GetProject(*state, res, project);
  });
  router.Get("/api/v1/keys", [state](const httplib::Request&, httplib::Response& res, api::Project& project) {
    return GetKeys(*state, res, project);
  });
  router.Get("/api/v1/runs", [state](const httplib::Request& req, httplib::Response& res, api::Project& project) {
    return GetRuns(*state, req, res, project);
  });
  router.Get("/api/v1/runs/count", [state](const httplib::Request& req, httplib::Response& res, api::Project& project) {
    return GetCount(*state, req, res, project);
  });
  router.Get("/api/v1/query/check", GetQueryCheck);
}

}  // namespace trail::server
