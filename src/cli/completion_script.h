// The pieces the completion scripts share (cmd_completion.cc writes bash's, completion_zsh.cc
// and completion_fish.cc zsh's and fish's), all from the same command tree.
#pragma once

#include <string>
#include <vector>

#include "command_tree.h"

namespace trail::cli {

// Words go into the scripts between single quotes and are split unquoted there (no glob
// characters); CLI11 names and IsMember choices are plain words already, anything else is left
// out rather than quoted.
bool PlainWord(const std::string& w);
// The plain ones of `words`, `sep` between them.
std::string JoinPlain(const std::vector<std::string>& words, char sep);
// A description as one line: control characters made spaces, cut at `max` bytes on a character
// boundary. Still to be quoted for the shell.
std::string OneLine(const std::string& text, size_t max = 120);
// `text` in single quotes: POSIX shells' and zsh's way ('\'' for a quote), or fish's (\' and \\).
std::string ShellQuote(const std::string& text);
std::string FishQuote(const std::string& text);
// The scripts' name for a kind of value: runs, remotes, files, none, or =a,b,c for choices.
std::string KindWord(const OptionInfo& o);

std::string ZshScript(const std::vector<CommandInfo>& tree);
std::string FishScript(const std::vector<CommandInfo>& tree);

}  // namespace trail::cli
