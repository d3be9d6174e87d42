// trail tag / note / rm: small edits to a run's record, each one commit on the runs branch.
#include <cstdio>

#include "cli/commands.h"
#include "record/params.h"
#include "record/record.h"
#include "base/clock.h"

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
    if (o->set.empty() && o->remove.empty()) return Fail(InvalidArgument("nothing to do: give KEY=VALUE or -d KEY"));
    auto tags = record::ParseAssignments(o->set, "tag", false);
    if (!tags.ok()) return Fail(tags.status());
    auto project = OpenProject();
    if (!project) return 1;
    std::string what;
    for (const auto& s : o->set) what += " " + s;
    for (const auto& r : o->remove) what += " -" + r;
    Status s = project->UpdateRun(o->run, [&](Json& rec) -> Status {
      Json t = rec.value("tags", Json::object());
      record::MergeInto(t, *tags);
      for (const auto& k : o->remove) {
        if (!t.contains(k)) return NotFound(o->run + " has no tag " + k);
        t.erase(k);
      }
      if (t.empty()) rec.erase("tags");
      else rec["tags"] = t;
      return Status::Ok();
    }, "trail: tag " + o->run + what);
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
    git::Identity who = project->user();
    Status s = project->UpdateRun(*run, [&](Json& rec) -> Status {
      Json notes = rec.value("notes", Json::array());
      notes.push_back(Json{{"time", FormatIsoTime(NowUnixSeconds())}, {"user", who.name}, {"text", joined}});
      rec["notes"] = notes;
      return Status::Ok();
    }, "trail: note on " + *run);
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
      Status s = project->UpdateRun(id, [&](Json& rec) -> Status {
        if (*restore) rec.erase("archived");
        else rec["archived"] = true;
        return Status::Ok();
      }, std::string("trail: ") + (*restore ? "restore " : "archive ") + id);
      if (!s.ok()) return Fail(s);
      std::printf("trail: %s %s\n", *restore ? "restored" : "archived", id.c_str());
    }
    return 0;
  };
}

std::function<int()> SetupIndex(CLI::App& sub) {
  auto rebuild = std::make_shared<bool>(false);
  sub.add_flag("--rebuild", *rebuild, "throw the index away and rebuild it from the runs branch");
  return [rebuild] {
    auto project = OpenProject();
    if (!project) return 1;
    auto idx = *rebuild ? project->RebuildIndex() : project->Index();
    if (!idx.ok()) return Fail(idx.status());
    if (!*rebuild) {
      // Up to date by its own word; check its rows too (a file edited since).
      Status check = (*idx)->CheckAgainst(project->repo(), project->runs_ref());
      if (check.code() == Code::kCorrupt) {
        PrintWarning(check.message() + "; rebuilding it from the runs branch");
        idx = project->RebuildIndex();
        if (!idx.ok()) return Fail(idx.status());
      } else if (!check.ok()) {
        return Fail(check);
      }
    }
    ReportIndexProblems(**idx);
    std::printf("trail: index holds %lld runs from branch '%s'\n", static_cast<long long>((*idx)->Count()),
                project->branch().c_str());
    return 0;
  };
}

}  // namespace trail::cli
