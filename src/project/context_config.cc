#include "project/context_config.h"

#include <fnmatch.h>

#include <chrono>
#include <cmath>
#include <cstdlib>

#include "base/text.h"
#include "process/capture.h"

namespace trail {
namespace {

constexpr const char* kWhere = ".trail/config.yaml: ";
constexpr const char* kRoots[] = {"user",        "host",      "command", "cwd",    "code",
                                  "environment", "functions", "seeds",   "context"};

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    out.emplace_back(path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

bool SegmentMatches(const std::string& pattern, const std::string& name) {
  return ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

// How a pattern relates to a path: it covers the path (the pattern equals it
// or is an ancestor of it), or leads into it (the path is an ancestor of the
// pattern), or neither.
enum class Relation { kNone, kCovers, kLeadsInto };

Relation Relate(const std::vector<std::string>& pattern, const std::vector<std::string>& path) {
  size_t n = std::min(pattern.size(), path.size());
  for (size_t i = 0; i < n; ++i) {
    if (!SegmentMatches(pattern[i], path[i])) return Relation::kNone;
  }
  return pattern.size() <= path.size() ? Relation::kCovers : Relation::kLeadsInto;
}

struct Verdict {
  bool excluded = false;
  bool covered = false;   // inside an included subtree (or no include list)
  bool leads_in = false;  // an include pattern lies below this path
};

Verdict Judge(const ContextConfig& c, const std::vector<std::string>& path) {
  Verdict v;
  for (const auto& p : c.exclude) {
    if (Relate(Split(p), path) == Relation::kCovers) v.excluded = true;
  }
  if (c.include.empty()) {
    v.covered = true;
    return v;
  }
  for (const auto& p : c.include) {
    Relation r = Relate(Split(p), path);
    if (r == Relation::kCovers) v.covered = true;
    if (r == Relation::kLeadsInto) v.leads_in = true;
  }
  return v;
}

// Prunes `node` (at `path`) in place; returns false when it should go.
bool Prune(const ContextConfig& c, std::vector<std::string>& path, Json& node) {
  Verdict v = Judge(c, path);
  if (v.excluded) return false;
  if (!v.covered && !v.leads_in) return false;
  // Below a covered node only excludes can remove things; below a node an
  // include leads into, only the included parts stay.
  bool needs_walk = !c.exclude.empty() || !v.covered;
  if (!needs_walk || !node.is_object()) return v.covered;
  const bool had_children = !node.empty();
  for (auto it = node.begin(); it != node.end();) {
    path.push_back(it.key());
    bool keep = Prune(c, path, it.value());
    path.pop_back();
    if (keep) {
      ++it;
    } else {
      it = node.erase(it);
    }
  }
  // A mapping emptied by excludes goes too; one that was empty to begin
  // with stays (it says "none", e.g. no GPUs).
  return (v.covered && (!had_children || !node.empty())) || (!v.covered && !node.empty());
}

StatusOr<std::vector<std::string>> PatternList(const Json& section, const char* key) {
  std::vector<std::string> out;
  if (!section.contains(key)) return out;
  const Json& list = section[key];
  if (!list.is_array())
    return InvalidArgument(std::string(kWhere) + "context." + key + ": expected a list of field paths");
  for (const auto& item : list) {
    if (!item.is_string() || item.get<std::string>().empty()) {
      return InvalidArgument(std::string(kWhere) + "context." + key +
                             ": every entry must be a field path such as environment.cpu");
    }
    std::string p = item.get<std::string>();
    std::string root = Split(p)[0];
    bool known = false;
    for (const char* r : kRoots) known = known || SegmentMatches(root, r);
    if (!known) {
      return InvalidArgument(std::string(kWhere) + "context." + key + ": '" + p +
                             "' names no captured field (fields start with user, host, command, cwd, code, "
                             "environment, functions or context)");
    }
    out.push_back(std::move(p));
  }
  return out;
}

// context.secret_files: file patterns (util/secrets.h), replacing the defaults.
StatusOr<std::vector<std::string>> FilePatternList(const Json& list) {
  const std::string where = std::string(kWhere) + "context.secret_files: ";
  if (list.is_null()) return std::vector<std::string>();
  if (!list.is_array()) return InvalidArgument(where + "expected a list of file patterns such as .env or '*.pem'");
  std::vector<std::string> out;
  for (const auto& item : list) {
    if (!item.is_string() || item.get<std::string>().empty()) {
      return InvalidArgument(where + "every entry must be a non-empty file pattern such as .env or '*.pem'");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

StatusOr<CustomField> ParseCustom(const std::string& name, const Json& spec) {
  std::string where = std::string(kWhere) + "context.custom." + name + ": ";
  CustomField f;
  f.name = name;
  if (!spec.is_object()) return InvalidArgument(where + "expected a mapping with one of value, env or command");
  int kinds = 0;
  for (auto it = spec.begin(); it != spec.end(); ++it) {
    const std::string& k = it.key();
    if (k == "value") {
      f.kind = CustomField::Kind::kValue;
      f.value = it.value();
      ++kinds;
    } else if (k == "env" || k == "command") {
      if (!it.value().is_string() || it.value().get<std::string>().empty()) {
        return InvalidArgument(where + k + " must be a non-empty string");
      }
      f.kind = k == "env" ? CustomField::Kind::kEnv : CustomField::Kind::kCommand;
      f.source = it.value().get<std::string>();
      ++kinds;
    } else if (k == "timeout") {
      if (!it.value().is_number() || !(it.value().get<double>() > 0) || it.value().get<double>() > 60) {
        return InvalidArgument(where + "timeout must be a number of seconds between 0 and 60");
      }
      f.timeout_s = it.value().get<double>();
    } else {
      return InvalidArgument(where + "unknown key '" + k + "' (expected value, env, command, timeout)");
    }
  }
  if (kinds != 1) return InvalidArgument(where + "give exactly one of value, env or command");
  if (spec.contains("timeout") && f.kind != CustomField::Kind::kCommand) {
    return InvalidArgument(where + "timeout only applies to command");
  }
  return f;
}

}  // namespace

bool IsSelectableRoot(std::string_view key) {
  for (const char* r : kRoots) {
    if (key == r) return true;
  }
  return false;
}

bool ContextConfig::Wants(std::string_view path) const {
  Verdict v = Judge(*this, Split(path));
  return !v.excluded && (v.covered || v.leads_in);
}

StatusOr<ContextConfig> ParseContextConfig(const Json& config) {
  ContextConfig c;
  if (!config.is_object() || !config.contains("context") || config["context"].is_null()) return c;
  const Json& section = config["context"];
  if (!section.is_object())
    return InvalidArgument(std::string(kWhere) + "context: expected a mapping (include, exclude, custom)");
  for (auto it = section.begin(); it != section.end(); ++it) {
    if (it.key() != "include" && it.key() != "exclude" && it.key() != "custom" && it.key() != "secret_files") {
      return InvalidArgument(std::string(kWhere) + "context: unknown key '" + it.key() +
                             "' (expected include, exclude, custom, secret_files)");
    }
  }
  TRAIL_ASSIGN_OR_RETURN(c.include, PatternList(section, "include"));
  TRAIL_ASSIGN_OR_RETURN(c.exclude, PatternList(section, "exclude"));
  if (section.contains("secret_files")) {
    TRAIL_ASSIGN_OR_RETURN(c.secret_files, FilePatternList(section["secret_files"]));
  }
  if (section.contains("custom") && !section["custom"].is_null()) {
    const Json& custom = section["custom"];
    if (!custom.is_object())
      return InvalidArgument(std::string(kWhere) + "context.custom: expected a mapping of field names");
    for (auto it = custom.begin(); it != custom.end(); ++it) {
      TRAIL_ASSIGN_OR_RETURN(CustomField f, ParseCustom(it.key(), it.value()));
      c.custom.push_back(std::move(f));
    }
  }
  return c;
}

void ApplyContextSelection(const ContextConfig& config, Json& record) {
  if (config.include.empty() && config.exclude.empty()) return;
  std::vector<std::string> path;
  for (auto it = record.begin(); it != record.end();) {
    if (!IsSelectableRoot(it.key())) {
      ++it;
      continue;
    }
    path.assign(1, it.key());
    if (Prune(config, path, it.value())) {
      ++it;
    } else {
      it = record.erase(it);
    }
  }
}

Json CaptureCustomFields(const ContextConfig& config, const std::string& cwd, std::vector<std::string>* warnings) {
  Json out = Json::object();
  for (const CustomField& f : config.custom) {
    auto fail = [&](const std::string& why) {
      out[f.name] = Json{{"error", why}};
      warnings->push_back("context." + f.name + ": " + why);
    };
    if (IsSecretName(f.name) || (f.kind == CustomField::Kind::kEnv && IsSecretName(f.source))) {
      out[f.name] = kMaskedValue;
      continue;
    }
    switch (f.kind) {
      case CustomField::Kind::kValue:
        out[f.name] = f.value;
        break;
      case CustomField::Kind::kEnv: {
        const char* v = std::getenv(f.source.c_str());
        if (v == nullptr) {
          fail("environment variable " + f.source + " is not set");
        } else {
          out[f.name] = SanitizeUtf8(v);
        }
        break;
      }
      case CustomField::Kind::kCommand: {
        process::CaptureRequest req;
        req.command = f.source;
        req.cwd = cwd;
        req.timeout = std::chrono::milliseconds(static_cast<int64_t>(std::llround(f.timeout_s * 1000)));
        auto r = process::RunShellCapture(req);
        if (r.ok()) {
          out[f.name] = SanitizeUtf8(r->out);
        } else {
          fail("command '" + f.source + "' " + r.status().message());
        }
        break;
      }
    }
  }
  return out;
}

}  // namespace trail
