// trail help [COMMAND...]: a command's --help; with --man, its manual page in troff, generated
// from the same command tree (command_tree.h) as the help and the shell completion: trail(1)
// and one trail-COMMAND(1) per command and subcommand (trail-model-inspect(1)).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "command_tree.h"
#include "commands.h"
#include "trail/format.h"

namespace trail::cli {
namespace {

// Text as troff shows it literally: backslashes and dashes escaped, no line taken for a request.
std::string Roff(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
    line_start = c == '\n';
  }
  return out;
}

std::string Join(const std::vector<std::string>& words, const std::string& sep) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : sep) + w;
  return out;
}

std::string Upper(std::string s) {
  for (char& c : s) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return s;
}

// "trail", "trail-show", "trail-model-inspect": the page's name.
std::string PageName(const CommandInfo& c) { return c.path.empty() ? "trail" : "trail-" + Join(c.path, "-"); }

std::string ManPage(const std::vector<CommandInfo>& tree, const CommandInfo& c, const std::string& footer) {
  const std::string name = PageName(c);
  const std::string words = Join(c.path, " ");
  std::string first_line = c.description.substr(0, c.description.find('\n'));
  std::string s = ".TH " + Upper(name) + " 1 \"\" \"trail " TRAIL_VERSION "\" \"trail manual\"\n";
  s += ".SH NAME\n" + Roff(name) + " \\- " +
       Roff(c.path.empty() ? "the complete trail of every ML experiment" : first_line) + "\n";
  s += ".SH SYNOPSIS\n.B trail" + (words.empty() ? "" : " " + Roff(words)) + "\n";
  if (!c.options.empty()) s += "[\\fIOPTIONS\\fR]";
  if (!c.children.empty()) s += " \\fICOMMAND\\fR";
  for (const OptionInfo& p : c.positionals) {
    std::string word = "\\fI" + Roff(Upper(p.names[0])) + "\\fR" + (p.repeats ? "..." : "");
    s += " " + (p.required ? word : "[" + word + "]");
  }
  s += "\n.SH DESCRIPTION\n.nf\n" + Roff(c.description) + "\n.fi\n";
  if (!footer.empty()) s += ".PP\n.nf\n" + Roff(footer) + "\n.fi\n";
  if (!c.positionals.empty()) {
    s += ".SH ARGUMENTS\n";
    for (const OptionInfo& p : c.positionals)
      s += ".TP\n.I " + Roff(Upper(p.names[0])) + "\n" + Roff(p.description) + "\n";
  }
  if (!c.options.empty()) {
    s += ".SH OPTIONS\n";
    for (const OptionInfo& o : c.options) {
      s += ".TP\n\\fB" + Roff(Join(o.names, ", ")) + "\\fR";
      if (!o.value_name.empty()) s += " \\fI" + Roff(o.value_name) + "\\fR";
      s += "\n" + Roff(o.description) + "\n";
    }
  }
  if (!c.children.empty()) {
    s += ".SH COMMANDS\n";
    for (size_t child : c.children) {
      const CommandInfo& sub = tree[child];
      s += ".TP\n\\fB" + Roff(PageName(sub)) + "\\fR(1)\n" + Roff(sub.description) + "\n";
    }
  }
  s += ".SH SEE ALSO\n";
  s += c.path.empty() ? "git(1); the docs/ folder of trail's sources\n" : "\\fBtrail\\fR(1)\n";
  return s;
}

// Writes `text` to DIR/NAME, replacing a file but never following a link there.
Status WriteFile(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot write " + path + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      return IoError("cannot write " + path + ": " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return IoError("cannot write " + path + ": " + std::strerror(errno));
  return Status::Ok();
}

struct HelpOptions {
  std::vector<std::string> command;
  bool man = false;
  std::string output_dir;
};

}  // namespace

std::function<int()> SetupHelp(CLI::App& sub) {
  auto o = std::make_shared<HelpOptions>();
  sub.add_option("command", o->command, "the command, as typed after trail (model inspect); none: trail itself");
  sub.add_flag("--man", o->man, "print the manual page (troff, for man -l -) instead of the help");
  sub.add_option("--output-dir", o->output_dir,
                 "with --man: write every page (trail.1, trail-show.1, trail-model-inspect.1, ...) into this folder");
  CLI::App* root = sub.get_parent();
  return [o, root]() -> int {
    const std::vector<CommandInfo> tree = ReadCommandTree(*root);
    const CommandInfo* found = nullptr;
    for (const CommandInfo& c : tree) {
      if (c.path == o->command) found = &c;
    }
    if (found == nullptr) {
      PrintError("no command 'trail " + api::EscapeForMessage(Join(o->command, " ")) + "' (see trail --help)");
      return 2;
    }
    // CLI11's footer of a command (completion's install hint) belongs on its page too.
    const CLI::App* app = root;
    for (const auto& word : found->path) app = app->get_subcommand(word);
    if (!o->output_dir.empty()) {
      if (!o->man || !o->command.empty()) {
        PrintError("--output-dir writes every page: it goes with --man and no command");
        return 2;
      }
      for (const CommandInfo& c : tree) {
        const CLI::App* a = root;
        for (const auto& word : c.path) a = a->get_subcommand(word);
        Status s = WriteFile(o->output_dir + "/" + PageName(c) + ".1", ManPage(tree, c, a->get_footer()));
        if (!s.ok()) return Fail(s);
      }
      return 0;
    }
    std::fputs(o->man ? ManPage(tree, *found, app->get_footer()).c_str() : app->help().c_str(), stdout);
    return 0;
  };
}

}  // namespace trail::cli
