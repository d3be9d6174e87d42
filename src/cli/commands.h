// The setup function of every subcommand; the table is in commands.cc.
#pragma once

#include "command.h"

namespace trail::cli {

std::function<int()> SetupInit(CLI::App& sub);
std::function<int()> SetupRun(CLI::App& sub);
std::function<int()> SetupLs(CLI::App& sub);
std::function<int()> SetupShow(CLI::App& sub);
std::function<int()> SetupDiff(CLI::App& sub);
std::function<int()> SetupTag(CLI::App& sub);
std::function<int()> SetupNote(CLI::App& sub);
std::function<int()> SetupRm(CLI::App& sub);
std::function<int()> SetupIndex(CLI::App& sub);
std::function<int()> SetupContext(CLI::App& sub);
std::function<int()> SetupSweep(CLI::App& sub);
std::function<int()> SetupAdd(CLI::App& sub);
std::function<int()> SetupStatus(CLI::App& sub);
std::function<int()> SetupCheckout(CLI::App& sub);
std::function<int()> SetupGet(CLI::App& sub);
std::function<int()> SetupGc(CLI::App& sub);
std::function<int()> SetupFsck(CLI::App& sub);
std::function<int()> SetupRemote(CLI::App& sub);
std::function<int()> SetupPush(CLI::App& sub);
std::function<int()> SetupFetch(CLI::App& sub);
std::function<int()> SetupPull(CLI::App& sub);
std::function<int()> SetupApply(CLI::App& sub);
std::function<int()> SetupReproduce(CLI::App& sub);
std::function<int()> SetupEnv(CLI::App& sub);
std::function<int()> SetupUi(CLI::App& sub);
std::function<int()> SetupModel(CLI::App& sub);
std::function<int()> SetupImport(CLI::App& sub);      // cmd_import.cc
std::function<int()> SetupCompletion(CLI::App& sub);  // cmd_completion.cc
std::function<int()> SetupHelp(CLI::App& sub);        // cmd_help.cc
std::function<int()> SetupComplete(CLI::App& sub);    // cmd_completion.cc: hidden, for the script
// `trail model` subcommands (cmd_model.cc dispatches): each adds its options to its own
// sub-subcommand and returns its action.
std::function<int()> SetupModelInspect(CLI::App& sub);   // cmd_model_inspect.cc
std::function<int()> SetupModelDiff(CLI::App& sub);      // cmd_model_diff.cc
std::function<int()> SetupModelRegister(CLI::App& sub);  // cmd_model_registry.cc
std::function<int()> SetupModelAlias(CLI::App& sub);     // cmd_model_registry.cc
std::function<int()> SetupModelLs(CLI::App& sub);        // cmd_model_registry.cc
std::function<int()> SetupModelShow(CLI::App& sub);      // cmd_model_registry.cc

}  // namespace trail::cli
