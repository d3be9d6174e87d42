// The `context:` section of .trail/config.yaml: which captured fields a run
// records, and the user's own fields.
//
//   context:
//     exclude: [environment.processors, code.changed]
//     include: []              # when non-empty, only these fields (and their subtrees)
//     custom:
//       dataset_version: {value: v3}
//       region: {env: AWS_REGION}
//       driver: {command: "nvidia-smi --query-gpu=driver_version --format=csv,noheader", timeout: 2}
//     secret_files: [.env, "*.pem"]   # replaces the default list (util/secrets.h); [] keeps none out
//
// Patterns are dotted paths into the record (environment.cpu.model), a
// segment may use * and ? wildcards (environment.*.version), and a pattern
// covers the whole subtree below it. Only the captured context is subject to
// selection: user, host, command, cwd, code, environment, functions and the
// custom fields (context.*). A run's identity, status, times, params,
// metrics, tags and notes are always recorded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/secrets.h"
#include "base/yaml.h"
#include "trail/status.h"

namespace trail {

struct CustomField {
  enum class Kind { kValue, kEnv, kCommand };
  std::string name;
  Kind kind = Kind::kValue;
  Json value;            // kValue
  std::string source;    // kEnv: the variable; kCommand: the shell command
  double timeout_s = 2;  // kCommand
};

struct ContextConfig {
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  std::vector<CustomField> custom;
  // Untracked files the code snapshot leaves out as secrets.
  std::vector<std::string> secret_files = DefaultSecretFiles();

  // Would a field at `path` (dotted) be recorded? Lets capture skip work
  // nobody wants (no snapshot when code.snapshot is excluded).
  bool Wants(std::string_view path) const;
};

// Reads the `context` key of the whole config; absent means "capture
// everything, no custom fields". Errors name the key:
// ".trail/config.yaml: context.custom.region: give one of value, env or command".
StatusOr<ContextConfig> ParseContextConfig(const Json& config);

// The top-level record keys that selection applies to.
bool IsSelectableRoot(std::string_view key);

// Removes from `record` every selectable field the config does not want;
// containers left empty by the pruning are removed too.
void ApplyContextSelection(const ContextConfig& config, Json& record);

// The custom fields' values, name -> value, in config order. A variable that
// is unset or a command that fails or times out gives {error: "..."} for that
// field and a warning; it never fails the run. A field whose name, or whose
// environment variable's name, looks secret (IsSecretName) is recorded as
// kMaskedValue.
Json CaptureCustomFields(const ContextConfig& config, const std::string& cwd, std::vector<std::string>* warnings);

}  // namespace trail
