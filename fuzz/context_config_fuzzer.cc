// Fuzzes the `context:` and `metrics:` sections of .trail/config.yaml (core/context_config.h,
// core/metrics_config.h): YAML text -> ParseYaml -> ParseContextConfig and ParseMetricsConfig.
// An accepted context config is applied (ApplyContextSelection) to a fixed sample record.
// CaptureCustomFields is never called: it runs the config's shell commands.
//
// Checks, beyond "never crashes":
//   - Errors are InvalidArgument(".trail/config.yaml: context..." / "...: metrics...").
//   - An accepted context config holds non-empty patterns and custom fields with exactly what
//     their kind needs (env and command: a non-empty source; a timeout in (0, 60]).
//   - Selection touches only the captured context: every other key of the record ("id",
//     "params", "status", "metrics", ...) survives unchanged and in place.
//   - Selection keeps exactly the leaves the documented rules keep, compared against a reference
//     written from them: a leaf at path P stays iff (no include, or an include covers P) and no
//     exclude covers P, where a pattern covers P when its segments glob-match P's leading
//     segments. Every kept leaf is one that ContextConfig::Wants.
//   - An accepted metrics config: tensorboard dirs imply no auto, paths and names are non-empty.
#include <fnmatch.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/yaml.h"
#include "fuzz/check.h"
#include "project/context_config.h"
#include "project/metrics_config.h"

namespace trail::fuzz {
namespace {

constexpr const char* kWhat = ".trail/config.yaml";

// The sample record selection runs on: every captured root, identity keys around them, nested
// containers (and an empty one), lists, and keys the wildcards can reach at several depths.
const Json& SampleRecord() {
  static const Json* record = [] {
    StatusOr<Json> r = ParseYaml(R"(id: fz-7
number: 7
status: finished
user: {name: Ann, email: ann@example.com}
host: box
command: [python, train.py, --lr, '0.1']
cwd: /home/ann/fraud
code: {branch: main, commit: abc123, snapshot: def456, changed: [train.py, model.py], remote: {url: git@x:y.git}}
params: {lr: 0.1, optimizer: adam, layers: 3}
environment:
  os: Linux
  cpu: {model: EPYC, cores: 2, flags: [avx2, sse4]}
  python: {interpreter: /usr/bin/python3, version: 3.11.2, site_packages: /usr/lib/python3/dist-packages}
  frameworks: {torch: {version: 2.1.0, cuda: '12.1'}, numpy: {version: 1.24.2}}
  processors: []
  packages: {}
functions: [{category: optimizer, name: Adam}]
context: {dataset_version: v3, region: {error: unset}}
metrics: {loss: {last: 0.25}}
tags: {stage: prod}
notes: first try
)",
                                 "sample");
    FUZZ_CHECK(r.ok(), r.status().message());
    return new Json(std::move(*r));
  }();
  return *record;
}

void CheckError(const Status& status, const std::string& section) {
  auto note = [&] { return status.message(); };
  FUZZ_CHECK(status.code() == Code::kInvalidArgument, note());
  FUZZ_CHECK(status.message().starts_with(std::string(kWhat) + ": " + section), note());
}

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t dot = path.find('.', start);
    out.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return out;
    start = dot + 1;
  }
}

// Does `pattern` cover `path`: as many segments or fewer, each glob-matching its segment.
bool Covers(const std::string& pattern, const std::vector<std::string>& path) {
  std::vector<std::string> segments = Split(pattern);
  if (segments.size() > path.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (::fnmatch(segments[i].c_str(), path[i].c_str(), 0) != 0) return false;
  }
  return true;
}

bool Selected(const ContextConfig& c, const std::vector<std::string>& path) {
  bool included = c.include.empty();
  for (const std::string& p : c.include) included = included || Covers(p, path);
  if (!included) return false;
  for (const std::string& p : c.exclude) {
    if (Covers(p, path)) return false;
  }
  return true;
}

std::string Dotted(const std::vector<std::string>& path) {
  std::string out;
  for (const std::string& s : path) out += (out.empty() ? "" : ".") + s;
  return out;
}

// The leaves (values that are not non-empty mappings) below `node`, as "path = value" lines in
// order; with `config`, only those the reference rules keep.
void Leaves(const Json& node, std::vector<std::string>& path, const ContextConfig* config,
            std::vector<std::string>& out) {
  if (node.is_object() && !node.empty()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      path.push_back(it.key());
      Leaves(it.value(), path, config, out);
      path.pop_back();
    }
    return;
  }
  if (config == nullptr || Selected(*config, path)) out.push_back(Dotted(path) + " = " + node.dump());
}

void CheckSelection(const ContextConfig& config, std::string_view input) {
  const Json& before = SampleRecord();
  Json after = before;
  ApplyContextSelection(config, after);
  auto note = [&](const std::string& what) {
    return what + "\n  record after selection: " + Shown(after) + "\n  input: " + Escaped(input);
  };
  FUZZ_CHECK(after.is_object(), note("the record is no longer a mapping"));

  // Keys outside the captured context are untouched and keep their order among themselves.
  Json kept_identity = Json::object();
  Json after_identity = Json::object();
  for (auto it = before.begin(); it != before.end(); ++it) {
    if (!IsSelectableRoot(it.key())) kept_identity[it.key()] = it.value();
  }
  for (auto it = after.begin(); it != after.end(); ++it) {
    FUZZ_CHECK(before.contains(it.key()), note("selection added key " + it.key()));
    if (!IsSelectableRoot(it.key())) after_identity[it.key()] = it.value();
  }
  FUZZ_CHECK(Identical(kept_identity, after_identity), note("selection changed a key outside the captured context"));
  FUZZ_CHECK(after.contains("id") && after["id"] == before["id"], note("selection lost the id"));
  FUZZ_CHECK(after.contains("params") && after["params"] == before["params"], note("selection lost the params"));

  // The leaves of the captured context: exactly those the rules keep.
  std::vector<std::string> expected, actual, path;
  for (auto it = before.begin(); it != before.end(); ++it) {
    if (!IsSelectableRoot(it.key())) continue;
    path.assign(1, it.key());
    Leaves(it.value(), path, &config, expected);
  }
  for (auto it = after.begin(); it != after.end(); ++it) {
    if (!IsSelectableRoot(it.key())) continue;
    path.assign(1, it.key());
    std::vector<std::string> leaves;
    Leaves(it.value(), path, nullptr, leaves);
    for (std::string& leaf : leaves) {
      // A mapping the pruning emptied is a container, not a leaf of the record as written.
      if (leaf.ends_with(" = {}")) {
        std::vector<std::string> at = Split(leaf.substr(0, leaf.size() - 5));
        const Json* orig = &before;
        for (const std::string& k : at) orig = orig->is_object() && orig->contains(k) ? &(*orig)[k] : nullptr;
        if (orig == nullptr || !orig->empty()) continue;
      }
      actual.push_back(std::move(leaf));
    }
  }
  auto listed = [](const std::vector<std::string>& v) {
    std::string out;
    for (const std::string& s : v) out += "\n    " + s;
    return out;
  };
  FUZZ_CHECK(expected == actual, note("kept leaves differ from the rules\n  expected:" + listed(expected) +
                                      "\n  actual:" + listed(actual)));
  for (const std::string& leaf : actual) {
    std::string dotted = leaf.substr(0, leaf.find(" = "));
    FUZZ_CHECK(config.Wants(dotted), note("kept " + dotted + ", which the config does not want"));
  }
}

void CheckContextConfig(const ContextConfig& c, std::string_view input) {
  auto note = [&](const std::string& what) { return what + "\n  input: " + Escaped(input); };
  for (const std::string& p : c.include) FUZZ_CHECK(!p.empty(), note("empty include pattern"));
  for (const std::string& p : c.exclude) FUZZ_CHECK(!p.empty(), note("empty exclude pattern"));
  for (const CustomField& f : c.custom) {
    if (f.kind != CustomField::Kind::kValue) {
      FUZZ_CHECK(!f.source.empty(), note("custom field " + Escaped(f.name) + " has an empty source"));
    }
    FUZZ_CHECK(f.timeout_s > 0 && f.timeout_s <= 60, note("custom field " + Escaped(f.name) + " timeout out of range"));
  }
  CheckSelection(c, input);
}

void CheckMetricsConfig(const MetricsConfig& c, std::string_view input) {
  auto note = [&](const std::string& what) { return what + "\n  input: " + Escaped(input); };
  FUZZ_CHECK(c.tensorboard_dirs.empty() || !c.tensorboard_auto, note("tensorboard dirs with auto on"));
  for (const std::string& p : c.tensorboard_dirs) FUZZ_CHECK(!p.empty(), note("empty tensorboard dir"));
  for (const std::string& p : c.csv_files) FUZZ_CHECK(!p.empty(), note("empty csv path"));
  FUZZ_CHECK(!c.key_values || c.parse_output, note("key_values with output parsing off"));
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trail;
  std::string text(reinterpret_cast<const char*>(data), size);
  StatusOr<Json> config = ParseYaml(text, fuzz::kWhat);
  if (!config.ok()) return 0;

  StatusOr<ContextConfig> context = ParseContextConfig(*config);
  if (context.ok()) {
    fuzz::CheckContextConfig(*context, text);
  } else {
    fuzz::CheckError(context.status(), "context");
  }
  StatusOr<MetricsConfig> metrics = ParseMetricsConfig(*config);
  if (metrics.ok()) {
    fuzz::CheckMetricsConfig(*metrics, text);
  } else {
    fuzz::CheckError(metrics.status(), "metrics");
  }
  return 0;
}
