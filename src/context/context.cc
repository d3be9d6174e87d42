#include "context/context.h"

#include "base/files.h"
#include "context/dist_info.h"
#include "context/package_scan.h"
#include "context/processors.h"
#include "context/program_sources.h"
#include "context/python_command.h"
#include "context/python_env.h"
#include "context/system_info.h"
#include "context/text_files.h"

extern char** environ;

namespace trail::context {

ContextEnv ContextEnv::FromProcess() {
  ContextEnv env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry = *e;
    size_t eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    env.env.emplace(entry.substr(0, eq), entry.substr(eq + 1));  // the first of duplicates wins, as getenv has it
  }
  return env;
}

std::string ContextEnv::Path(const std::string& relative) const {
  std::string rel = relative;
  while (!rel.empty() && rel[0] == '/') rel.erase(0, 1);
  return JoinPath(root.empty() ? "/" : root, rel);
}

const std::string* ContextEnv::Get(const std::string& name) const {
  auto it = env.find(name);
  return it == env.end() ? nullptr : &it->second;
}

namespace {

void MakeStringsValidUtf8(Json* j) {
  if (j->is_string()) {
    *j = SanitizeUtf8(j->get_ref<const std::string&>());
  } else if (j->is_structured()) {
    for (auto& item : *j) MakeStringsValidUtf8(&item);
  }
}

}  // namespace

Json CaptureEnvironment(const std::vector<std::string>& argv, const std::string& cwd, const ContextEnv& env,
                        std::vector<std::string>* warnings, const ProgramSources* sources) {
  size_t first_warning = warnings->size();
  Json system = ReadSystem(env, warnings);
  Json out = Json::object();
  for (const char* key : {"os", "distribution", "kernel", "arch", "cpu", "memory_bytes"}) {
    if (system.contains(key)) out[key] = std::move(system[key]);
  }
  out["processors"] = ReadProcessors(env, warnings);
  if (auto cmd = FindPythonCommand(argv, cwd, env)) {
    PythonEnv python = InspectPython(*cmd, env, warnings);
    out["python"] = PythonJson(python);
    ProgramSources found;
    if (sources == nullptr) {
      found = FindProgramSources(argv, cwd, FindRepoRoot(cwd), env, warnings);
      sources = &found;
    }
    // What the program imports, apart from everything installed beside it.
    Json installed = FrameworkVersions(python.site_packages, warnings);
    out["frameworks"] = FrameworksImported(installed, sources->imports);
    out["frameworks_installed"] = std::move(installed);
    out["packages"] = ScanPackages(*sources, python, warnings);
  }
  MakeStringsValidUtf8(&out);
  for (size_t i = first_warning; i < warnings->size(); ++i) (*warnings)[i] = SanitizeUtf8((*warnings)[i]);
  return out;
}

}  // namespace trail::context
