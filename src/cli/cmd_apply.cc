// trail apply: bring a run's code snapshot and data into the working tree to continue from it.
#include <cstdio>

#include "commands.h"
#include "trail/apply.h"
#include "trail/format.h"

namespace trail::cli {
namespace {

std::string Plural(size_t n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

}  // namespace

std::function<int()> SetupApply(CLI::App& sub) {
  struct Opts {
    api::ApplyRequest request;
    std::string format = "text";
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("run", o->request.run, "run id, number or uid")->required();
  sub.add_option("-b,--branch", o->request.branch,
                 "create this branch at the run's code snapshot and switch to it, instead of changing the files of "
                 "the current branch");
  sub.add_flag("--stash", o->request.stash,
               "stash your uncommitted changes first (git stash push --include-untracked; git stash pop brings them "
               "back)");
  sub.add_option("--format", o->format, "text | json")->check(CLI::IsMember({"text", "json"}));
  sub.footer(
      "Without --branch, the working tree's files become the snapshot's (the run's uncommitted edits and "
      "untracked files included; files it ran without are deleted) while HEAD, the branch and the index stay, so "
      "the changes show as uncommitted. Then the run's data inputs are restored at their recorded paths and the "
      "data of its pointer files is checked out. Nothing is written when that would replace uncommitted work: "
      "the files are named instead.");
  return [o] {
    auto project = OpenProject();
    if (!project) return 1;
    auto done = api::ApplyRun(*project, o->request);
    if (!done.ok()) return Fail(done.status());
    if (o->format == "json") {
      Json data = Json::array();
      for (const api::AppliedData& d : done->data) {
        Json j = {{"role", d.role}, {"path", d.path}, {"oid", d.oid}, {"state", d.state}};
        if (!d.problem.empty()) j["problem"] = d.problem;
        data.push_back(std::move(j));
      }
      Json out = {{"id", done->id},
                  {"snapshot", done->snapshot},
                  {"branch", done->branch.empty() ? Json() : Json(done->branch)},
                  {"stashed", done->stashed},
                  {"stash_message", done->stashed ? Json(done->stash_message) : Json()},
                  {"changed", done->changed},
                  {"added", done->added},
                  {"deleted", done->deleted},
                  {"data", data},
                  {"checked_out", done->checked_out},
                  {"warnings", done->warnings}};
      std::printf("%s\n", api::DumpJson(out).c_str());
      return 0;
    }
    if (done->stashed)
      std::printf("stashed your changes: \"%s\" (git stash pop brings them back)\n", done->stash_message.c_str());
    const std::string counts = Plural(done->changed.size(), "file") + " changed, " +
                               std::to_string(done->added.size()) + " added, " + std::to_string(done->deleted.size()) +
                               " deleted";
    if (!done->branch.empty()) {
      std::printf("switched to a new branch %s at %s's code snapshot %s (%s)\n", done->branch.c_str(), done->id.c_str(),
                  done->snapshot.substr(0, 12).c_str(), counts.c_str());
    } else {
      std::printf("applied %s's code snapshot %s: %s; HEAD, branch and index unchanged (see git status)\n",
                  done->id.c_str(), done->snapshot.substr(0, 12).c_str(), counts.c_str());
    }
    size_t restored = 0, present = 0;
    for (const api::AppliedData& d : done->data) {
      if (d.state == "restored") {
        ++restored;
        std::printf("data %s: %s restored\n", d.role.c_str(), d.path.c_str());
      } else if (d.state == "present") {
        ++present;
      }
    }
    for (const std::string& p : done->checked_out) std::printf("data %s checked out\n", p.c_str());
    if (!done->data.empty())
      std::printf("%s: %zu restored, %zu already there, %zu not restored\n",
                  Plural(done->data.size(), "data input").c_str(), restored, present,
                  done->data.size() - restored - present);
    PrintWarnings(done->warnings);
    return 0;
  };
}

}  // namespace trail::cli
