// The model registry (docs/models.md, "The registry"; files: docs/formats/model-registry.md):
// named models whose versions point at runs' stored artifacts, and aliases (production,
// staging, ...) that move between versions with every move kept. All of it lives on the runs
// branch and travels with `trail push` / `pull`.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "trail/data.h"
#include "trail/json.h"
#include "trail/project.h"
#include "trail/status.h"

namespace trail::api {

// `trail model register NAME RUN [ARTIFACT...]`.
struct RegisterModelRequest {
  std::string name;  // letters, digits, '-', '_', '.'; at most 100
  std::string run;   // id, number or uid
  // Each by path, file name or role; empty: the run's one model artifact. Each brings the files
  // it cannot be loaded without: a TensorFlow checkpoint's .index, .data-* shards, .meta and
  // `checkpoint` state file, a SavedModel's variables/ and assets/, an ONNX model's external data
  // (docs/models.md, "The registry").
  std::vector<std::string> artifacts;
  std::string message;
  std::vector<std::string> tags;  // "k=v"
};

struct ModelVersion {
  std::string name;
  int64_t version = 0;
  std::string uid;
  std::string path;                  // the record on the runs branch
  Json record;                       // as stored: model, version, uid, run, artifact(s), user, lineage...
  std::vector<std::string> aliases;  // the aliases on it now
  Json artifacts = Json::array();    // every file, primary first (an older record: its one artifact)
};

struct AliasMove {
  std::string alias;
  bool deleted = false;
  int64_t version = 0;       // 0 for a delete (or a version this clone lacks)
  int64_t from_version = 0;  // 0 when the alias was not set
  std::string when;          // ISO-8601 UTC
  std::string user;          // "Name <email>"
  std::string message;
};

// Nothing is written on any error: InvalidArgument for a bad name or tag, NotFound for an unknown
// run or artifact, FailedPrecondition when the choice of artifact is ambiguous (listed).
StatusOr<ModelVersion> RegisterModel(Project& project, const RegisterModelRequest& request);

// `trail model alias NAME ALIAS VERSION -m WHY [--delete]`.
struct AliasRequest {
  std::string name, alias;
  std::string version;  // "3", "latest" or "@other-alias"; ignored with remove
  std::string message;
  bool remove = false;
};
StatusOr<AliasMove> MoveModelAlias(Project& project, const AliasRequest& request);

struct ModelSummary {
  std::string name;
  int64_t versions = 0;
  ModelVersion latest;
  std::map<std::string, int64_t> aliases;  // alias -> version now
};
// Every registered model, by name. Files on the branch that do not validate are skipped, one
// warning each.
StatusOr<std::vector<ModelSummary>> ListModels(Project& project, std::vector<std::string>* warnings);

struct ModelView {
  ModelVersion version;                    // the one the reference named
  std::string at;                          // the time asked for, ISO-8601 ("" = now)
  std::map<std::string, int64_t> aliases;  // alias -> version, at `at`
  std::vector<AliasMove> history;          // every move of every alias of the model, oldest first
  std::vector<ModelVersion> versions;      // all versions, by number (records included)
  std::vector<std::string> warnings;
};
// `ref`: "NAME" (latest), "NAME:N" or "NAME@ALIAS"; `at` ("" = now): a date (its end, UTC) or an
// ISO-8601 time, for which version an alias named then.
StatusOr<ModelView> ShowModel(Project& project, const std::string& ref, const std::string& at);

// `trail get model:NAME@ALIAS` (`model:NAME:N`, `model:NAME`): every file of the version restored
// under `out` (default: a folder NAME-vN) at its recorded path. `id` in the result is "NAME:N".
StatusOr<GetResult> GetModel(Project& project, const std::string& ref, const std::string& out, bool force);

// The JSON `--format json` prints (and the web API will serve).
Json ModelSummariesJson(const std::vector<ModelSummary>& models);
Json ModelViewJson(const ModelView& view);

}  // namespace trail::api
