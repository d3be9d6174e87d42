// trail model inspect FILE | ID [ARTIFACT]: what a model file holds (docs/models.md).
#include <cstdio>

#include "commands.h"
#include "model_text.h"
#include "trail/format.h"
#include "trail/models.h"

namespace trail::cli {

std::function<int()> SetupModelInspect(CLI::App& sub) {
  struct Options {
    std::string target, artifact, format = "text";
    bool no_checksums = false;
  };
  auto o = std::make_shared<Options>();
  sub.add_option("target", o->target,
                 "a model file, TensorFlow checkpoint prefix or SavedModel folder; a run id (its primary model); or a "
                 "registered version, model:NAME@ALIAS (:N, or the latest)")
      ->required();
  sub.add_option("artifact", o->artifact, "with a run id: the artifact, by path, file name or role");
  sub.add_option("--format", o->format, "text | json")->check(CLI::IsMember({"text", "json"}));
  sub.add_flag("--no-checksums", o->no_checksums, "read headers only: no tensor values, no checksums");
  return [o] {
    api::InspectOptions options;
    options.checksums = !o->no_checksums;
    StatusOr<api::ModelReport> report = Status::Ok();
    const api::ModelRef ref = ParseModelRef(o->target);
    if (!ref.file.empty()) {
      if (!o->artifact.empty()) {
        PrintError(o->target + " is a file: name an artifact only after a run id");
        return 2;
      }
      report = api::InspectModelFile(ref.file, options);
    } else {
      std::vector<std::string> warnings;
      auto project = api::Project::Open(api::CurrentDirectory(), &warnings);
      if (!project.ok()) {
        // Not a project here: the argument can only have meant a file.
        PrintError(o->target + ": no such file or checkpoint");
        return 1;
      }
      PrintWarnings(warnings);
      api::RunModelRef run = ref.run;
      if (!o->artifact.empty()) run.artifact = o->artifact;
      report = api::InspectRunModel(**project, run, options);
      // "no run model.pt" would hide that the user most likely meant a file.
      if (!report.ok() && report.status().code() == Code::kNotFound &&
          report.status().message().rfind("no run " + ref.run.run, 0) == 0) {
        return Fail(NotFound(o->target + ": no such file, checkpoint or run"));
      }
    }
    if (!report.ok()) return Fail(report.status());
    if (o->format == "json")
      std::printf("%s\n", api::DumpJson(report->model).c_str());
    else
      std::fputs(RenderInspection(*report).c_str(), stdout);
    return 0;
  };
}

}  // namespace trail::cli
