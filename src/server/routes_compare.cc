// /api/v1/compare?ids=a,b,c: 2 to 50 runs' records and their flattened fields side by side.
#include "compare_fields.h"
#include "http_json.h"
#include "router.h"
#include "run_refs.h"
#include "trail/runs.h"

namespace trail::server {
namespace {

constexpr size_t kMaxRuns = 50;

Status GetCompare(const httplib::Request& req, httplib::Response& res, api::Project& project) {
  std::vector<std::string> ids;
  const std::string text = req.get_param_value("ids");
  size_t pos = 0;
  while (pos <= text.size() && !text.empty()) {
    size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) ids.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  if (ids.size() < 2 || ids.size() > kMaxRuns) return InvalidArgument("ids must name 2 to 50 runs, comma-separated");
  Json runs = Json::array();
  std::vector<Json> records;
  for (const auto& id : ids) {
    TRAIL_RETURN_IF_ERROR(CheckRunRef(id));
    TRAIL_ASSIGN_OR_RETURN(api::StoredRun run, api::LoadRun(project, id));
    runs.push_back({{"id", run.record.value("id", id)}, {"record", run.record}});
    records.push_back(std::move(run.record));
  }
  CompareTable table = BuildCompareTable(records);
  SendJson(res,
           {{"runs", std::move(runs)}, {"fields", std::move(table.fields)}, {"differing", std::move(table.differing)}});
  return Status::Ok();
}

}  // namespace

void RegisterCompareRoutes(Router& router) { router.Get("/api/v1/compare", GetCompare); }

}  // namespace trail::server
