// Signals sent to trail while a child runs.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "process/child_process.h"
#include "process/test_util.h"

namespace trail::process {
namespace {

using namespace std::chrono_literals;
using testing::Sh;

// A child that reports `code` when it gets `sig`, and 0 if it never does
// within about a second.
ChildSpec Trapping(const std::string& sig, int code) {
  return Sh("trap 'exit " + std::to_string(code) + "' " + sig +
            "; echo ready; i=0; while [ $i -lt 50 ]; do sleep 0.02; i=$((i+1)); done");
}

// Runs `spec`, calling `send` once the child printed "ready".
ChildExit RunAndSignal(const ChildSpec& spec, const std::function<void()>& send) {
  auto child = ChildProcess::Start(spec);
  if (!child.ok()) return ChildExit{false, -1, 0};
  bool sent = false;
  return (*child)->Wait(
      [&] {
        if (!sent && (*child)->OutputTail().find("ready") != std::string::npos) {
          send();
          sent = true;
        }
      },
      10ms);
}

bool IsDefault(int sig) {
  struct sigaction sa {};
  sigaction(sig, nullptr, &sa);
  return !(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_DFL;
}

TEST(ChildProcessSignalTest, ForwardsSigtermAndSurvives) {
  ChildExit exit = RunAndSignal(Trapping("TERM", 42), [] { kill(getpid(), SIGTERM); });
  EXPECT_FALSE(exit.signaled);
  EXPECT_EQ(exit.exit_code, 42);
  EXPECT_TRUE(IsDefault(SIGTERM));  // restored after the child exited
  EXPECT_TRUE(IsDefault(SIGINT));
  EXPECT_TRUE(IsDefault(SIGPIPE));
}

TEST(ChildProcessSignalTest, ForwardsOtherSignals) {
  EXPECT_EQ(RunAndSignal(Trapping("HUP", 43), [] { kill(getpid(), SIGHUP); }).exit_code, 43);
  EXPECT_EQ(RunAndSignal(Trapping("USR1", 44), [] { kill(getpid(), SIGUSR1); }).exit_code, 44);
  EXPECT_EQ(RunAndSignal(Trapping("USR2", 45), [] { kill(getpid(), SIGUSR2); }).exit_code, 45);
}

TEST(ChildProcessSignalTest, ForwardsSigintSentWithKill) {
  ChildExit exit = RunAndSignal(Trapping("INT", 46), [] { kill(getpid(), SIGINT); });
  EXPECT_EQ(exit.exit_code, 46);
}

TEST(ChildProcessSignalTest, DoesNotForwardSigintFromTheTerminal) {
  // What the tty driver sends on Ctrl-C looks like this; the child, in our
  // process group, got its own copy, so forwarding would deliver it twice.
  ChildExit exit = RunAndSignal(Trapping("INT", 46), [] {
    siginfo_t info{};
    info.si_signo = SIGINT;
    info.si_code = SI_KERNEL;
    syscall(SYS_rt_sigqueueinfo, getpid(), SIGINT, &info);
  });
  EXPECT_EQ(exit.exit_code, 0);
}

TEST(ChildProcessSignalTest, SignalBeforeWaitIsForwarded) {
  auto child = ChildProcess::Start(Sh("trap 'exit 47' TERM; sleep 0.5 & wait"));
  ASSERT_TRUE(child.ok());
  std::this_thread::sleep_for(100ms);  // let sh install its trap
  kill(getpid(), SIGTERM);
  EXPECT_EQ((*child)->Wait({}, 50ms).exit_code, 47);
}

}  // namespace
}  // namespace trail::process
