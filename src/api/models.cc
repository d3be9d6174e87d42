#include "trail/models.h"

#include <stdlib.h>

#include <filesystem>
#include <memory>

#include "api/model_version_record.h"
#include "api/project_access.h"
#include "base/files.h"
#include "base/paths.h"
#include "model/diff.h"
#include "model/model_file.h"
#include "model/values.h"
#include "record/models.h"
#include "record/record.h"
#include "tracked/run_restore.h"

namespace trail::api {
namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A TensorFlow checkpoint's prefix when `path` is one of its files ("m.ckpt.index",
// "m.ckpt.data-00000-of-00001"), else "".
std::string CheckpointPrefix(const std::string& path) {
  if (EndsWith(path, ".index")) return path.substr(0, path.size() - 6);
  const size_t data = path.rfind(".data-");
  if (data != std::string::npos && path.find('/', data) == std::string::npos) return path.substr(0, data);
  return "";
}

// A run's model artifact restored into a temporary folder under .trail/, removed with this.
class RestoredModel {
 public:
  ~RestoredModel() {
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);  // best effort: .trail/ is local state, git-ignored
    }
  }

  // Restores what `ref` names and opens it.
  Status Restore(trail::Project& project, const RunModelRef& ref) {
    // "model:NAME@ALIAS" (":N", or the latest): a registered version, whose first file is its
    // primary model; anything else names a run.
    const bool version = ref.run.rfind("model:", 0) == 0;
    Json rec;
    if (version) {
      TRAIL_ASSIGN_OR_RETURN(rec, LoadModelVersionRecord(project, ref.run.substr(6)));
    } else {
      TRAIL_ASSIGN_OR_RETURN(trail::StoredRun run, project.LoadRun(ref.run));
      rec = std::move(run.record);
    }
    const std::string id = version ? ref.run : record::GetString(rec, "id");
    const Json artifacts = rec.value("artifacts", Json::array());
    if (!artifacts.is_array() || artifacts.empty()) return NotFound(id + " has no stored artifacts");
    std::string path;
    if (ref.artifact.empty() && version) {
      path = artifacts[0].is_object() ? record::GetString(artifacts[0], "path") : "";
    } else if (ref.artifact.empty()) {
      const Json* primary = record::PrimaryModelArtifact(rec);
      if (!primary)
        return NotFound(id + " has no model artifact trail could read when it was recorded; name one: " + id +
                        ":ARTIFACT");
      path = record::GetString(*primary, "path");
    } else {
      for (const Json& a : artifacts) {
        if (!a.is_object()) continue;
        const std::string p = record::GetString(a, "path");
        if (ref.artifact == p || ref.artifact == BaseName(p) || ref.artifact == record::GetString(a, "role")) {
          path = p;
          break;
        }
      }
      if (path.empty()) return NotFound(id + " has no artifact " + ref.artifact);
    }
    // A checkpoint is its .index and every .data-* shard: restore them together.
    std::vector<std::string> wanted = {path};
    std::string open = path;
    if (const std::string prefix = CheckpointPrefix(path); !prefix.empty()) {
      wanted.clear();
      for (const Json& a : artifacts) {
        const std::string p = a.is_object() ? record::GetString(a, "path") : "";
        if (p == prefix + ".index" || p.rfind(prefix + ".data-", 0) == 0) wanted.push_back(p);
      }
      open = prefix + ".index";
    }
    source_ = id + ":" + path;
    std::string pattern = JoinPath(project.state_dir(), "model-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) return IoError(pattern + ": cannot create a temporary folder");
    dir_ = pattern;
    auto restored = RestoreArtifacts(project, rec, wanted, dir_, /*force=*/false);
    if (!restored.ok()) return restored.status();
    auto model = model::OpenModel(JoinPath(dir_, open));
    if (!model.ok()) {
      // Name the artifact, not the temporary folder it was read from.
      std::string message = model.status().message();
      const std::string tmp = JoinPath(dir_, open);
      if (message.rfind(tmp, 0) == 0) message = source_ + message.substr(tmp.size());
      return Status(model.status().code(), message);
    }
    model_ = std::move(model).value();
    return Status::Ok();
  }

  const std::string& source() const { return source_; }
  model::ModelFile& model() { return *model_; }

 private:
  std::string dir_, source_;
  std::unique_ptr<model::ModelFile> model_;
};

// One side of a diff, opened: from a file, or restored from a run.
struct Opened {
  std::string source;
  std::unique_ptr<model::ModelFile> file;
  std::unique_ptr<RestoredModel> restored;
  model::ModelFile& model() { return file ? *file : restored->model(); }
};

StatusOr<Opened> Open(Project* project, const ModelRef& ref) {
  Opened out;
  if (!ref.file.empty()) {
    TRAIL_ASSIGN_OR_RETURN(out.file, model::OpenModel(ref.file));
    out.source = ref.file;
    return out;
  }
  if (!project) return FailedPrecondition(ref.run.run + " is not a file, and there is no trail project here");
  out.restored = std::make_unique<RestoredModel>();
  TRAIL_RETURN_IF_ERROR(out.restored->Restore(ProjectAccess::Of(*project), ref.run));
  out.source = out.restored->source();
  return out;
}

StatusOr<ModelReport> Inspect(model::ModelFile& file, std::string source, const InspectOptions& options) {
  if (options.checksums) {
    if (Status s = model::ComputeChecksums(file); !s.ok()) return s.WithContext(source);
  }
  return ModelReport{std::move(source), model::ToJson(file.info(), true)};
}

}  // namespace

StatusOr<ModelReport> InspectModelFile(const std::string& path, const InspectOptions& options) {
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<model::ModelFile> file, model::OpenModel(path));
  return Inspect(*file, path, options);
}

StatusOr<ModelReport> InspectRunModel(Project& project, const RunModelRef& ref, const InspectOptions& options) {
  RestoredModel restored;
  TRAIL_RETURN_IF_ERROR(restored.Restore(ProjectAccess::Of(project), ref));
  return Inspect(restored.model(), restored.source(), options);
}

StatusOr<ModelDiffReport> DiffModels(Project* project, const ModelRef& a, const ModelRef& b,
                                     const ModelDiffOptions& options) {
  TRAIL_ASSIGN_OR_RETURN(Opened ma, Open(project, a));
  TRAIL_ASSIGN_OR_RETURN(Opened mb, Open(project, b));
  model::DiffOptions o;
  o.values = options.values;
  o.label_a = ma.source;
  o.label_b = mb.source;
  TRAIL_ASSIGN_OR_RETURN(model::ModelDiff diff, model::DiffModels(ma.model(), mb.model(), o));
  return ModelDiffReport{ma.source, mb.source, model::ToJson(diff, options.all)};
}

}  // namespace trail::api
