#include "compare_fields.h"

#include <map>

namespace trail::server {
namespace {

void Leaves(const std::string& prefix, const Json& value, std::vector<std::pair<std::string, Json>>* out) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [k, v] : value.items()) Leaves(prefix + "." + k, v, out);
  } else if (value.is_array() || value.is_object()) {
    out->emplace_back(prefix, Json(value.dump(-1, ' ', false, Json::error_handler_t::replace)));
  } else {
    out->emplace_back(prefix, value);
  }
}

// A list of maps keyed by one of their fields (data by role, artifacts by path).
void KeyedList(const std::string& prefix, const Json& list, const char* key,
               std::vector<std::pair<std::string, Json>>* out) {
  if (!list.is_array()) return Leaves(prefix, list, out);
  for (const Json& item : list) {
    if (!item.is_object() || !item.contains(key) || !item[key].is_string()) continue;
    Json rest = item;
    rest.erase(key);
    Leaves(prefix + "." + item[key].get<std::string>(), rest, out);
  }
}

}  // namespace

std::vector<std::pair<std::string, Json>> FlattenForCompare(const Json& record) {
  std::vector<std::pair<std::string, Json>> out;
  if (!record.is_object()) return out;
  for (const char* key : {"status", "exit_code", "duration_s", "started", "user", "host", "command", "seed"}) {
    if (record.contains(key)) Leaves(key, record[key], &out);
  }
  for (const char* key : {"params", "hyperparameters", "tags", "code", "context", "environment"}) {
    if (record.contains(key)) Leaves(key, record[key], &out);
  }
  if (record.contains("metrics") && record["metrics"].is_object()) {
    const Json& metrics = record["metrics"];
    if (metrics.contains("summary")) Leaves("metrics", metrics["summary"], &out);
    if (metrics.contains("derived")) Leaves("derived", metrics["derived"], &out);
  }
  if (record.contains("data")) KeyedList("data", record["data"], "role", &out);
  if (record.contains("artifacts")) KeyedList("artifacts", record["artifacts"], "path", &out);
  return out;
}

CompareTable BuildCompareTable(const std::vector<Json>& records) {
  CompareTable table;
  std::vector<std::map<std::string, Json>> per_run;
  for (const Json& record : records) {
    std::map<std::string, Json> leaves;
    for (auto& [key, value] : FlattenForCompare(record)) {
      if (!table.fields.contains(key)) table.fields[key] = Json::array();
      leaves.emplace(key, std::move(value));
    }
    per_run.push_back(std::move(leaves));
  }
  for (auto& [key, column] : table.fields.items()) {
    bool differs = false;
    for (size_t i = 0; i < per_run.size(); ++i) {
      auto it = per_run[i].find(key);
      column.push_back(it == per_run[i].end() ? Json() : it->second);
      if (i > 0 && column[i] != column[0]) differs = true;
    }
    if (differs) table.differing.push_back(key);
  }
  return table;
}

}  // namespace trail::server
