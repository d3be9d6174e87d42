// Parsers of the Linux /proc files the system sampler reads (docs/metrics.md, "System metrics").
// Each takes a file's text, as read, and never trusts it: a field that is missing, not a number
// or out of range makes the result empty rather than a guess. Pure functions: the tests feed them
// fixture files (testdata/proc/), never the live /proc.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace trail::sysmon {

// /proc/<pid>/stat (proc(5)). The command name may hold spaces and parentheses: the fields
// are counted from the last ')'.
struct ProcStat {
  int64_t ppid = 0;
  uint64_t cpu_ticks = 0;  // utime + stime, in clock ticks (sysconf(_SC_CLK_TCK))
  int64_t threads = 0;     // num_threads
  uint64_t rss_pages = 0;  // rss: resident pages, the same count as status's VmRSS
};
std::optional<ProcStat> ParseProcStat(std::string_view text);

// /proc/<pid>/io: bytes the process made the storage layer read and write (read_bytes,
// write_bytes; not rchar/wchar, which count page-cache hits and pipes too).
struct IoBytes {
  uint64_t read = 0;
  uint64_t written = 0;
};
std::optional<IoBytes> ParseProcIo(std::string_view text);

// /proc/<pid>/net/dev: bytes received and sent by every interface of the process's network
// namespace but the loopback (`lo`), summed.
struct NetBytes {
  uint64_t received = 0;
  uint64_t sent = 0;
};
std::optional<NetBytes> ParseNetDev(std::string_view text);

// The first line of /proc/stat, the machine's CPU time in ticks: busy (user, nice, system, irq,
// softirq, steal) and the total (busy + idle + iowait). guest time is part of user already.
struct CpuTicks {
  uint64_t busy = 0;
  uint64_t total = 0;
};
std::optional<CpuTicks> ParseProcStatCpu(std::string_view text);

// /proc/meminfo: memory in use, MemTotal - MemAvailable, in bytes (what `free` shows as used
// plus the caches the kernel cannot drop). Empty when either line is missing.
std::optional<uint64_t> ParseMemUsedBytes(std::string_view text);

}  // namespace trail::sysmon
