// trail: the complete trail of every ML experiment, kept in the project's Git repository.
#include <malloc.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>

#include "command.h"
#include "terminal.h"
#include "trail/format.h"

namespace {

constexpr const char* kDescription =
    "trail records every training run (params, metrics, code, environment, data, models) in\n"
    "this Git repository, on the branch `trail`, without touching your work tree.\n\n"
    "  trail init                      make this repository a trail project\n"
    "  trail run -- python train.py    run and record a training script\n"
    "  trail ls --where 'metrics.val_loss < 0.3'\n"
    "  trail show fraud-58             the whole record\n"
    "  trail diff fraud-57 fraud-58    what changed between two runs\n"
    "  trail context -- python train.py  what a run would capture (a dry run)\n"
    "  trail sweep sweep.yaml          hyperparameter search; every trial is a run\n"
    "  trail add data/train.csv        version data too big for Git (a pointer to commit)\n"
    "  trail run --data train=data/train.csv --artifact models/ -- python train.py\n"
    "  trail get fraud-58 -o out/      the model files a run wrote (--snapshot train: its data sample)\n"
    "  trail push / trail pull         share the store (folder or S3) and the runs branch\n"
    "  trail reproduce fraud-58        recreate a run from the repository; exit 0 when it came out the same\n"
    "  trail apply fraud-58            bring a run's code and data into your working tree, safely\n"
    "  trail run --resume fraud-58 -- python train.py   continue a killed run as the same run\n"
    "  trail ui                        the runs in a browser, live (and a REST API: docs/api.md)\n\n"
    "Options before the command:\n"
    "  -C DIR                          run as if trail was started in DIR (repeatable: each one\n"
    "                                  relative to the previous, as git -C)\n"
    "Options anywhere before a `--`:\n"
    "  --color[=WHEN]                  colour: auto (default: on a terminal, unless NO_COLOR is set\n"
    "                                  or TERM=dumb; CLICOLOR_FORCE=1 forces it), always, never\n\n"
    "Docs: docs/README.md. Each command has --help.";

// git's `-C DIR` before the command: each one changes directory relative to the previous one.
// Removes them from `args`; false (after one line on stderr) when a directory cannot be entered.
bool ChangeDirectories(std::vector<std::string>& args) {
  size_t i = 1;
  while (i < args.size() && (args[i] == "-C" || (args[i].rfind("-C", 0) == 0 && args[i].size() > 2))) {
    std::string dir;
    size_t used = 1;
    if (args[i] == "-C") {
      if (i + 1 >= args.size()) {
        std::fprintf(stderr, "trail: error: -C needs a directory (see trail --help)\n");
        return false;
      }
      dir = args[i + 1];
      used = 2;
    } else {
      dir = args[i].substr(2);
    }
    // As git: an empty directory changes nothing.
    if (!dir.empty() && ::chdir(dir.c_str()) != 0) {
      std::fprintf(stderr, "trail: error: cannot change to '%s': %s\n", trail::api::EscapeForMessage(dir).c_str(),
                   std::strerror(errno));
      return false;
    }
    args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i + used));
  }
  return true;
}

// `--color[=WHEN]` anywhere before the command's `--` (git's spelling; `--color` alone is
// always): removed from `args`, so every command takes it. False (after one line on stderr)
// for a WHEN that is not auto, always or never.
bool TakeColorOption(std::vector<std::string>& args) {
  using trail::cli::ColorChoice;
  ColorChoice choice = ColorChoice::kAuto;
  for (size_t i = 1; i < args.size();) {
    if (args[i] == "--") break;  // the user's command (trail run, trail sweep): never ours
    std::string when;
    size_t used = 1;
    if (args[i] == "--color") {
      when = "always";
      ColorChoice next;
      if (i + 1 < args.size() && trail::cli::ParseColorChoice(args[i + 1], &next)) {
        when = args[i + 1];
        used = 2;
      }
    } else if (args[i].rfind("--color=", 0) == 0) {
      when = args[i].substr(8);
    } else {
      ++i;
      continue;
    }
    if (!trail::cli::ParseColorChoice(when, &choice)) {
      std::fprintf(stderr, "trail: error: --color takes auto, always or never, not '%s'\n",
                   trail::api::EscapeForMessage(when).c_str());
      return false;
    }
    args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i + used));
  }
  trail::cli::SetColorChoice(choice);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  // The object store's pipeline allocates 16-64 MiB buffers over and over. Above glibc's
  // default threshold each would be a fresh mmap, zero-filled page by page and unmapped again;
  // keeping them on the heap lets them be reused (measured: a third of `trail add`'s CPU).
  mallopt(M_MMAP_THRESHOLD, 512 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  // Everything after `trail run ... --` is the user's command, untouched by CLI11.
  std::vector<std::string> args(argv, argv + argc);
  if (!ChangeDirectories(args)) return 2;
  std::vector<std::string> command_tail;
  bool have_tail = false;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "run") {
      for (size_t j = i + 1; j < args.size(); ++j) {
        if (args[j] == "--") {
          command_tail.assign(args.begin() + static_cast<long>(j) + 1, args.end());
          args.resize(j);
          have_tail = true;
          break;
        }
      }
      break;
    }
    if (!args[i].empty() && args[i][0] != '-') break;  // another subcommand
  }

  if (!TakeColorOption(args)) return 2;

  CLI::App app(kDescription, "trail");
  app.set_version_flag("--version", std::string("trail ") + TRAIL_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);
  std::function<int()> action;
  for (const auto& cmd : trail::cli::Commands()) {
    CLI::App* sub = app.add_subcommand(cmd.name, cmd.summary);
    auto run = cmd.setup(*sub);
    sub->callback([&action, run] { action = run; });
  }
  if (have_tail) {
    // Hand the command after `--` to `trail run` as its positional arguments.
    args.push_back("--");
    args.insert(args.end(), command_tail.begin(), command_tail.end());
  }
  std::vector<char*> cargv;
  for (auto& a : args) cargv.push_back(a.data());
  try {
    app.parse(static_cast<int>(cargv.size()), cargv.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    trail::cli::PrintError(what + " (see trail --help)");
    return 2;
  }
  // Failures are Status values all the way up; an exception here is a bug, but it still gets one
  // line and an exit code instead of an abort and a core dump.
  try {
    return action ? action() : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "trail: error: internal error: %s\n", trail::api::SanitizeUtf8(e.what()).c_str());
    return 70;  // EX_SOFTWARE
  }
}
