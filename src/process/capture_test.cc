#include "process/capture.h"

#include <gtest/gtest.h>

#include <chrono>

namespace trail::process {
namespace {

CaptureRequest Req(std::string command) {
  CaptureRequest r;
  r.command = std::move(command);
  return r;
}

TEST(RunShellCaptureTest, ReturnsStdoutWithoutTrailingNewlines) {
  auto r = RunShellCapture(Req("echo hello; echo world; echo oops >&2"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->out, "hello\nworld");
}

TEST(RunShellCaptureTest, RunsInTheGivenFolder) {
  CaptureRequest req = Req("pwd");
  req.cwd = "/tmp";
  auto r = RunShellCapture(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "/tmp");
}

TEST(RunShellCaptureTest, NonZeroExitNamesCodeAndStderr) {
  auto r = RunShellCapture(Req("echo partial; echo 'no such thing' >&2; exit 3"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "exited with code 3: no such thing");
}

TEST(RunShellCaptureTest, TimeoutKillsTheWholeGroupPromptly) {
  auto start = std::chrono::steady_clock::now();
  // The background sleep holds the pipe open: only killing the group ends it.
  CaptureRequest req = Req("sleep 30 & sleep 30");
  req.timeout = std::chrono::milliseconds(300);
  auto r = RunShellCapture(req);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "timed out after 0.3 s");
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST(RunShellCaptureTest, OutputIsBounded) {
  CaptureRequest req = Req("head -c 100000 /dev/zero | tr '\\0' x");
  req.max_bytes = 1000;
  auto r = RunShellCapture(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out.size(), 1000u);
}

TEST(RunShellCaptureTest, StdinIsNotInherited) {
  auto r = RunShellCapture(Req("cat; echo done"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "done");
}

}  // namespace
}  // namespace trail::process
