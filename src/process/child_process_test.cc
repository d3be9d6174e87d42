#include "process/child_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "base/test_temp_dir.h"
#include "process/test_util.h"

namespace trail::process {
namespace {

using namespace std::chrono_literals;
using testing::CurrentEnv;
using testing::RunToExit;
using testing::Sh;

TEST(ChildProcessTest, ReportsExitCodes) {
  ChildExit ok = RunToExit(Sh("exit 0"));
  EXPECT_FALSE(ok.signaled);
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_EQ(ok.ShellCode(), 0);

  ChildExit three = RunToExit(Sh("exit 3"));
  EXPECT_FALSE(three.signaled);
  EXPECT_EQ(three.exit_code, 3);
  EXPECT_EQ(three.ShellCode(), 3);
}

TEST(ChildProcessTest, ReportsDeathBySignal) {
  ChildExit exit = RunToExit(Sh("kill -KILL $$"));
  EXPECT_TRUE(exit.signaled);
  EXPECT_EQ(exit.signal, SIGKILL);
  EXPECT_EQ(exit.ShellCode(), 137);
}

TEST(ChildProcessTest, MissingProgramIsAnError) {
  ChildSpec spec;
  spec.argv = {"trail-no-such-command-xyz", "--flag"};
  spec.env = CurrentEnv();
  auto child = ChildProcess::Start(spec);
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(child.status().code(), Code::kNotFound);
  EXPECT_EQ(child.status().message(), "command not found: trail-no-such-command-xyz");
}

TEST(ChildProcessTest, MissingProgramGivenByPathSaysNoSuchFile) {
  ChildSpec spec;
  spec.argv = {"/nonexistent/trail-no-such-command-xyz"};
  spec.env = CurrentEnv();
  auto child = ChildProcess::Start(spec);
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(child.status().code(), Code::kNotFound);
  EXPECT_EQ(child.status().message(), "cannot run '/nonexistent/trail-no-such-command-xyz': No such file or directory");
}

using trail::testing::TempDir;

TEST(ChildProcessTest, NonExecutableIsAnError) {
  TempDir dir;
  std::string file = dir.Write("script", "echo hi\n", 0644);
  ChildSpec spec;
  spec.argv = {file};
  spec.env = CurrentEnv();
  auto child = ChildProcess::Start(spec);
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(child.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(child.status().message(), "cannot run '" + file + "': Permission denied");
}

TEST(ChildProcessTest, MissingWorkingDirectoryIsAnError) {
  ChildSpec spec = Sh("true");
  spec.cwd = "/nonexistent/trail/dir";
  auto child = ChildProcess::Start(spec);
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(child.status().code(), Code::kNotFound);
  EXPECT_EQ(child.status().message(), "cannot change to directory '/nonexistent/trail/dir': No such file or directory");
}

TEST(ChildProcessTest, RunsInGivenDirectory) {
  TempDir dir;
  ChildSpec spec = Sh("pwd");
  spec.cwd = dir.path();
  std::string tail;
  EXPECT_EQ(RunToExit(spec, &tail).exit_code, 0);
  EXPECT_EQ(tail, std::filesystem::canonical(dir.path()).string() + "\n");
}

TEST(ChildProcessTest, SearchesPathOfGivenEnvironmentAndPassesIt) {
  TempDir dir;
  dir.Write("trail-test-hello", "#!/bin/sh\necho \"hello $GREETING\"\n", 0755);
  // No #! line: run by /bin/sh, as execvp() does.
  dir.Write("trail-test-plain", "echo plain $1\n", 0755);
  ChildSpec spec;
  spec.env = {"PATH=/nonexistent:" + dir.path() + ":/usr/bin:/bin", "GREETING=world"};
  std::string tail;

  spec.argv = {"trail-test-hello"};
  EXPECT_EQ(RunToExit(spec, &tail).exit_code, 0);
  EXPECT_EQ(tail, "hello world\n");

  spec.argv = {"trail-test-plain", "arg"};
  EXPECT_EQ(RunToExit(spec, &tail).exit_code, 0);
  EXPECT_EQ(tail, "plain arg\n");
}

TEST(ChildProcessTest, PassesKeepFdsAndNothingElse) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  ChildSpec spec = Sh("if [ -e /proc/$$/fd/" + std::to_string(fds[0]) + " ]; then exit 1; fi; " + "echo kept >&" +
                      std::to_string(fds[1]));
  spec.keep_fds = {fds[1]};
  EXPECT_EQ(RunToExit(spec).exit_code, 0);
  close(fds[1]);
  char buf[64] = {};
  EXPECT_EQ(read(fds[0], buf, sizeof buf), 5);
  EXPECT_STREQ(buf, "kept\n");
  close(fds[0]);
  // Still close-on-exec here: only the child's copy was changed.
}

TEST(ChildProcessTest, RejectsStdioAndClosedKeepFds) {
  ChildSpec spec = Sh("true");
  spec.keep_fds = {1};
  auto child = ChildProcess::Start(spec);
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(child.status().code(), Code::kInvalidArgument);

  spec.keep_fds = {999};
  child = ChildProcess::Start(spec);
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(child.status().code(), Code::kInvalidArgument);
}

TEST(ChildProcessTest, TicksWhileRunningAndAfterExit) {
  auto child = ChildProcess::Start(Sh("sleep 0.3"));
  ASSERT_TRUE(child.ok()) << child.status().message();
  int ticks = 0;
  bool exited_at_last_tick = false;
  pid_t pid = (*child)->pid();
  ChildExit exit = (*child)->Wait(
      [&] {
        ++ticks;
        // Reaped children are gone: kill(pid, 0) fails only after the exit.
        exited_at_last_tick = kill(pid, 0) != 0;
      },
      20ms);
  EXPECT_EQ(exit.exit_code, 0);
  EXPECT_GE(ticks, 6);
  EXPECT_TRUE(exited_at_last_tick);
}

TEST(ChildProcessTest, TailIsAvailableFromTick) {
  auto child = ChildProcess::Start(Sh("printf 'first\\n'; sleep 0.3"));
  ASSERT_TRUE(child.ok());
  bool saw_output = false;
  (*child)->Wait([&] { saw_output |= (*child)->OutputTail() == "first\n"; }, 20ms);
  EXPECT_TRUE(saw_output);
  EXPECT_EQ((*child)->output_bytes(), 6u);
}

TEST(ChildProcessTest, GrandchildHoldingOutputDoesNotHangWait) {
  auto start = std::chrono::steady_clock::now();
  std::string tail;
  ChildExit exit = RunToExit(Sh("sleep 3 & echo started"), &tail);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(exit.exit_code, 0);
  EXPECT_EQ(tail, "started\n");
  EXPECT_LT(took, 1500ms);
}

TEST(ChildProcessTest, OnlyOneChildAtATime) {
  auto first = ChildProcess::Start(Sh("sleep 0.2"));
  ASSERT_TRUE(first.ok());
  auto second = ChildProcess::Start(Sh("true"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kFailedPrecondition);
  (*first)->Wait({}, 50ms);
  EXPECT_TRUE(ChildProcess::Start(Sh("true")).ok());
}

TEST(ChildProcessTest, DestroyingWithoutWaitKillsAndReapsTheChild) {
  pid_t pid;
  {
    auto child = ChildProcess::Start(Sh("sleep 10"));
    ASSERT_TRUE(child.ok());
    pid = (*child)->pid();
  }
  EXPECT_NE(kill(pid, 0), 0);  // not even a zombie is left
}

TEST(ChildProcessTest, WaitTwiceReturnsSameExit) {
  auto child = ChildProcess::Start(Sh("exit 5"));
  ASSERT_TRUE(child.ok());
  EXPECT_EQ((*child)->Wait({}, 50ms).exit_code, 5);
  EXPECT_EQ((*child)->Wait({}, 50ms).exit_code, 5);
}

}  // namespace
}  // namespace trail::process
