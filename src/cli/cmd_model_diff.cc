// STUB (issue 17): trail model diff.
#include "commands.h"

namespace trail::cli {

std::function<int()> SetupModelDiff(CLI::App&) {
  return [] {
    PrintError("trail model diff: not implemented yet");
    return 1;
  };
}

}  // namespace trail::cli
