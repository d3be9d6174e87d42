// trail import mlflow PATH: runs other tools recorded, brought onto the runs branch
// (docs/mlflow.md, "Import an MLflow file store").
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "trail/importing.h"

namespace trail::cli {
namespace {

// `trail import mlflow --format json` (docs/json.md).
Json ImportJson(const api::ImportReport& r, bool dry_run) {
  Json runs = Json::array();
  for (const api::ImportedRunInfo& run : r.imported) {
    Json j = {
        {"mlflow_run_id", run.source_id}, {"experiment", run.experiment}, {"name", run.name}, {"status", run.status}};
    if (!run.id.empty()) j["id"] = run.id;
    runs.push_back(j);
  }
  return Json{{"dry_run", dry_run},
              {"imported", runs},
              {"skipped_existing", r.skipped_existing},
              {"skipped_deleted_runs", r.skipped_deleted_runs},
              {"skipped_deleted_experiments", r.skipped_deleted_experiments},
              {"experiments", r.experiments},
              {"registered_models_skipped", r.has_registered_models},
              {"commit", r.commit},
              {"warnings", r.warnings}};
}

std::function<int()> SetupImportMlflow(CLI::App& sub) {
  auto request = std::make_shared<api::MlflowImportRequest>();
  auto format = std::make_shared<std::string>("text");
  sub.add_option("PATH", request->path, "the MLflow file store: an mlruns/ folder")->required();
  sub.add_option("--experiment", request->experiments, "import only this experiment (name or id); repeatable");
  sub.add_flag("--include-deleted", request->include_deleted, "import deleted runs and experiments too");
  sub.add_flag("-n,--dry-run", request->dry_run, "list the runs that would be imported; write nothing");
  AddFormatOption(sub, *format);
  return [request, format] {
    auto project = OpenProject();
    if (!project) return 1;
    auto r = api::ImportMlflow(*project, *request);
    if (!r.ok()) return Fail(r.status());
    PrintWarnings(r->warnings);
    const bool dry = request->dry_run;
    if (*format == "json") {
      PrintJson(ImportJson(*r, dry));
      return 0;
    }
    for (const api::ImportedRunInfo& run : r->imported) {
      std::printf("%s %s (%s) %s%s%s\n", dry ? "would import" : "imported", run.source_id.c_str(),
                  run.experiment.c_str(), run.status.c_str(), run.id.empty() ? "" : " as ", run.id.c_str());
    }
    std::printf(
        "%s %zu runs from %lld experiments; skipped %lld already imported, %lld deleted runs, %lld deleted "
        "experiments\n",
        dry ? "would import" : "imported", r->imported.size(), static_cast<long long>(r->experiments),
        static_cast<long long>(r->skipped_existing), static_cast<long long>(r->skipped_deleted_runs),
        static_cast<long long>(r->skipped_deleted_experiments));
    if (r->has_registered_models)
      std::printf("registered models (%s/models) are not imported\n", request->path.c_str());
    return 0;
  };
}

}  // namespace

std::function<int()> SetupImport(CLI::App& sub) {
  sub.require_subcommand(1);
  CLI::App* mlflow = sub.add_subcommand("mlflow", "import an MLflow file store's runs: trail import mlflow PATH");
  auto action = SetupImportMlflow(*mlflow);
  return [mlflow, action] { return mlflow->parsed() ? action() : 2; };
}

}  // namespace trail::cli
