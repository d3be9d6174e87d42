#include "cli/commands.h"

namespace trail::cli {

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"init", "make this Git repository a trail project", SetupInit},
      {"run", "run a command and record it: trail run [options] -- CMD ARGS...", SetupRun},
      {"context", "print what a run would capture now (dry run): trail context [-- CMD ARGS...]", SetupContext},
      {"sweep", "hyperparameter search: trail sweep SPEC.yaml | show ID | resume ID | ls", SetupSweep},
      {"ls", "list runs, filtered and sorted (MLflow search syntax)", SetupLs},
      {"show", "print one run's whole record", SetupShow},
      {"diff", "compare two runs: params, metrics, environment, code", SetupDiff},
      {"tag", "set or remove tags on a run", SetupTag},
      {"note", "add a note to a run", SetupNote},
      {"rm", "archive a run (it stays in history; ls --all shows it)", SetupRm},
      {"index", "check or rebuild the local runs index", SetupIndex},
  };
  return kCommands;
}

}  // namespace trail::cli
