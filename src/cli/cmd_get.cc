// trail get: restore a run's artifacts or a data snapshot from the object store.
#include <cstdio>

#include "commands.h"
#include "trail/data.h"
#include "trail/format.h"
#include "trail/model_registry.h"

namespace trail::cli {

std::function<int()> SetupGet(CLI::App& sub) {
  auto o = std::make_shared<api::GetRequest>();
  auto progress = std::make_shared<ProgressOptions>();
  sub.add_option("run", o->run,
                 "run id, or a registered model version: model:NAME@ALIAS, model:NAME:N, model:NAME (latest)")
      ->required();
  sub.add_option("artifacts", o->artifacts, "artifacts to restore, by path, file name or role (default: all)");
  sub.add_option("-o,--output", o->out,
                 "folder to restore into (default: a folder named after the run); with --snapshot, a file or folder");
  sub.add_option("--snapshot", o->snapshot, "restore the data snapshot of this role (train, validation, ...)");
  sub.add_flag("-f,--force", o->force, "replace existing files with other content");
  AddProgressFlags(sub, *progress);
  return [o, progress] {
    auto project = OpenProject();
    if (!project) return 1;
    const bool model = o->run.starts_with("model:");
    if (model && (!o->artifacts.empty() || !o->snapshot.empty())) {
      PrintError("trail get model:...: a model version has one artifact; name no artifacts or --snapshot");
      return 2;
    }
    auto bar = MakeProgress(*progress, /*json=*/false);
    o->progress = bar.get();
    auto done = model ? api::GetModel(*project, o->run.substr(6), o->out, o->force) : api::GetFromRun(*project, *o);
    o->progress = nullptr;
    bar.reset();  // its last line before the report
    if (!done.ok()) return Fail(done.status());
    const std::string& id = done->id;
    if (!o->snapshot.empty()) {
      std::printf("%s: %s snapshot, %s of %s rows -> %s\n", id.c_str(), done->role.c_str(),
                  api::ScalarText(done->rows).c_str(), api::ScalarText(done->instances).c_str(), done->dest.c_str());
      return 0;
    }
    PrintWarnings(done->warnings);
    for (const api::RestoredArtifact& a : done->restored) {
      std::printf("%s%s (%s, %s)\n", a.dest.c_str(), a.folder ? "/" : "", a.role.c_str(),
                  api::FormatBytes(a.size).c_str());
    }
    const size_t n = done->restored.size();
    std::printf("restored %zu artifact%s of %s into %s\n", n, n == 1 ? "" : "s", id.c_str(), done->out.c_str());
    return 0;
  };
}

}  // namespace trail::cli
