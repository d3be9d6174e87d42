// STUB (issue 17): trail model register / alias / ls / show.
#include "commands.h"

namespace trail::cli {
namespace {

std::function<int()> NotYet(const char* what) {
  return [what] {
    PrintError(std::string("trail model ") + what + ": not implemented yet");
    return 1;
  };
}

}  // namespace

std::function<int()> SetupModelRegister(CLI::App&) { return NotYet("register"); }
std::function<int()> SetupModelAlias(CLI::App&) { return NotYet("alias"); }
std::function<int()> SetupModelLs(CLI::App&) { return NotYet("ls"); }
std::function<int()> SetupModelShow(CLI::App&) { return NotYet("show"); }

}  // namespace trail::cli
