// STUB (issue 17): trail model inspect.
#include "commands.h"

namespace trail::cli {

std::function<int()> SetupModelInspect(CLI::App&) {
  return [] {
    PrintError("trail model inspect: not implemented yet");
    return 1;
  };
}

}  // namespace trail::cli
