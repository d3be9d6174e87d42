#include "context/python_command.h"

#include <cctype>

#include "base/files.h"
#include "context/pyenv.h"
#include "context/text_files.h"

namespace trail::context {
namespace {

// exec's search path when PATH is unset (glibc's confstr(_CS_PATH)).
constexpr const char* kDefaultPath = "/bin:/usr/bin";
// Linux follows at most this many nested interpreters.
constexpr int kMaxInterpreterDepth = 5;

std::string AbsoluteArg(const std::string& path, const std::string& cwd) {
  return path.empty() || path[0] == '/' ? path : JoinPath(cwd, path);
}

// What execvp would run for `name`: a path as given, else the first
// executable match on PATH.
std::optional<std::string> ResolveProgram(const std::string& name, const std::string& cwd,
                                          const std::map<std::string, std::string>& env) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) {
    std::string path = AbsoluteArg(name, cwd);
    if (IsRegularFile(path)) return path;
    return std::nullopt;
  }
  auto it = env.find("PATH");
  std::string path_var = it == env.end() ? kDefaultPath : it->second;
  for (const std::string& dir : SplitString(path_var, ':')) {
    std::string candidate = JoinPath(AbsoluteArg(dir.empty() ? "." : dir, cwd), name);
    if (IsExecutableFile(candidate)) return candidate;
  }
  return std::nullopt;
}

// The interpreter line of a script: {interpreter, optional single argument}.
// Linux passes everything after the interpreter as one argument.
std::optional<std::pair<std::string, std::string>> Shebang(const std::string& path) {
  auto head = ReadHead(path, 256);
  if (!head || head->compare(0, 2, "#!") != 0) return std::nullopt;
  std::string_view line = std::string_view(*head).substr(2);
  line = Trim(line.substr(0, line.find('\n')));
  size_t space = line.find_first_of(" \t");
  std::string interpreter(line.substr(0, space));
  if (interpreter.empty()) return std::nullopt;
  std::string arg(space == std::string_view::npos ? std::string_view() : Trim(line.substr(space)));
  return std::make_pair(interpreter, arg);
}

// Applies env(1)'s options and NAME=VALUE assignments from the front of
// `args`, leaving the command and its arguments there.
void ApplyEnvOptions(std::vector<std::string>* args, PythonCommand* state) {
  size_t i = 0;
  auto value_of = [&](const std::string& a, size_t short_len) -> std::string {
    if (a.compare(0, 2, "--") == 0) {
      size_t eq = a.find('=');
      if (eq != std::string::npos) return a.substr(eq + 1);
      return i + 1 < args->size() ? (*args)[++i] : "";
    }
    if (a.size() > short_len) return a.substr(short_len);
    return i + 1 < args->size() ? (*args)[++i] : "";
  };
  for (; i < args->size(); ++i) {
    const std::string a = (*args)[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "-" || a == "-i" || a == "--ignore-environment") {
      state->env.clear();
    } else if (a.compare(0, 2, "-u") == 0 || a.compare(0, 7, "--unset") == 0) {
      state->env.erase(value_of(a, 2));
    } else if (a.compare(0, 2, "-C") == 0 || a.compare(0, 7, "--chdir") == 0) {
      state->cwd = AbsoluteArg(value_of(a, 2), state->cwd);
    } else if (a.compare(0, 2, "-S") == 0 || a.compare(0, 14, "--split-string") == 0) {
      std::vector<std::string> words = SplitWhitespace(value_of(a, 2));
      args->erase(args->begin(), args->begin() + static_cast<long>(i) + 1);
      args->insert(args->begin(), words.begin(), words.end());
      i = static_cast<size_t>(-1);  // rescan from the spliced words
    } else if (a.size() > 1 && a[0] == '-') {
      // -0, -v, --default-signal[=SIG], ...: nothing that changes what runs.
    } else if (a.find('=') != std::string::npos && a[0] != '=') {
      size_t eq = a.find('=');
      state->env[a.substr(0, eq)] = a.substr(eq + 1);
    } else {
      break;
    }
  }
  args->erase(args->begin(), args->begin() + static_cast<long>(std::min(i, args->size())));
}

// Reads the interpreter options before the script, -m or -c.
void ApplyPythonOptions(const std::vector<std::string>& args, PythonCommand* cmd) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 2 || a[0] != '-' || a == "--") return;
    if (a[1] == '-') continue;  // --version, --help: no effect on sys.path
    for (size_t j = 1; j < a.size(); ++j) {
      char c = a[j];
      if (c == 'c' || c == 'm') return;
      if (c == 'W' || c == 'X') {  // takes a value, attached or next
        if (j + 1 == a.size()) ++i;
        break;
      }
      if (c == 'E') cmd->ignore_environment = true;
      if (c == 's') cmd->no_user_site = true;
      if (c == 'S') cmd->no_site = true;
      if (c == 'I') cmd->ignore_environment = cmd->no_user_site = true;
    }
  }
}

}  // namespace

bool IsPythonName(const std::string& name) {
  if (name.compare(0, 6, "python") != 0) return false;
  size_t i = 6;
  auto digits = [&] {
    size_t b = i;
    while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]))) ++i;
    return i > b;
  };
  if (digits() && i < name.size() && name[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  // ABI flags: t (free-threaded), d (debug), m (pymalloc, before 3.8).
  while (i < name.size() && (name[i] == 't' || name[i] == 'd' || name[i] == 'm')) ++i;
  return i == name.size();
}

std::optional<PythonCommand> FindPythonCommand(const std::vector<std::string>& argv, const std::string& cwd,
                                               const ContextEnv& env) {
  if (argv.empty()) return std::nullopt;
  PythonCommand cmd;
  cmd.env = env.env;
  cmd.cwd = cwd;
  std::string program = argv[0];
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  for (int depth = 0; depth < kMaxInterpreterDepth; ++depth) {
    std::string name = BaseName(program);
    if (name == "env") {
      ApplyEnvOptions(&args, &cmd);
      if (args.empty()) return std::nullopt;
      program = args.front();
      args.erase(args.begin());
      continue;
    }
    std::optional<std::string> path = ResolveProgram(program, cmd.cwd, cmd.env);
    if (!path) return std::nullopt;
    // A pyenv shim (python3, or a console script such as torchrun) stands
    // for the program of the version pyenv selects.
    if (IsPyenvShim(*path)) {
      if (auto chosen = ResolvePyenvShim(*path, cmd.cwd, cmd.env)) path = chosen;
    }
    if (IsPythonName(name)) {
      cmd.interpreter = *path;
      ApplyPythonOptions(args, &cmd);
      cmd.args = std::move(args);
      return cmd;
    }
    auto shebang = Shebang(*path);
    if (!shebang) return std::nullopt;
    args.insert(args.begin(), *path);
    if (!shebang->second.empty()) args.insert(args.begin(), shebang->second);
    program = shebang->first;
  }
  return std::nullopt;
}

}  // namespace trail::context
