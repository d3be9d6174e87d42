// Reading the model registry from the runs branch (docs/formats/model-registry.md): a model's
// versions and alias moves, validated, and what a reference such as "fraud@production",
// "fraud:3" or "fraud" names, now or at a past time.
//
// The branch may hold files another clone wrote (`trail pull`): a version or alias move that does
// not validate (bad name, number, uid, oid or file path; a record whose model or number disagrees with its
// path) is skipped with a warning naming its path, never trusted.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/yaml.h"
#include "project/project.h"
#include "trail/status.h"

namespace trail::registry {

struct Version {
  std::string name;
  int64_t number = 0;
  std::string uid;
  std::string path;  // on the branch
  Json record;       // the whole record, as read
  // Every file of the version, validated, primary first: the record's `artifacts`, or the one
  // `artifact` of a record written before versions held several files.
  Json artifacts = Json::array();
};

struct AliasMove {
  std::string alias;
  bool deleted = false;                   // `trail model alias --delete`
  std::string version_uid, from_uid;      // "" when none (the first set; a delete's target)
  int64_t version = 0, from_version = 0;  // as resolved through the uids now (0: none)
  double when = 0;                        // unix seconds
  std::string path;                       // on the branch
  Json record;
};

struct Model {
  std::string name;
  std::vector<Version> versions;  // by number
  std::vector<AliasMove> moves;   // oldest first (time, then file name)
  std::vector<std::string> warnings;

  const Version* Find(int64_t number) const;
  const Version* FindUid(const std::string& uid) const;
  const Version* Latest() const { return versions.empty() ? nullptr : &versions.back(); }
  // Alias -> version as the moves up to `at` (unix seconds; nullopt: all) leave them. An alias
  // whose last move was a delete, or names a version this clone does not have, is absent.
  std::map<std::string, const Version*> AliasesAt(std::optional<double> at) const;
};

// The names of every registered model on the branch tip `tip` ("" = none yet), sorted.
StatusOr<std::vector<std::string>> ListModelNames(Project& project, const std::string& tip);
// One model as of `tip`. NotFound when it has no versions and no alias moves.
StatusOr<Model> LoadModel(Project& project, const std::string& tip, const std::string& name);

// "NAME", "NAME:N" or "NAME@ALIAS", split and validated (InvalidArgument otherwise).
struct ModelRef {
  std::string name;
  int64_t version = 0;  // 0: not by number
  std::string alias;    // "": not by alias
};
StatusOr<ModelRef> ParseModelRef(const std::string& text);
// The version `ref` names in `model` (its latest for a bare name), as of `at` for an alias.
// NotFound naming what is missing.
StatusOr<const Version*> Resolve(const Model& model, const ModelRef& ref, std::optional<double> at);

// "2026-11-01" (the end of that day, UTC) or an ISO-8601 UTC time; InvalidArgument otherwise.
StatusOr<double> ParseAtTime(const std::string& text);

// The runs branch tip, "" when there is none yet.
StatusOr<std::string> RunsTip(Project& project);

}  // namespace trail::registry
