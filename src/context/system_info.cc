#include "context/system_info.h"

#include <sys/utsname.h>

#include <optional>
#include <set>
#include <utility>

#include "context/text_files.h"

namespace trail::context {
namespace {

// The first line of a proc/sys file, or nullopt.
std::optional<std::string> ReadOneLine(const ContextEnv& env, const std::string& rel) {
  auto text = ReadHead(env.Path(rel), 4096);
  if (!text) return std::nullopt;
  std::string_view line = *text;
  line = Trim(line.substr(0, line.find('\n')));
  if (line.empty()) return std::nullopt;
  return std::string(line);
}

// Reads proc/sys/kernel/<name>; with root "/" uname(2) answers when /proc
// cannot (a container without /proc), elsewhere a miss is a warning.
void KernelFact(const ContextEnv& env, const char* key, const std::string& file, const char* uname_value, Json* out,
                std::vector<std::string>* warnings) {
  if (auto v = ReadOneLine(env, file)) {
    (*out)[key] = *v;
  } else if (env.root == "/" && uname_value != nullptr && *uname_value != '\0') {
    (*out)[key] = uname_value;
  } else {
    warnings->push_back(std::string(key) + " unknown: cannot read " + env.Path(file));
  }
}

// os-release values may be quoted with " or ' and use backslash escapes.
std::string Unquote(std::string_view v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
    char q = v.front();
    v = v.substr(1, v.size() - 2);
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
      if (q == '"' && v[i] == '\\' && i + 1 < v.size()) ++i;
      out.push_back(v[i]);
    }
    return out;
  }
  return std::string(v);
}

std::optional<std::string> Distribution(const ContextEnv& env) {
  for (const char* rel : {"etc/os-release", "usr/lib/os-release"}) {
    auto text = ReadHead(env.Path(rel), 64 * 1024);
    if (!text) continue;
    std::optional<std::string> pretty, name;
    ForEachLine(*text, [&](std::string_view line) {
      std::string_view k, v;
      if (!SplitKeyValue(line, '=', &k, &v)) return;
      if (k == "PRETTY_NAME") pretty = Unquote(v);
      if (k == "NAME") name = Unquote(v);
    });
    if (pretty && !pretty->empty()) return pretty;
    if (name && !name->empty()) return name;
  }
  return std::nullopt;
}

Json Cpu(const ContextEnv& env, std::vector<std::string>* warnings) {
  auto text = ReadHead(env.Path("proc/cpuinfo"), 16 << 20);
  if (!text) {
    warnings->push_back("cpu unknown: cannot read " + env.Path("proc/cpuinfo") + ": " + ErrnoMessage(errno));
    return nullptr;
  }
  std::optional<std::string> model;
  std::string fallback_model;  // "Hardware" / "cpu model" / "Model" lines on non-x86 machines
  long long threads = 0;
  std::set<std::pair<std::string, std::string>> cores;  // (physical id, core id)
  std::set<std::string> sockets;
  std::optional<unsigned long long> cores_per_socket;
  std::string physical;  // of the current processor block
  ForEachLine(*text, [&](std::string_view line) {
    std::string_view k, v;
    if (!SplitKeyValue(line, ':', &k, &v)) return;
    if (k == "processor") {
      ++threads;
      physical.clear();
    } else if (k == "model name") {
      if (!model && !v.empty()) model = std::string(v);
    } else if (k == "Hardware" || k == "cpu model" || k == "Model") {
      if (fallback_model.empty()) fallback_model = std::string(v);
    } else if (k == "physical id") {
      physical = std::string(v);
      sockets.insert(physical);
    } else if (k == "core id") {
      cores.emplace(physical, std::string(v));
    } else if (k == "cpu cores") {
      if (!cores_per_socket) cores_per_socket = ParseUnsigned(v);
    }
  });
  Json cpu = Json::object();
  if (model) {
    cpu["model"] = *model;
  } else if (!fallback_model.empty()) {
    cpu["model"] = fallback_model;
  }
  if (!cores.empty()) {
    cpu["cores"] = cores.size();
  } else if (cores_per_socket) {
    cpu["cores"] = *cores_per_socket * (sockets.empty() ? 1 : sockets.size());
  } else if (threads > 0) {
    cpu["cores"] = threads;  // no topology lines: count each processor as a core
  }
  if (threads > 0) cpu["threads"] = threads;
  if (threads == 0) warnings->push_back("cpu count unknown: no processor lines in " + env.Path("proc/cpuinfo"));
  return cpu;
}

std::optional<unsigned long long> MemoryBytes(const ContextEnv& env, std::vector<std::string>* warnings) {
  auto text = ReadHead(env.Path("proc/meminfo"), 64 * 1024);
  if (!text) {
    warnings->push_back("memory unknown: cannot read " + env.Path("proc/meminfo") + ": " + ErrnoMessage(errno));
    return std::nullopt;
  }
  std::optional<unsigned long long> bytes;
  ForEachLine(*text, [&](std::string_view line) {
    std::string_view k, v;
    if (bytes || !SplitKeyValue(line, ':', &k, &v) || k != "MemTotal") return;
    unsigned long long scale = 1;
    if (v.size() > 3 && v.substr(v.size() - 3) == " kB") {
      scale = 1024;
      v = Trim(v.substr(0, v.size() - 3));
    }
    if (auto n = ParseUnsigned(v)) bytes = *n * scale;
  });
  if (!bytes) warnings->push_back("memory unknown: no MemTotal line in " + env.Path("proc/meminfo"));
  return bytes;
}

}  // namespace

Json ReadSystem(const ContextEnv& env, std::vector<std::string>* warnings) {
  struct utsname u {};
  bool have_uname = ::uname(&u) == 0;
  Json out = Json::object();
  KernelFact(env, "os", "proc/sys/kernel/ostype", have_uname ? u.sysname : nullptr, &out, warnings);
  if (auto d = Distribution(env)) {
    out["distribution"] = *d;
  } else {
    warnings->push_back("distribution unknown: cannot read " + env.Path("etc/os-release"));
  }
  KernelFact(env, "kernel", "proc/sys/kernel/osrelease", have_uname ? u.release : nullptr, &out, warnings);
  if (have_uname) out["arch"] = u.machine;
  KernelFact(env, "host", "proc/sys/kernel/hostname", have_uname ? u.nodename : nullptr, &out, warnings);
  Json cpu = Cpu(env, warnings);
  if (!cpu.is_null()) out["cpu"] = std::move(cpu);
  if (auto m = MemoryBytes(env, warnings)) out["memory_bytes"] = *m;
  return out;
}

}  // namespace trail::context
