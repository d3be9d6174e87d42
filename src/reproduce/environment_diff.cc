#include "reproduce/environment_diff.h"

#include <algorithm>
#include <map>

namespace trail::reproduce {
namespace {

// The value at a dotted path as text; "" when absent or not a scalar.
std::string Text(const Json& j, const std::string& path) {
  const Json* at = &j;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!at->is_object() || !at->contains(key)) return "";
    at = &(*at)[key];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (at->is_string()) return at->get<std::string>();
  if (at->is_number_integer()) return std::to_string(at->get<int64_t>());
  if (at->is_number() || at->is_boolean()) return at->dump();
  return "";
}

// GPU models, sorted, joined: "NVIDIA H100 80GB HBM3 x2"-like text for one model per line.
std::string GpuModels(const Json& env) {
  if (!env.is_object() || !env.contains("processors") || !env["processors"].is_object()) return "";
  const Json& p = env["processors"];
  if (!p.contains("gpus") || !p["gpus"].is_array()) return "";
  std::map<std::string, int> models;
  for (const Json& g : p["gpus"]) {
    if (g.is_object() && g.contains("model") && g["model"].is_string()) ++models[g["model"].get<std::string>()];
  }
  std::string out;
  for (const auto& [model, n] : models) {
    if (!out.empty()) out += ", ";
    out += model + (n > 1 ? " x" + std::to_string(n) : "");
  }
  return out;
}

void VersionsFrom(const Json& env, const char* key, std::map<std::string, std::string>& into) {
  if (!env.is_object() || !env.contains(key) || !env[key].is_object()) return;
  for (auto it = env[key].begin(); it != env[key].end(); ++it) {
    if (it.value().is_string() && !into.count(it.key())) into[it.key()] = it.value().get<std::string>();
  }
}

std::string Or(const std::string& s, const char* absent) { return s.empty() ? absent : s; }

}  // namespace

std::vector<EnvironmentDifference> CompareEnvironments(const Json& recorded, const Json& now) {
  std::vector<EnvironmentDifference> out;
  auto compare = [&](const std::string& item, const std::string& a, const std::string& b) {
    if (a != b) out.push_back({item, Or(a, "none"), Or(b, "none")});
  };
  for (const char* key : {"os", "distribution", "arch", "cpu.model"}) compare(key, Text(recorded, key), Text(now, key));
  compare("gpus", GpuModels(recorded), GpuModels(now));
  std::string count_a = Text(recorded, "processors.gpu_count"), count_b = Text(now, "processors.gpu_count");
  if (Or(count_a, "0") != Or(count_b, "0")) out.push_back({"gpu_count", Or(count_a, "0"), Or(count_b, "0")});
  // The interpreter only matters for a Python run: compare it when the run recorded one.
  if (recorded.is_object() && recorded.contains("python")) {
    compare("python.interpreter", Text(recorded, "python.interpreter"), Text(now, "python.interpreter"));
    compare("python.version", Text(recorded, "python.version"), Text(now, "python.version"));
  }
  std::map<std::string, std::string> installed;
  VersionsFrom(now, "packages", installed);
  VersionsFrom(now, "frameworks", installed);
  VersionsFrom(now, "frameworks_installed", installed);
  for (const auto& [name, version] : PinnedPackages(recorded)) {
    auto it = installed.find(name);
    std::string current = it == installed.end() ? "not installed" : it->second;
    if (current != version) out.push_back({"package " + name, version, current});
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> PinnedPackages(const Json& environment) {
  std::map<std::string, std::string> pinned;
  VersionsFrom(environment, "packages", pinned);
  VersionsFrom(environment, "frameworks", pinned);
  return {pinned.begin(), pinned.end()};
}

std::string RequirementsText(const Json& record) {
  Json env = record.is_object() && record.contains("environment") ? record["environment"] : Json::object();
  std::string python = Text(env, "python.version");
  std::string os = Text(env, "distribution");
  if (os.empty()) os = Text(env, "os");
  std::string out = "# Packages run " + Text(record, "id") + " imported, as recorded by trail (trail env " +
                    Text(record, "id") + " --format requirements).\n";
  out += "# Python " + Or(python, "unknown") + " on " + Or(os, "an unknown OS") + ", " + Or(Text(env, "arch"), "?") +
         ".\n";
  for (const auto& [name, version] : PinnedPackages(env)) out += name + "==" + version + "\n";
  return out;
}

}  // namespace trail::reproduce
