// trail model: one subcommand per job (inspect, diff, register, alias, ls, show), each in the
// file commands.h names.
#include <vector>

#include "commands.h"

namespace trail::cli {

std::function<int()> SetupModel(CLI::App& sub) {
  sub.require_subcommand(1);
  struct Sub {
    const char* name;
    const char* summary;
    std::function<std::function<int()>(CLI::App&)> setup;
  };
  const std::vector<Sub> subs = {
      {"inspect",
       "what a model file holds: format, tensors, architecture, functions: trail model inspect FILE | ID [ARTIFACT]",
       SetupModelInspect},
      {"diff", "compare two models tensor by tensor: trail model diff A B (files, or run ids)", SetupModelDiff},
      {"register",
       "make a new version of a named model from a run's artifacts: trail model register NAME ID [ARTIFACT...]",
       SetupModelRegister},
      {"alias", "point an alias (production, staging...) at a version: trail model alias NAME ALIAS VERSION -m WHY",
       SetupModelAlias},
      {"ls", "list the registered models, their versions and aliases", SetupModelLs},
      {"show", "one model version and its lineage: trail model show NAME[@ALIAS|:N]", SetupModelShow},
  };
  auto actions = std::make_shared<std::vector<std::pair<CLI::App*, std::function<int()>>>>();
  for (const Sub& s : subs) {
    CLI::App* app = sub.add_subcommand(s.name, s.summary);
    actions->push_back({app, s.setup(*app)});
  }
  return [actions] {
    for (const auto& [app, action] : *actions) {
      if (app->parsed()) return action();
    }
    return 2;
  };
}

}  // namespace trail::cli
