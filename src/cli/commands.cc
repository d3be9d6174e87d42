#include "commands.h"

namespace trail::cli {

// cmd_export.cc (declared here rather than in commands.h, which every command includes).
std::function<int()> SetupExport(CLI::App& sub);

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"init", "make this Git repository a trail project", SetupInit},
      {"run", "run a command and record it: trail run [options] -- CMD ARGS...", SetupRun},
      {"context", "print what a run would capture now (dry run): trail context [-- CMD ARGS...]", SetupContext},
      {"sweep", "hyperparameter search: trail sweep SPEC.yaml | show ID | resume ID | ls", SetupSweep},
      {"ls", "list runs, filtered and sorted (MLflow search syntax)", SetupLs},
      {"show", "print one run's whole record", SetupShow},
      {"export", "write the runs, params, metric series and tags as CSV or JSON Lines tables: trail export -o DIR",
       SetupExport},
      {"diff", "compare two runs: params, metrics, environment, code", SetupDiff},
      {"reproduce", "recreate a run in a worktree and say whether it came out the same: trail reproduce ID",
       SetupReproduce},
      {"env", "print the environment a run recorded (--format requirements: pinned packages)", SetupEnv},
      {"apply", "bring a run's code snapshot and data into the working tree: trail apply ID [--branch NAME] [--stash]",
       SetupApply},
      {"ui", "serve the web UI and its REST API for this project: trail ui [--port N] [--open]", SetupUi},
      {"model",
       "what is in a model file, two models compared, named model versions: trail model "
       "inspect|diff|register|alias|ls|show",
       SetupModel},
      {"import", "bring in runs another tool recorded: trail import mlflow PATH (an mlruns/ folder)", SetupImport},
      {"tag", "set or remove tags on a run", SetupTag},
      {"note", "add a note to a run", SetupNote},
      {"rm", "archive a run (it stays in history; ls --all shows it)", SetupRm},
      {"index", "check or rebuild the local runs index", SetupIndex},
      {"add", "version files or folders in the object store; writes PATH.trail pointers to commit", SetupAdd},
      {"status", "list tracked data that is modified or missing", SetupStatus},
      {"checkout", "restore tracked data from the object store to match its pointers", SetupCheckout},
      {"get", "restore a run's artifacts or data snapshot: trail get ID [ARTIFACT] -o DIR", SetupGet},
      {"gc", "delete stored objects nothing needs any more (--dry-run lists them)", SetupGc},
      {"fsck", "verify every stored object; name the data and runs a damaged one affects", SetupFsck},
      {"remote",
       "the object store's remotes: trail remote add NAME URL | ls | rm NAME | default NAME | modify NAME KEY VALUE",
       SetupRemote},
      {"push",
       "upload the packs a remote lacks; merge the runs branch with Git's (runs whose ids another clone took are "
       "renumbered) and push it: trail push [REMOTE]",
       SetupPush},
      {"fetch",
       "download the packs this store lacks from a remote, and merge in the runs other clones pushed: trail fetch "
       "[REMOTE]",
       SetupFetch},
      {"pull", "fetch, then restore tracked data to match its pointers: trail pull [REMOTE] [PATH...]", SetupPull},
      {"completion", "print the shell completion script: source <(trail completion bash)", SetupCompletion},
      {"help", "a command's help, or its manual page: trail help [--man] [COMMAND...]", SetupHelp},
      {"__complete", "", SetupComplete},
  };
  return kCommands;
}

}  // namespace trail::cli
