// The machine a run executes on: OS, distribution, kernel, CPU, memory.
#pragma once

#include <string>
#include <vector>

#include "base/yaml.h"
#include "context/context.h"

namespace trail::context {

// {os, distribution, kernel, arch, host, cpu: {model, cores, threads}, memory_bytes}.
// Sources below env.root: proc/sys/kernel/{ostype,osrelease,hostname},
// etc/os-release (PRETTY_NAME; usr/lib/os-release as fallback), proc/cpuinfo,
// proc/meminfo (MemTotal). `arch` has no file source and always comes from
// uname(2) of this process; with root "/" uname also stands in for an
// unreadable proc/sys/kernel file. A fact that cannot be read is left out with
// a warning (a CPU model line is simply absent on some architectures: no
// warning for that).
Json ReadSystem(const ContextEnv& env, std::vector<std::string>* warnings);

}  // namespace trail::context
