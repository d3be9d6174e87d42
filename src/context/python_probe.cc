#include "context/python_probe.h"

#include <cctype>
#include <chrono>
#include <vector>

#include "context/text_files.h"
#include "process/program.h"

namespace trail::context {

std::optional<ProbeResult> ProbePython(const std::string& interpreter, const std::map<std::string, std::string>& env,
                                       int timeout_ms, std::string* error) {
  process::Program probe;
  probe.argv = {interpreter, "-S", "-c", "import sys; print(sys.version.split()[0]); print(sys.executable)"};
  probe.env.emplace();
  for (const auto& [k, v] : env) probe.env->push_back(k + "=" + v);
  probe.out = process::Stream::kCapture;
  probe.err = process::Stream::kNull;
  process::OutputLimits limits;
  limits.timeout = std::chrono::milliseconds(timeout_ms);
  limits.max_bytes = 65536;
  auto ran = process::RunProgram(probe, limits);
  if (!ran.ok()) {
    *error = ran.status().message();
    return std::nullopt;
  }
  if (ran->timed_out) {
    *error = interpreter + " did not answer within " + std::to_string(timeout_ms) + " ms";
    return std::nullopt;
  }
  if (ran->exit_code != 0) {
    *error = interpreter + " failed to report its version";
    return std::nullopt;
  }
  const std::string& out = ran->out;
  std::vector<std::string> lines;
  ForEachLine(out, [&](std::string_view line) { lines.emplace_back(Trim(line)); });
  if (lines.empty() || lines[0].empty() || !std::isdigit(static_cast<unsigned char>(lines[0][0]))) {
    *error = interpreter + " printed no version";
    return std::nullopt;
  }
  ProbeResult result;
  result.version = lines[0];
  if (lines.size() > 1) result.executable = lines[1];
  return result;
}

}  // namespace trail::context
