// What the child's output looks like to it and to the user: pipes when our
// stdout/stderr are files, one pty when they are a terminal.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <string>

#include "process/child_process.h"
#include "process/test_util.h"

namespace trail::process {
namespace {

using namespace std::chrono_literals;
using testing::Forked;
using testing::OpenFds;
using testing::RunToExit;
using testing::RunWithStdioInFiles;
using testing::RunWithStdioOnPty;
using testing::Sh;

std::string Seq(int n) {
  std::string s;
  for (int i = 1; i <= n; ++i) s += std::to_string(i) + "\n";
  return s;
}

TEST(ChildProcessStdioTest, PipesKeepStdoutAndStderrApart) {
  Forked f = RunWithStdioInFiles([] {
    std::string tail;
    ChildExit exit = RunToExit(Sh("test -t 1 || echo out-pipe; echo err >&2; echo out2"), &tail);
    bool tail_ok = tail.find("out-pipe\n") != std::string::npos && tail.find("err\n") != std::string::npos &&
                   tail.find("out2\n") != std::string::npos && tail.size() == 18;
    return exit.exit_code == 0 && tail_ok ? 0 : 1;
  });
  EXPECT_TRUE(f.exited_zero());
  EXPECT_EQ(f.out, "out-pipe\nout2\n");
  EXPECT_EQ(f.err, "err\n");
}

TEST(ChildProcessStdioTest, SharesOnePipeWhenStderrFollowsStdout) {
  // As after `trail run -- cmd > log 2>&1`: the child's order must survive.
  Forked f = RunWithStdioInFiles([] {
    dup2(1, 2);
    std::string tail;
    ChildExit exit = RunToExit(Sh("for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done"), &tail);
    bool in_order = tail == "out1\nerr1\nout2\nerr2\nout3\nerr3\nout4\nerr4\nout5\nerr5\n";
    return exit.exit_code == 0 && in_order ? 0 : 1;
  });
  EXPECT_EQ(WEXITSTATUS(f.status), 0);
  EXPECT_EQ(f.out, "out1\nerr1\nout2\nerr2\nout3\nerr3\nout4\nerr4\nout5\nerr5\n");
}

TEST(ChildProcessStdioTest, RelaysEverythingAndKeepsExactTail) {
  const std::string expected = Seq(100000);
  ASSERT_GT(expected.size(), 64u * 1024);
  Forked f = RunWithStdioInFiles([&] {
    auto child = ChildProcess::Start(Sh("seq 1 100000"));
    if (!child.ok()) return 2;
    ChildExit exit = (*child)->Wait({}, 100ms);
    if (exit.exit_code != 0) return 3;
    if ((*child)->output_bytes() != expected.size()) return 4;
    if ((*child)->OutputTail() != expected.substr(expected.size() - 64 * 1024)) return 5;
    return 0;
  });
  EXPECT_EQ(WEXITSTATUS(f.status), 0);
  EXPECT_EQ(f.out, expected);
  EXPECT_EQ(f.err, "");
}

TEST(ChildProcessStdioTest, KeepsDrainingWhenOurStdoutIsClosed) {
  Forked f = RunWithStdioInFiles([] {
    int fds[2];
    if (pipe(fds) != 0) return 2;
    close(fds[0]);
    dup2(fds[1], 1);  // writing to fd 1 now fails with EPIPE
    close(fds[1]);
    auto child = ChildProcess::Start(Sh("seq 1 100000"));
    if (!child.ok()) return 3;
    ChildExit exit = (*child)->Wait({}, 100ms);
    // The child must not have blocked on, or died of, the dead reader.
    if (exit.signaled || exit.exit_code != 0) return 4;
    return (*child)->output_bytes() == Seq(100000).size() ? 0 : 5;
  });
  EXPECT_EQ(WEXITSTATUS(f.status), 0);
}

// Returns 0 if the child started by `run` sees no descriptor this process
// did not have before Start(), besides 0-2: trail's own leak nowhere.
int CheckNoDescriptorLeaks() {
  std::set<int> before = OpenFds();
  std::string tail;
  if (RunToExit(Sh("sleep 0.05; ls /proc/$$/fd"), &tail).exit_code != 0) return 2;
  size_t pos = 0;
  while (pos < tail.size()) {
    size_t end = tail.find('\n', pos);
    if (end == std::string::npos) end = tail.size();
    int fd = std::stoi(tail.substr(pos, end - pos));
    if (fd > 2 && before.count(fd) == 0) return 10 + fd;
    pos = end + 1;
  }
  return 0;
}

TEST(ChildProcessStdioTest, NoDescriptorLeaksWithPipes) {
  Forked f = RunWithStdioInFiles(CheckNoDescriptorLeaks);
  EXPECT_EQ(WEXITSTATUS(f.status), 0) << f.out;
}

TEST(ChildProcessStdioTest, NoDescriptorLeaksWithPty) {
  Forked f = RunWithStdioOnPty(CheckNoDescriptorLeaks, winsize{24, 80, 0, 0});
  EXPECT_EQ(WEXITSTATUS(f.status), 0) << f.out;
}

TEST(ChildProcessStdioTest, TerminalStdoutBecomesOneSharedPty) {
  Forked f = RunWithStdioOnPty(
      [] {
        std::string tail;
        ChildExit exit = RunToExit(Sh("test -t 1 && echo out-tty; test -t 2 && echo err-tty >&2; "
                                      "printf '50%%\\r100%%\\n'; stty size <&1"),
                                   &tail);
        // Exactly what the child wrote, in order: no \r\n from the pty.
        return exit.exit_code == 0 && tail == "out-tty\nerr-tty\n50%\r100%\n37 123\n" ? 0 : 1;
      },
      winsize{37, 123, 0, 0});
  EXPECT_EQ(WEXITSTATUS(f.status), 0) << f.out;
  // Our test pty turns \n into \r\n on the way out, as a real terminal does.
  EXPECT_EQ(f.out, "out-tty\r\nerr-tty\r\n50%\r100%\r\n37 123\r\n");
}

TEST(ChildProcessStdioTest, WindowSizeFollowsSigwinch) {
  bool resized = false;
  Forked f = RunWithStdioOnPty(
      [] {
        // fd 3 keeps the pty reachable inside $(...), where fd 1 is a pipe.
        ChildExit exit =
            RunToExit(Sh("exec 3>&1; stty size <&3; i=0; "
                         "while [ \"$(stty size <&3)\" = '37 123' ] && [ $i -lt 250 ]; "
                         "do sleep 0.02; i=$((i+1)); done; stty size <&3"));
        return exit.exit_code == 0 ? 0 : 1;
      },
      winsize{37, 123, 0, 0},
      [&](pid_t helper, int master, const std::string& out) {
        if (resized || out.find("37 123") == std::string::npos) return;
        winsize ws{50, 100, 0, 0};
        ioctl(master, TIOCSWINSZ, &ws);
        kill(helper, SIGWINCH);  // what the terminal would send us
        resized = true;
      });
  EXPECT_EQ(WEXITSTATUS(f.status), 0);
  EXPECT_EQ(f.out, "37 123\r\n50 100\r\n");
}

TEST(ChildProcessStdioTest, StderrFileAndStdoutTerminal) {
  // With a terminal on fd 1 only, stderr goes to a pipe and on to fd 2.
  Forked f = RunWithStdioOnPty(
      [] {
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        dup2(null, 2);
        std::string tail;
        ChildExit exit = RunToExit(Sh("test -t 1 && echo out-tty; test -t 2 || echo err-pipe >&2"), &tail);
        bool ok = exit.exit_code == 0 && tail.find("out-tty\n") != std::string::npos &&
                  tail.find("err-pipe\n") != std::string::npos;
        return ok ? 0 : 1;
      },
      winsize{24, 80, 0, 0});
  EXPECT_EQ(WEXITSTATUS(f.status), 0);
  EXPECT_EQ(f.out, "out-tty\r\n");
}

}  // namespace
}  // namespace trail::process
