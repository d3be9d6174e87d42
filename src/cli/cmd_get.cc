// trail get: restore a run's artifacts or a data snapshot from the object store.
#include <cstdio>

#include "cli/commands.h"
#include "tracked/run_restore.h"
#include "record/record.h"
#include "base/numbers.h"

namespace trail::cli {

std::function<int()> SetupGet(CLI::App& sub) {
  struct Opts {
    std::string run;
    std::vector<std::string> artifacts;
    std::string out;
    std::string snapshot;
    bool force = false;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("run", o->run, "run id")->required();
  sub.add_option("artifacts", o->artifacts, "artifacts to restore, by path, file name or role (default: all)");
  sub.add_option("-o,--output", o->out, "folder to restore into (default: a folder named after the run); with --snapshot, a file or folder");
  sub.add_option("--snapshot", o->snapshot, "restore the data snapshot of this role (train, validation, ...)");
  sub.add_flag("-f,--force", o->force, "replace existing files with other content");
  return [o] {
    auto project = OpenProject();
    if (!project) return 1;
    auto run = project->LoadRun(o->run);
    if (!run.ok()) return Fail(run.status());
    const Json& rec = run->record;
    const std::string id = record::GetString(rec, "id");

    if (!o->snapshot.empty()) {
      if (!o->artifacts.empty()) return Fail(InvalidArgument("--snapshot restores data; name no artifacts with it"));
      auto snap = RestoreSnapshot(*project, rec, o->snapshot, o->out, o->force);
      if (!snap.ok()) return Fail(snap.status());
      std::printf("%s: %s snapshot, %s of %s rows -> %s\n", id.c_str(), snap->role.c_str(),
                  record::ScalarText(snap->rows).c_str(), record::ScalarText(snap->instances).c_str(),
                  snap->dest.c_str());
      return 0;
    }

    auto done = RestoreArtifacts(*project, rec, o->artifacts, o->out, o->force);
    if (!done.ok()) return Fail(done.status());
    for (const std::string& w : done->warnings) PrintWarning(w);
    for (const RestoredArtifact& a : done->restored) {
      std::printf("%s%s (%s, %s)\n", a.dest.c_str(), a.folder ? "/" : "", a.role.c_str(), FormatBytes(a.size).c_str());
    }
    const size_t n = done->restored.size();
    std::printf("restored %zu artifact%s of %s into %s\n", n, n == 1 ? "" : "s", id.c_str(), done->out.c_str());
    return 0;
  };
}

}  // namespace trail::cli
