// credential_process: a program named in the user's own AWS config prints credentials as JSON
// (Version 1). It runs without a shell: the command is split into words (double and single
// quotes group, backslash escapes), stdin is /dev/null, stderr is the user's, and stdout is read
// up to kMaxCredentialAnswer bytes within the timeout; past either the program is killed.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "remote/aws_credential_sources.h"

extern char** environ;

namespace trail::remote {
namespace {

// Shell-like words, without expansion of anything. False on an unclosed quote.
bool SplitWords(const std::string& command, std::vector<std::string>* words) {
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < command.size()) {
        word += command[++i];
      } else {
        word += c;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < command.size()) {
      word += command[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words->push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote) return false;
  if (in_word) words->push_back(std::move(word));
  return true;
}

}  // namespace

StatusOr<ResolvedCredentials> ProcessCredentials(const std::string& command, int timeout_ms) {
  const std::string what = "credentials from credential_process";
  std::vector<std::string> words;
  if (!SplitWords(command, &words)) return InvalidArgument(what + ": unclosed quote in the command");
  if (words.empty()) return InvalidArgument(what + ": empty command");

  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return IoError(what + ": pipe: " + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    return InvalidArgument(what + ": cannot run " + words[0] + ": " + std::strerror(rc));
  }

  std::string output;
  std::string failure;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      failure = "did not finish within " + std::to_string(timeout_ms / 1000.0).substr(0, 4) + " s";
      break;
    }
    pollfd p{out[0], POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // the deadline check above ends it
    char buf[4096];
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (output.size() + static_cast<size_t>(n) > kMaxCredentialAnswer) {
      failure = "printed more than " + std::to_string(kMaxCredentialAnswer) + " bytes";
      break;
    }
    output.append(buf, static_cast<size_t>(n));
  }
  ::close(out[0]);
  if (!failure.empty()) ::kill(pid, SIGKILL);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (!failure.empty()) return IoError(what + ": " + words[0] + " " + failure);
  if (WIFSIGNALED(wstatus))
    return IoError(what + ": " + words[0] + " was killed by signal " + std::to_string(WTERMSIG(wstatus)));
  if (WEXITSTATUS(wstatus) != 0)
    return IoError(what + ": " + words[0] + " exited with status " + std::to_string(WEXITSTATUS(wstatus)));

  StatusOr<Json> answer = ParseJsonObject(output);
  if (!answer.ok()) return Corrupt(what + ": " + answer.status().message());
  auto version = answer->find("Version");
  if (version == answer->end() || !version->is_number_integer() || version->get<int64_t>() != 1)
    return Corrupt(what + ": answer's Version is not 1");
  StatusOr<ResolvedCredentials> c =
      CredentialsFromJson(*answer, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", false);
  if (!c.ok()) return Corrupt(what + ": " + c.status().message());
  c->source = "credential_process";
  return c;
}

}  // namespace trail::remote
