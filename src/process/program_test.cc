#include "process/program.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <chrono>

namespace trail::process {
namespace {

Program ShProgram(const std::string& script) {
  Program p;
  p.argv = {"/bin/sh", "-c", script};
  p.out = Stream::kCapture;
  p.err = Stream::kCapture;
  return p;
}

TEST(RunProgramTest, ArgumentsArriveAsGivenWithoutAShell) {
  Program p;
  p.argv = {"/usr/bin/printf", "%s|", "it's", "a b", "$HOME", "\"q\"", ""};
  p.out = Stream::kCapture;
  auto r = RunProgram(p);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->out, "it's|a b|$HOME|\"q\"||");
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->signal, 0);
}

TEST(RunProgramTest, SearchesPathOnlyWhenAsked) {
  Program p;
  p.argv = {"true"};
  EXPECT_FALSE(RunProgram(p).ok());
  p.search_path = true;
  auto r = RunProgram(p);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->exit_code, 0);
}

TEST(RunProgramTest, CapturesStdoutAndStderrApartOrTogether) {
  auto apart = RunProgram(ShProgram("echo out; echo err >&2; exit 3"));
  ASSERT_TRUE(apart.ok());
  EXPECT_EQ(apart->out, "out\n");
  EXPECT_EQ(apart->err, "err\n");
  EXPECT_EQ(apart->exit_code, 3);

  Program together = ShProgram("echo out; echo err >&2");
  together.err = Stream::kIntoStdout;
  auto r = RunProgram(together);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "out\nerr\n");
  EXPECT_EQ(r->err, "");

  Program quiet = ShProgram("echo out; echo err >&2");
  quiet.out = Stream::kNull;
  quiet.err = Stream::kNull;
  auto q = RunProgram(quiet);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->out, "");
  EXPECT_EQ(q->err, "");
}

TEST(RunProgramTest, StdinIsEmpty) {
  auto r = RunProgram(ShProgram("cat; echo done"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "done\n");
}

TEST(RunProgramTest, CwdAndEnvironment) {
  Program p = ShProgram("pwd; echo \"[$ONLY]\" \"[$HOME]\"");
  p.cwd = "/tmp";
  p.env = std::vector<std::string>{"ONLY=x y"};
  auto r = RunProgram(p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "/tmp\n[x y] []\n");
}

TEST(RunProgramTest, ABadCwdOrMissingProgramIsAnError) {
  Program p = ShProgram("true");
  p.cwd = "/no/such/folder";
  EXPECT_FALSE(RunProgram(p).ok());
  Program missing;
  missing.argv = {"/no/such/program"};
  auto r = RunProgram(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kIo);
  EXPECT_EQ(r.status().message(), "cannot run /no/such/program: No such file or directory");
  EXPECT_FALSE(RunProgram(Program{}).ok());
}

TEST(RunProgramTest, ReportsTheSignalThatEndedIt) {
  auto r = RunProgram(ShProgram("kill -TERM $$"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->signal, SIGTERM);
  EXPECT_EQ(r->exit_code, -1);
}

TEST(RunProgramTest, KeepsAtMostMaxBytes) {
  OutputLimits limits;
  limits.max_bytes = 5;
  auto r = RunProgram(ShProgram("echo 0123456789; echo abcdefgh >&2"), limits);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "01234");
  EXPECT_EQ(r->err, "abcde");
}

TEST(RunProgramTest, TimeoutKillsItsWholeGroupPromptly) {
  auto start = std::chrono::steady_clock::now();
  // The background sleep holds the pipe open: only killing the group ends the read.
  Program p = ShProgram("sleep 30 & sleep 30");
  p.own_process_group = true;
  OutputLimits limits;
  limits.timeout = std::chrono::milliseconds(300);
  auto r = RunProgram(p, limits);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->signal, SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(RunProgramTest, ResetSignalsUnblocksAndRestoresDefaults) {
  // A signal trail ignores would stay ignored across exec without the reset.
  struct sigaction ignore {
  }, old{};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGUSR1, &ignore, &old), 0);
  Program p = ShProgram("kill -USR1 $$; echo survived");
  auto inherited = RunProgram(p);
  p.reset_signals = true;
  p.default_signals = {SIGUSR1};
  auto reset = RunProgram(p);
  ::sigaction(SIGUSR1, &old, nullptr);
  ASSERT_TRUE(inherited.ok());
  EXPECT_EQ(inherited->out, "survived\n");
  ASSERT_TRUE(reset.ok());
  EXPECT_EQ(reset->signal, SIGUSR1);
}

TEST(StartProgramTest, StartsWithoutWaitingInItsOwnGroup) {
  Program p;
  p.argv = {"/bin/sleep", "30"};
  p.own_process_group = true;
  auto pid = StartProgram(p);
  ASSERT_TRUE(pid.ok()) << pid.status().message();
  EXPECT_EQ(::getpgid(*pid), *pid);
  ASSERT_EQ(::kill(-*pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(*pid, &status, 0), *pid);
  EXPECT_TRUE(WIFSIGNALED(status));

  Program capture = p;
  capture.out = Stream::kCapture;
  EXPECT_FALSE(StartProgram(capture).ok());
}

TEST(CurrentEnvironmentWithoutTest, DropsByPrefix) {
  ::setenv("TRAIL_PROGRAM_TEST_A", "1", 1);
  ::setenv("TRAIL_PROGRAM_TEST_AB", "2", 1);
  ::setenv("TRAIL_PROGRAM_TEST_B", "3", 1);
  std::vector<std::string> env = CurrentEnvironmentWithout({"TRAIL_PROGRAM_TEST_A=", "TRAIL_PROGRAM_TEST_B"});
  auto has = [&](const std::string& e) { return std::find(env.begin(), env.end(), e) != env.end(); };
  EXPECT_FALSE(has("TRAIL_PROGRAM_TEST_A=1"));
  EXPECT_TRUE(has("TRAIL_PROGRAM_TEST_AB=2"));
  EXPECT_FALSE(has("TRAIL_PROGRAM_TEST_B=3"));
  EXPECT_FALSE(env.empty());
  ::unsetenv("TRAIL_PROGRAM_TEST_A");
  ::unsetenv("TRAIL_PROGRAM_TEST_AB");
  ::unsetenv("TRAIL_PROGRAM_TEST_B");
}

}  // namespace
}  // namespace trail::process
