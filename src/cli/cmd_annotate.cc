// trail tag / note / rm: small edits to a run's record, each one commit on the runs branch.
#include <cstdio>

#include "commands.h"
#include "trail/runs.h"

namespace trail::cli {

std::function<int()> SetupTag(CLI::App& sub) {
  struct Opts {
    std::string run;
    std::vector<std::string> set, remove;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("run", o->run, "run id")->required();
  sub.add_option("tags", o->set, "KEY=VALUE ...");
  sub.add_option("-d,--delete", o->remove, "remove the tag KEY")->allow_extra_args(false);
  return [o] {
    auto edit = api::ParseTagEdit(o->set, o->remove);
    if (!edit.ok()) return Fail(edit.status());
    auto project = OpenProject();
    if (!project) return 1;
    Status s = api::TagRun(*project, o->run, *edit);
    if (!s.ok()) return Fail(s);
    return 0;
  };
}

std::function<int()> SetupNote(CLI::App& sub) {
  auto run = std::make_shared<std::string>();
  auto text = std::make_shared<std::vector<std::string>>();
  sub.add_option("run", *run, "run id")->required();
  sub.add_option("text", *text, "the note")->required();
  return [run, text] {
    std::string joined;
    for (const auto& t : *text) joined += (joined.empty() ? "" : " ") + t;
    auto project = OpenProject();
    if (!project) return 1;
    Status s = api::AddNote(*project, *run, joined);
    if (!s.ok()) return Fail(s);
    return 0;
  };
}

std::function<int()> SetupRm(CLI::App& sub) {
  auto runs = std::make_shared<std::vector<std::string>>();
  auto restore = std::make_shared<bool>(false);
  sub.add_option("runs", *runs, "run ids")->required();
  sub.add_flag("--restore", *restore, "un-archive instead");
  return [runs, restore] {
    auto project = OpenProject();
    if (!project) return 1;
    for (const auto& id : *runs) {
      Status s = api::ArchiveRun(*project, id, !*restore);
      if (!s.ok()) return Fail(s);
      std::printf("trail: %s %s\n", *restore ? "restored" : "archived", id.c_str());
    }
    return 0;
  };
}

std::function<int()> SetupIndex(CLI::App& sub) {
  auto rebuild = std::make_shared<bool>(false);
  auto progress = std::make_shared<ProgressOptions>();
  sub.add_flag("--rebuild", *rebuild, "throw the index away and rebuild it from the runs branch");
  AddProgressFlags(sub, *progress);
  return [rebuild, progress] {
    auto project = OpenProject();
    if (!project) return 1;
    std::vector<std::string> warnings;
    auto report = [&] {
      auto bar = MakeProgress(*progress, /*json=*/false);
      return api::CheckIndex(*project, *rebuild, &warnings, bar.get());
    }();
    PrintWarnings(warnings);
    if (!report.ok()) return Fail(report.status());
    PrintWarnings(report->unreadable);
    std::printf("trail: index holds %lld runs from branch '%s'\n", static_cast<long long>(report->runs),
                project->branch().c_str());
    return 0;
  };
}

}  // namespace trail::cli
