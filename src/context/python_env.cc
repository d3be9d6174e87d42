#include "context/python_env.h"

#include <cctype>
#include <set>

#include "base/files.h"
#include "context/text_files.h"

namespace trail::context {
namespace {

constexpr int kProbeTimeoutMs = 2000;

// "python3.11" → "3.11"; "python3.13t" → "3.13" with *free_threaded.
std::optional<std::string> MajorMinorFromName(const std::string& name, bool* free_threaded) {
  if (name.compare(0, 6, "python") != 0) return std::nullopt;
  size_t i = 6, b = i;
  while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]))) ++i;
  if (i == b || i == name.size() || name[i] != '.') return std::nullopt;
  size_t dot = i++;
  while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]))) ++i;
  if (i == dot + 1) return std::nullopt;
  std::string mm = name.substr(b, i - b);
  for (; i < name.size(); ++i) {
    if (name[i] == 't')
      *free_threaded = true;
    else if (name[i] != 'd' && name[i] != 'm')
      return std::nullopt;
  }
  return mm;
}

// "3.11.2.final.0" (virtualenv, uv) and "3.11.2" (venv) → "3.11.2".
std::string TrimVersionInfo(const std::string& v) {
  auto parts = SplitString(v, '.');
  if (parts.size() <= 3) return v;
  return parts[0] + "." + parts[1] + "." + parts[2];
}

// "3.11.2" → "3.11"; nullopt for anything without two numeric parts.
std::optional<std::string> MajorMinorOf(const std::string& version) {
  auto parts = SplitString(version, '.');
  if (parts.size() < 2 || !ParseUnsigned(parts[0])) return std::nullopt;
  size_t digits = 0;
  while (digits < parts[1].size() && std::isdigit(static_cast<unsigned char>(parts[1][digits]))) ++digits;
  if (digits == 0) return std::nullopt;
  return parts[0] + "." + parts[1].substr(0, digits);
}

// True when `version` is a release of major.minor `mm` ("3.11.2" of "3.11").
bool VersionOf(const std::string& version, const std::string& mm) {
  if (version.compare(0, mm.size(), mm) != 0) return false;
  return version.size() == mm.size() || !std::isdigit(static_cast<unsigned char>(version[mm.size()]));
}

struct VenvConfig {
  std::string dir;
  std::string home;
  std::string version;
  bool system_site = false;
};

// Python looks for pyvenv.cfg beside the executable and one folder up.
std::optional<VenvConfig> FindVenv(const std::string& executable) {
  std::string bin = DirName(executable);
  for (const std::string& dir : {bin, DirName(bin)}) {
    auto text = ReadHead(JoinPath(dir, "pyvenv.cfg"), 65536);
    if (!text) continue;
    VenvConfig cfg;
    cfg.dir = dir;
    ForEachLine(*text, [&](std::string_view line) {
      std::string_view k, v;
      if (!SplitKeyValue(line, '=', &k, &v)) return;
      if (k == "home") cfg.home = std::string(v);
      if (k == "include-system-site-packages") cfg.system_site = v == "true" || v == "True";
      if (k == "version" || (k == "version_info" && cfg.version.empty())) cfg.version = TrimVersionInfo(std::string(v));
    });
    return cfg;
  }
  return std::nullopt;
}

std::optional<std::string> FromPatchlevel(const std::string& prefix, const std::string& mm) {
  for (const char* flags : {"", "t", "d", "m"}) {
    auto text = ReadHead(JoinPath(prefix, "include/python" + mm + flags + "/patchlevel.h"), 1 << 16);
    if (!text) continue;
    size_t at = text->find("#define PY_VERSION ");
    if (at == std::string::npos) continue;
    size_t open = text->find('"', at);
    size_t close = open == std::string::npos ? open : text->find('"', open + 1);
    if (close == std::string::npos) continue;
    std::string v = text->substr(open + 1, close - open - 1);
    if (!v.empty() && v.back() == '+') v.pop_back();  // a build from a development checkout
    if (VersionOf(v, mm)) return v;
  }
  return std::nullopt;
}

// conda records each installed package as conda-meta/<name>-<version>-<build>.json.
std::optional<std::string> FromCondaMeta(const std::string& prefix, const std::string& mm) {
  for (const std::string& f : ListDirectory(JoinPath(prefix, "conda-meta"))) {
    if (f.compare(0, 7, "python-") != 0 || f.size() < 8 || !std::isdigit(static_cast<unsigned char>(f[7]))) continue;
    std::string v = f.substr(7, f.find('-', 7) - 7);
    if (VersionOf(v, mm)) return v;
  }
  return std::nullopt;
}

// Debian/Ubuntu: "Package: python3.11-minimal" ... "Version: 3.11.2-6+deb12u6".
std::optional<std::string> FromDpkg(const ContextEnv& env, const std::string& mm) {
  auto text = ReadHead(env.Path("var/lib/dpkg/status"), 64 << 20);
  if (!text) return std::nullopt;
  std::string needle = "Package: python" + mm + "-minimal\n";
  size_t at = text->compare(0, needle.size(), needle) == 0 ? 0 : text->find("\n" + needle);
  if (at == std::string::npos) return std::nullopt;
  size_t end = text->find("\n\n", at + 1);
  std::string_view stanza = std::string_view(*text).substr(at, end == std::string::npos ? std::string::npos : end - at);
  std::optional<std::string> version;
  ForEachLine(stanza, [&](std::string_view line) {
    if (line.compare(0, 9, "Version: ") != 0) return;
    std::string v(Trim(line.substr(9)));
    size_t colon = v.find(':');  // epoch
    if (colon != std::string::npos) v = v.substr(colon + 1);
    v = v.substr(0, v.rfind('-'));  // Debian revision
    std::string clean;
    for (char c : v) {
      if (c == '~') continue;  // 3.13.0~rc1 is upstream 3.13.0rc1
      if (c == '+') break;     // local suffixes
      clean.push_back(c);
    }
    if (VersionOf(clean, mm)) version = clean;
  });
  return version;
}

// The only lib/python3.X folder under `prefix`, for an interpreter whose file
// name carries no version.
std::optional<std::string> MajorMinorFromLib(const std::string& prefix, bool* free_threaded) {
  std::optional<std::string> found;
  for (const std::string& d : ListDirectory(JoinPath(prefix, "lib"))) {
    bool ft = false;
    auto mm = MajorMinorFromName(d, &ft);
    if (!mm || !IsDirectory(JoinPath(JoinPath(prefix, "lib"), d))) continue;
    if (found) return std::nullopt;
    found = mm;
    *free_threaded = ft;
  }
  return found;
}

// Site folders of one prefix as site.getsitepackages() lists them. Debian's
// patched CPython (detected by <base>/lib/python3/dist-packages) uses
// dist-packages; inside a venv it also keeps lib/python3.X/site-packages.
void PrefixSiteDirs(const std::string& prefix, const std::string& lib, bool debian, bool in_venv,
                    std::vector<std::string>* out) {
  if (!debian || in_venv) {
    out->push_back(JoinPath(prefix, "lib/" + lib + "/site-packages"));
    out->push_back(JoinPath(prefix, "lib64/" + lib + "/site-packages"));  // Fedora's platlib; a venv's lib64 -> lib
  }
  if (debian) {
    out->push_back(JoinPath(prefix, "local/lib/" + lib + "/dist-packages"));
    out->push_back(JoinPath(prefix, "lib/python3/dist-packages"));
    out->push_back(JoinPath(prefix, "lib/" + lib + "/dist-packages"));
  }
}

const std::string* Var(const PythonCommand& cmd, const std::string& name) {
  auto it = cmd.env.find(name);
  return it == cmd.env.end() ? nullptr : &it->second;
}

std::vector<std::string> SiteDirs(const PythonCommand& cmd, const std::string& base_prefix, const std::string& lib,
                                  const std::optional<VenvConfig>& venv) {
  std::vector<std::string> candidates;
  if (!cmd.ignore_environment) {
    if (const std::string* pp = Var(cmd, "PYTHONPATH")) {
      for (const std::string& entry : SplitString(*pp, ':')) {
        if (!entry.empty()) candidates.push_back(entry[0] == '/' ? entry : JoinPath(cmd.cwd, entry));
      }
    }
  }
  if (!cmd.no_site) {
    bool user_site = !cmd.no_user_site && (!venv || venv->system_site);
    if (!cmd.ignore_environment) {
      const std::string* off = Var(cmd, "PYTHONNOUSERSITE");
      if (off && !off->empty()) user_site = false;
    }
    if (user_site) {
      const std::string* base = cmd.ignore_environment ? nullptr : Var(cmd, "PYTHONUSERBASE");
      const std::string* home = Var(cmd, "HOME");
      std::string user_base = base && !base->empty() ? *base : home && !home->empty() ? JoinPath(*home, ".local") : "";
      if (!user_base.empty()) candidates.push_back(JoinPath(user_base, "lib/" + lib + "/site-packages"));
    }
    bool debian = IsDirectory(JoinPath(base_prefix, "lib/python3/dist-packages"));
    if (venv) PrefixSiteDirs(venv->dir, lib, debian, true, &candidates);
    if (!venv || venv->system_site) PrefixSiteDirs(base_prefix, lib, debian, venv.has_value(), &candidates);
  }
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const std::string& dir : candidates) {
    auto real = RealPath(dir);
    if (!real || !IsDirectory(*real) || !seen.insert(*real).second) continue;
    out.push_back(dir);
  }
  return out;
}

}  // namespace

std::optional<ProbeResult> DefaultVersionProbe(const std::string& interpreter,
                                               const std::map<std::string, std::string>& env, std::string* error) {
  return ProbePython(interpreter, env, kProbeTimeoutMs, error);
}

PythonEnv InspectPython(const PythonCommand& cmd, const ContextEnv& env, std::vector<std::string>* warnings,
                        const VersionProbe& probe) {
  PythonEnv py;
  size_t first_warning = warnings->size();
  std::string executable = cmd.interpreter;  // as sys.executable will read, symlinks kept
  auto real = RealPath(executable);
  if (!real) {
    warnings->push_back("python: cannot resolve " + executable + ": " + ErrnoMessage(errno));
    py.interpreter = executable;
    return py;
  }
  py.interpreter = *real;

  // A launcher script: only the interpreter can say what it runs.
  auto head = ReadHead(*real, 2);
  bool probed = false;  // at most once: a launcher that failed will fail again
  if (head && *head == "#!") {
    probed = true;
    std::string error;
    if (auto answer = probe(executable, cmd.env, &error)) {
      py.version = answer->version;
      py.version_source = "probe";
      if (!answer->executable.empty()) {
        executable = answer->executable;
        if (auto r = RealPath(executable)) py.interpreter = *r;
      }
    } else {
      warnings->push_back("python: " + executable + " is a launcher script and " + error);
    }
  }

  std::optional<VenvConfig> venv = FindVenv(executable);
  if (venv) py.venv = venv->dir;
  std::string base_prefix = venv && !venv->home.empty() ? DirName(venv->home) : DirName(DirName(py.interpreter));

  bool free_threaded = false;
  std::optional<std::string> mm = MajorMinorFromName(BaseName(py.interpreter), &free_threaded);
  if (!mm) mm = MajorMinorFromName(BaseName(executable), &free_threaded);
  if (!mm) mm = MajorMinorOf(py.version);
  if (!mm && venv) mm = MajorMinorOf(venv->version);
  if (!mm) mm = MajorMinorFromLib(base_prefix, &free_threaded);

  if (py.version.empty() && mm) {
    std::optional<std::string> v;
    if ((v = FromPatchlevel(base_prefix, *mm))) {
      py.version_source = "patchlevel.h";
    } else if ((v = FromCondaMeta(base_prefix, *mm))) {
      py.version_source = "conda-meta";
    } else if (py.interpreter == env.Path("usr/bin/python" + *mm) && (v = FromDpkg(env, *mm))) {
      py.version_source = "dpkg";
    } else if (venv && VersionOf(venv->version, *mm)) {
      v = venv->version;
      py.version_source = "pyvenv.cfg";
    }
    if (v) py.version = *v;
  }
  if (py.version.empty() && !probed) {
    std::string error;
    if (auto answer = probe(py.interpreter, cmd.env, &error)) {
      py.version = answer->version;
      py.version_source = "probe";
      if (!mm) mm = MajorMinorOf(py.version);
    } else {
      warnings->push_back("python: version of " + py.interpreter + " unknown: " + error);
    }
  }
  if (!mm) {
    // After a failed probe its warning already says what is unknown.
    if (warnings->size() == first_warning) {
      warnings->push_back("python: cannot tell which python3.X " + py.interpreter + " is; site-packages unknown");
    }
    return py;
  }
  std::string lib = "python" + *mm + (free_threaded ? "t" : "");
  py.site_packages = SiteDirs(cmd, base_prefix, lib, venv);
  if (std::string stdlib = JoinPath(base_prefix, "lib/" + lib); IsDirectory(stdlib)) py.stdlib = stdlib;
  return py;
}

Json PythonJson(const PythonEnv& python) {
  Json out = Json::object();
  out["interpreter"] = python.interpreter;
  if (!python.version.empty()) out["version"] = python.version;
  if (!python.venv.empty()) out["venv"] = python.venv;
  out["site_packages"] = python.site_packages;
  return out;
}

}  // namespace trail::context
