// trail model diff A B: two models compared tensor by tensor (docs/models.md).
#include <cstdio>

#include "commands.h"
#include "model_text.h"
#include "trail/format.h"
#include "trail/models.h"

namespace trail::cli {

std::function<int()> SetupModelDiff(CLI::App& sub) {
  struct Options {
    std::string a, b, format = "text";
    bool all = false, no_values = false;
  };
  auto o = std::make_shared<Options>();
  sub.add_option("a", o->a, "the old model: a file, a run id (its primary model), ID:ARTIFACT or model:NAME@ALIAS")
      ->required();
  sub.add_option("b", o->b, "the new model, as A")->required();
  sub.add_option("--format", o->format, "text | json")->check(CLI::IsMember({"text", "json"}));
  sub.add_flag("--all", o->all, "list identical tensors too");
  sub.add_flag("--no-values", o->no_values, "compare names, shapes, dtypes and architecture only: read no values");
  return [o] {
    const api::ModelRef a = ParseModelRef(o->a), b = ParseModelRef(o->b);
    std::unique_ptr<api::Project> project;
    if (a.file.empty() || b.file.empty()) {
      std::vector<std::string> warnings;
      auto opened = api::Project::Open(api::CurrentDirectory(), &warnings);
      if (!opened.ok()) {
        PrintError((a.file.empty() ? o->a : o->b) + ": no such file or checkpoint");
        return 1;
      }
      PrintWarnings(warnings);
      project = std::move(*opened);
    }
    api::ModelDiffOptions options;
    options.all = o->all;
    options.values = !o->no_values;
    auto report = api::DiffModels(project.get(), a, b, options);
    if (!report.ok()) return Fail(report.status());
    if (o->format == "json")
      std::printf("%s\n", api::DumpJson(report->diff).c_str());
    else
      std::fputs(RenderModelDiff(*report).c_str(), stdout);
    return 0;
  };
}

}  // namespace trail::cli
