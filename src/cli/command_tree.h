// The command tree as CLI11 holds it once every command is registered, read back into plain
// data for what is generated from it: shell completion (cmd_completion.cc) and man pages
// (cmd_man.cc). Nothing about a command is written twice: its names, options and positionals
// come from its own Setup function's registrations.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace trail::cli {

// What a word in a given place may be completed with.
enum class ValueKind {
  kNone,     // free text (a note, KEY=VALUE, a number): nothing is offered
  kFiles,    // a path
  kRuns,     // a run id of this project (`trail __complete runs`)
  kRemotes,  // a remote's name (`trail __complete remotes`)
  kChoices,  // one of `choices` (a CLI::IsMember check)
};

struct OptionInfo {
  std::vector<std::string> names;  // "-r", "--remote"; a positional's one name ("run")
  std::string description;
  std::string value_name;  // "TEXT", "ID", "N": empty for a flag
  ValueKind kind = ValueKind::kNone;
  std::vector<std::string> choices;  // with kChoices
  bool repeats = false;              // a positional that takes several words
  bool required = false;
};

struct CommandInfo {
  std::vector<std::string> path;  // {} for trail itself, {"model", "inspect"}
  std::string description;
  std::vector<OptionInfo> options;      // named ones, in registration order (hidden ones left out)
  std::vector<OptionInfo> positionals;  // in order
  std::vector<size_t> children;         // indexes of the subcommands, hidden ones left out
};

// Every visible command under `root` (itself first, then depth first in registration order).
// Hidden commands and options (CLI11's empty group) are left out.
std::vector<CommandInfo> ReadCommandTree(const CLI::App& root);

}  // namespace trail::cli
