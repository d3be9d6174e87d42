// Sweeps: /api/v1/sweeps (summaries) and /api/v1/sweeps/{id} (the record, its trials in order
// with the best value so far, and the objective).
#include <cmath>

#include "http_json.h"
#include "router.h"
#include "run_refs.h"
#include "trail/sweep.h"

namespace trail::server {
namespace {

int64_t TrialNumber(const std::string& id) {
  size_t dash = id.find_last_of('-');
  const std::string digits = dash == std::string::npos ? id : id.substr(dash + 1);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 15) return 0;
  return std::stoll(digits);
}

// The sweep record without its trials list (which can be long), with how many there are.
Json Summary(const Json& sweep) {
  Json out = sweep;
  if (out.is_object() && out.contains("trials")) {
    out["trial_count"] = out["trials"].is_array() ? out["trials"].size() : 0;
    out.erase("trials");
  }
  return out;
}

Status GetSweeps(const httplib::Request&, httplib::Response& res, api::Project& project) {
  TRAIL_ASSIGN_OR_RETURN(std::vector<Json> sweeps, api::ListSweeps(project));
  Json out = Json::array();
  for (const Json& s : sweeps) out.push_back(Summary(s));
  SendJson(res, {{"sweeps", std::move(out)}});
  return Status::Ok();
}

Status GetSweep(const httplib::Request& req, httplib::Response& res, api::Project& project) {
  const std::string id = req.matches[1];
  TRAIL_RETURN_IF_ERROR(CheckRunRef(id));
  TRAIL_ASSIGN_OR_RETURN(Json sweep, api::LoadSweep(project, id));
  Json objective = sweep.contains("objective") ? sweep["objective"] : Json::object();
  const std::string goal_text = objective.is_object() ? objective.value("goal", "minimize") : "minimize";
  const bool maximize = goal_text == "maximize" || goal_text == "max";
  Json objective_out = {{"metric", objective.is_object() ? objective.value("metric", "") : ""},
                        {"goal", maximize ? "max" : "min"}};
  Json trials = Json::array();
  std::optional<double> best;
  if (sweep.contains("trials") && sweep["trials"].is_array()) {
    for (const Json& t : sweep["trials"]) {
      if (!t.is_object()) continue;
      const std::string tid = t.value("id", "");
      Json value = t.contains("value") ? t["value"] : Json();
      if (value.is_number()) {
        double v = value.get<double>();
        if (std::isfinite(v) && (!best || (maximize ? v > *best : v < *best))) best = v;
      }
      trials.push_back({{"id", tid},
                        {"number", TrialNumber(tid)},
                        {"status", t.value("status", "")},
                        {"value", value},
                        {"params", t.contains("params") ? t["params"] : Json::object()},
                        {"pruned", t.contains("pruned") ? t["pruned"] : Json()},
                        {"best_so_far", best ? Json(*best) : Json()}});
    }
  }
  SendJson(res, {{"sweep", std::move(sweep)}, {"trials", std::move(trials)}, {"objective", std::move(objective_out)}});
  return Status::Ok();
}

}  // namespace

void RegisterSweepRoutes(Router& router) {
  router.Get("/api/v1/sweeps", GetSweeps);
  router.Get(R"(/api/v1/sweeps/([^/]+))", GetSweep);
}

}  // namespace trail::server
