// trail init: make the current Git repository a trail project.
#include <cstdio>

#include "commands.h"
#include "trail/project.h"

namespace trail::cli {

std::function<int()> SetupInit(CLI::App& sub) {
  auto opts = std::make_shared<api::InitOptions>();
  sub.add_option("--name", opts->name, "project name, the prefix of run ids (default: the folder name)");
  sub.add_flag("--git", opts->create_git, "create a Git repository here if there is none");
  return [opts] {
    auto r = api::InitProject(api::CurrentDirectory(), *opts);
    if (!r.ok()) return Fail(r.status());
    if (!r->created) {
      std::printf("trail: %s is already a trail project (name: %s); nothing changed\n", r->root.c_str(),
                  r->name.c_str());
      return 0;
    }
    std::printf("trail: initialized project '%s' in %s\n", r->name.c_str(), r->root.c_str());
    std::printf("Runs will be recorded on the branch 'trail'. Commit the configuration:\n  git add");
    for (const auto& f : r->to_add) std::printf(" %s", f.c_str());
    std::printf(" && git commit -m 'trail init'\n");
    return 0;
  };
}

}  // namespace trail::cli
