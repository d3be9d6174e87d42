#include "reproduce/run_comparison.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string_view>

#include "base/numbers.h"

namespace trail::reproduce {
namespace {

constexpr const char* kAbsent = "absent";

const Json& Member(const Json& j, const char* key) {
  static const Json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

std::string ValueText(const Json& v) {
  if (v.is_null()) return kAbsent;
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return FormatDouble(v.get<double>());
  return v.dump();
}

// A number as the YAML codec reads one: a float, an int, or .nan / .inf kept as text by some writers.
bool AsNumber(const Json& v, double* out) {
  if (v.is_number()) {
    *out = v.get<double>();
    return true;
  }
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (s == ".nan" || s == "nan" || s == "NaN")
      *out = std::nan("");
    else if (s == ".inf" || s == "inf")
      *out = INFINITY;
    else if (s == "-.inf" || s == "-inf")
      *out = -INFINITY;
    else
      return false;
    return true;
  }
  return false;
}

void CompareValue(std::vector<ComparedItem>& out, const char* kind, const std::string& name, const Json& a,
                  const Json& b, const Tolerance& tolerance) {
  ComparedItem item{kind, name, Verdict::kIdentical, ValueText(a), ValueText(b), ""};
  double x = 0, y = 0;
  if (a.is_null() || b.is_null()) {
    item.verdict = Verdict::kDifferent;
    item.note = a.is_null() ? "only in the reproduction" : "only in the recorded run";
  } else if (AsNumber(a, &x) && AsNumber(b, &y)) {
    item.verdict = CompareNumbers(x, y, tolerance);
  } else if (a != b) {
    item.verdict = Verdict::kDifferent;
  }
  out.push_back(std::move(item));
}

// name -> entry of a list of objects keyed by `key` (artifacts by path, data by role).
std::map<std::string, Json> ByKey(const Json& list, const char* key) {
  std::map<std::string, Json> out;
  if (!list.is_array()) return out;
  for (const Json& e : list) {
    if (e.is_object() && e.contains(key) && e[key].is_string()) out.emplace(e[key].get<std::string>(), e);
  }
  return out;
}

std::set<std::string> Keys(const Json& a, const Json& b) {
  std::set<std::string> keys;
  for (const Json* j : {&a, &b}) {
    if (!j->is_object()) continue;
    for (auto it = j->begin(); it != j->end(); ++it) keys.insert(it.key());
  }
  return keys;
}

}  // namespace

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kIdentical:
      return "identical";
    case Verdict::kWithinTolerance:
      return "within tolerance";
    case Verdict::kDifferent:
      break;
  }
  return "different";
}

Verdict CompareNumbers(double a, double b, const Tolerance& tolerance) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? Verdict::kIdentical : Verdict::kDifferent;
  if (a == b) return Verdict::kIdentical;
  if (std::isinf(a) || std::isinf(b)) return Verdict::kDifferent;
  double diff = std::fabs(a - b);
  if (diff <= tolerance.absolute || diff <= tolerance.relative * std::max(std::fabs(a), std::fabs(b)))
    return Verdict::kWithinTolerance;
  return Verdict::kDifferent;
}

// The series `trail run` samples for every run (src/sysmon/system_sampler.cc).
constexpr std::string_view kSystemMetricsPrefix = "system/";

std::vector<ComparedItem> CompareRuns(const Json& recorded, const Json& reproduced, const Tolerance& tolerance,
                                      const ArtifactComparer& compare_content) {
  std::vector<ComparedItem> out;
  // A reproduction that did not finish is different, whatever the recorded run's status was.
  {
    const Json& a = Member(recorded, "status");
    const Json& b = Member(reproduced, "status");
    ComparedItem item{"status", "status", Verdict::kIdentical, ValueText(a), ValueText(b), ""};
    if (a != b || ValueText(b) != "finished") item.verdict = Verdict::kDifferent;
    out.push_back(std::move(item));
  }
  const Json& ma = Member(Member(recorded, "metrics"), "summary");
  const Json& mb = Member(Member(reproduced, "metrics"), "summary");
  for (const std::string& name : Keys(ma, mb)) {
    // The system metrics (docs/system-metrics.md) measure the machine while the run ran: a
    // loaded machine, or a run that took a sample more, is not a different result.
    if (name.rfind(kSystemMetricsPrefix, 0) == 0) continue;
    const Json& a = Member(ma, name.c_str());
    const Json& b = Member(mb, name.c_str());
    if (a.is_null() || b.is_null()) {
      CompareValue(out, "metric", name, a.is_null() ? a : Member(a, "last"), b.is_null() ? b : Member(b, "last"),
                   tolerance);
      continue;
    }
    for (const char* stat : {"last", "min", "max"})
      CompareValue(out, "metric", name + "." + stat, Member(a, stat), Member(b, stat), tolerance);
  }
  const Json& da = Member(Member(recorded, "metrics"), "derived");
  const Json& db = Member(Member(reproduced, "metrics"), "derived");
  for (const std::string& name : Keys(da, db)) {
    const Json& a = Member(da, name.c_str());
    const Json& b = Member(db, name.c_str());
    if (a.is_object() || a.is_array() || b.is_object() || b.is_array()) continue;  // `sources`: not a value
    CompareValue(out, "derived", name, a, b, tolerance);
  }
  auto aa = ByKey(Member(recorded, "artifacts"), "path");
  auto ab = ByKey(Member(reproduced, "artifacts"), "path");
  std::set<std::string> paths;
  for (const auto& [p, _] : aa) paths.insert(p);
  for (const auto& [p, _] : ab) paths.insert(p);
  for (const std::string& path : paths) {
    auto ia = aa.find(path);
    auto ib = ab.find(path);
    Json a = ia == aa.end() ? Json() : Member(ia->second, "oid");
    Json b = ib == ab.end() ? Json() : Member(ib->second, "oid");
    ComparedItem item{"artifact", path, Verdict::kIdentical, ValueText(a), ValueText(b), ""};
    if (ia == aa.end() || ib == ab.end()) {
      item.verdict = Verdict::kDifferent;
      item.note = ia == aa.end() ? "only in the reproduction" : "only in the recorded run";
    } else if (a.is_null() || a != b) {
      item.verdict = Verdict::kDifferent;
      item.note = a.is_null() ? "recorded without its content" : "bytes differ";
      if (!a.is_null() && !b.is_null() && compare_content) {
        ContentVerdict cv = compare_content(ia->second, ib->second);
        if (!cv.note.empty()) item.note = "bytes differ, " + cv.note;
        if (cv.equal) item.verdict = Verdict::kWithinTolerance;
      }
    } else {
      item.note = "byte-identical";
    }
    out.push_back(std::move(item));
  }
  auto ra = ByKey(Member(recorded, "data"), "role");
  auto rb = ByKey(Member(reproduced, "data"), "role");
  std::set<std::string> roles;
  for (const auto& [r, _] : ra) roles.insert(r);
  for (const auto& [r, _] : rb) roles.insert(r);
  for (const std::string& role : roles) {
    auto ia = ra.find(role);
    auto ib = rb.find(role);
    Json a = ia == ra.end() ? Json() : Member(ia->second, "oid");
    Json b = ib == rb.end() ? Json() : Member(ib->second, "oid");
    // A URL input has no oid on either side: the same source is all that can be said.
    if (ia != ra.end() && ib != rb.end() && a.is_null() && b.is_null()) {
      a = Member(ia->second, "source");
      b = Member(ib->second, "source");
    }
    ComparedItem item{"data", role, Verdict::kIdentical, ValueText(a), ValueText(b), ""};
    if (a.is_null() || a != b) item.verdict = Verdict::kDifferent;
    out.push_back(std::move(item));
  }
  return out;
}

bool AllSame(const std::vector<ComparedItem>& items) {
  return std::all_of(items.begin(), items.end(),
                     [](const ComparedItem& i) { return i.verdict != Verdict::kDifferent; });
}

}  // namespace trail::reproduce
