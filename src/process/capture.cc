#include "process/capture.h"

#include <utility>

#include "base/numbers.h"
#include "process/program.h"

namespace trail::process {
namespace {

std::string FirstLine(const std::string& s) {
  size_t start = s.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return "";
  size_t end = s.find_first_of("\r\n", start);
  return s.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

StatusOr<Captured> RunShellCapture(const CaptureRequest& request) {
  Program shell;
  shell.argv = {"/bin/sh", "-c", request.command};
  shell.cwd = request.cwd;
  shell.out = Stream::kCapture;
  shell.err = Stream::kCapture;
  shell.own_process_group = true;  // a timeout kills whatever the command started, too
  shell.reset_signals = true;      // every signal at its default, none blocked
  TRAIL_ASSIGN_OR_RETURN(ProgramOutput ran, RunProgram(shell, {request.timeout, request.max_bytes}));
  if (ran.timed_out) {
    return Internal("timed out after " + FormatDouble(request.timeout.count() / 1000.0) + " s");
  }
  if (ran.signal != 0) return Internal("killed by signal " + std::to_string(ran.signal));
  Captured result;
  result.exit_code = ran.exit_code;
  if (result.exit_code != 0) {
    std::string why = FirstLine(ran.err);
    return Internal("exited with code " + std::to_string(result.exit_code) + (why.empty() ? "" : ": " + why));
  }
  while (!ran.out.empty() && (ran.out.back() == '\n' || ran.out.back() == '\r')) ran.out.pop_back();
  result.out = std::move(ran.out);
  return result;
}

}  // namespace trail::process
