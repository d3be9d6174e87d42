#include "sysmon/proc_stats.h"

#include <charconv>
#include <limits>

namespace trail::sysmon {
namespace {

// The next whitespace-separated field of `text` from `*pos`, which moves past it; empty at the end.
std::string_view NextField(std::string_view text, size_t* pos) {
  size_t p = *pos;
  while (p < text.size() && (text[p] == ' ' || text[p] == '\t' || text[p] == '\n')) ++p;
  size_t start = p;
  while (p < text.size() && text[p] != ' ' && text[p] != '\t' && text[p] != '\n') ++p;
  *pos = p;
  return text.substr(start, p - start);
}

template <typename T>
bool ToNumber(std::string_view field, T* out) {
  if (field.empty()) return false;
  auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), *out);
  return ec == std::errc() && ptr == field.data() + field.size();
}

// a + b, or false when it would overflow (a corrupt or hostile file).
bool Add(uint64_t a, uint64_t b, uint64_t* out) {
  if (a > std::numeric_limits<uint64_t>::max() - b) return false;
  *out = a + b;
  return true;
}

// The number after "name" at the start of a line of `text` ("read_bytes: 4096",
// "MemTotal:  16 kB"); false when there is no such line or it holds no number.
bool LineValue(std::string_view text, std::string_view name, uint64_t* out) {
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    if (line.substr(0, name.size()) == name) {
      size_t pos = name.size();
      return ToNumber(NextField(line, &pos), out);
    }
    at = end + 1;
  }
  return false;
}

}  // namespace

std::optional<ProcStat> ParseProcStat(std::string_view text) {
  size_t close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  // Fields from 3 (state) on; proc(5) numbers them from 1 (pid).
  size_t pos = close + 1;
  ProcStat st;
  uint64_t utime = 0, stime = 0;
  for (int field = 3; field <= 24; ++field) {
    std::string_view f = NextField(text, &pos);
    if (f.empty()) return std::nullopt;
    bool ok = true;
    switch (field) {
      case 4:
        ok = ToNumber(f, &st.ppid);
        break;
      case 14:
        ok = ToNumber(f, &utime);
        break;
      case 15:
        ok = ToNumber(f, &stime);
        break;
      case 20:
        ok = ToNumber(f, &st.threads);
        break;
      case 24:
        ok = ToNumber(f, &st.rss_pages);
        break;
      default:
        break;
    }
    if (!ok) return std::nullopt;
  }
  if (st.ppid < 0 || st.threads < 0 || !Add(utime, stime, &st.cpu_ticks)) return std::nullopt;
  return st;
}

std::optional<IoBytes> ParseProcIo(std::string_view text) {
  IoBytes io;
  if (!LineValue(text, "read_bytes:", &io.read) || !LineValue(text, "write_bytes:", &io.written)) return std::nullopt;
  return io;
}

std::optional<NetBytes> ParseNetDev(std::string_view text) {
  // Two header lines, then "  eth0: rx_bytes rx_packets ... (8 receive fields) tx_bytes ...".
  NetBytes net;
  size_t at = 0;
  int line_no = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (++line_no <= 2 || line.find_first_not_of(" \t") == std::string_view::npos) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    size_t pos = 0;
    std::string_view name = NextField(line.substr(0, colon), &pos);
    std::string_view counters = line.substr(colon + 1);
    pos = 0;
    uint64_t received = 0, sent = 0;
    for (int field = 1; field <= 9; ++field) {
      std::string_view f = NextField(counters, &pos);
      if (field == 1 && !ToNumber(f, &received)) return std::nullopt;
      if (field == 9 && !ToNumber(f, &sent)) return std::nullopt;
    }
    if (name == "lo") continue;
    if (!Add(net.received, received, &net.received) || !Add(net.sent, sent, &net.sent)) return std::nullopt;
  }
  if (line_no < 2) return std::nullopt;  // not the file it should be
  return net;
}

std::optional<CpuTicks> ParseProcStatCpu(std::string_view text) {
  size_t pos = 0;
  if (NextField(text, &pos) != "cpu") return std::nullopt;
  // user nice system idle iowait irq softirq steal [guest guest_nice]
  uint64_t v[8] = {0};
  for (uint64_t& x : v) {
    if (!ToNumber(NextField(text, &pos), &x)) return std::nullopt;
  }
  CpuTicks t;
  for (int i : {0, 1, 2, 5, 6, 7}) {
    if (!Add(t.busy, v[i], &t.busy)) return std::nullopt;
  }
  if (!Add(t.busy, v[3], &t.total) || !Add(t.total, v[4], &t.total)) return std::nullopt;
  return t;
}

std::optional<uint64_t> ParseMemUsedBytes(std::string_view text) {
  uint64_t total_kb = 0, available_kb = 0;
  if (!LineValue(text, "MemTotal:", &total_kb) || !LineValue(text, "MemAvailable:", &available_kb)) {
    return std::nullopt;
  }
  if (available_kb > total_kb || total_kb > std::numeric_limits<uint64_t>::max() / 1024) return std::nullopt;
  return (total_kb - available_kb) * 1024;
}

}  // namespace trail::sysmon
