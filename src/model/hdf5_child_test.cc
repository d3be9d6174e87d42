#include "model/hdf5_child.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>

#include "model/hdf5_file.h"
#include "model/keras_test_files.h"
#include "model/model_file.h"
#include "model/values.h"

namespace trail::model {
namespace {

using namespace std::chrono_literals;
using testing::KerasFile;

// Every child was reaped: none left running, no zombie.
void ExpectNoChildren() {
  errno = 0;
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

std::string Failure(const std::string& path, const std::string& why) {
  return path + ": the HDF5 library failed reading this file (" + why + "); the file is damaged or hostile";
}

class Hdf5ChildTest : public ::testing::Test {
 protected:
  void TearDown() override {
    SetHdf5ChildFaultForTesting(Hdf5ChildFault::kNone);
    SetHdf5ChildTimeoutForTesting(0ms);
    SetHdf5ChildAlarmForTesting(0);
  }
};

TEST_F(Hdf5ChildTest, ACrashInTheChildIsCorruptNamingTheFileAndTheSignal) {
  const std::string path = KerasFile("sequential.h5");
  SetHdf5ChildFaultForTesting(Hdf5ChildFault::kCrash);
  auto model = OpenModel(path);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), Code::kCorrupt);
  EXPECT_EQ(model.status().message(), Failure(path, "killed by signal 11"));
  ExpectNoChildren();
}

TEST_F(Hdf5ChildTest, ASilentChildIsKilledAfterTheTimeout) {
  const std::string path = KerasFile("sequential.h5");
  SetHdf5ChildFaultForTesting(Hdf5ChildFault::kHang);
  SetHdf5ChildTimeoutForTesting(200ms);
  const auto start = std::chrono::steady_clock::now();
  auto model = OpenModel(path);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().message(), Failure(path, "no answer for 200 ms"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  ExpectNoChildren();
}

// A child that hangs in libhdf5 ends by its own alarm, so it cannot outlive a parent that died
// (nobody would read its pipe or kill it); a parent waiting on a full pipe is not counted.
TEST_F(Hdf5ChildTest, AHangingChildEndsByItsOwnAlarm) {
  const std::string path = KerasFile("sequential.h5");
  SetHdf5ChildFaultForTesting(Hdf5ChildFault::kHang);
  SetHdf5ChildTimeoutForTesting(30000ms);  // the parent would wait longer than the alarm
  SetHdf5ChildAlarmForTesting(1);
  const auto start = std::chrono::steady_clock::now();
  auto model = OpenModel(path);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().message(), Failure(path, "killed by signal 14"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);
  ExpectNoChildren();
}

TEST_F(Hdf5ChildTest, CutOrMalformedAnswersAreCorrupt) {
  const std::string path = KerasFile("sequential.h5");
  for (auto [fault, why] : {std::pair{Hdf5ChildFault::kTruncate, "its answer ended early"},
                            std::pair{Hdf5ChildFault::kExitQuietly, "its answer ended early"},
                            std::pair{Hdf5ChildFault::kHugeFrame, "it sent a malformed frame"}}) {
    SCOPED_TRACE(why);
    SetHdf5ChildFaultForTesting(fault);
    auto model = OpenModel(path);
    ASSERT_FALSE(model.ok());
    EXPECT_EQ(model.status().code(), Code::kCorrupt);
    EXPECT_EQ(model.status().message(), Failure(path, why));
  }
  ExpectNoChildren();
}

TEST_F(Hdf5ChildTest, AMemoryBlowUpInTheChildIsCorrupt) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "no address-space limit under sanitizers";
#endif
  const std::string path = KerasFile("sequential.h5");
  SetHdf5ChildFaultForTesting(Hdf5ChildFault::kBlowUp);
  auto model = OpenModel(path);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), Code::kCorrupt);
  EXPECT_EQ(model.status().message(), Failure(path, "std::bad_alloc"));
  ExpectNoChildren();
}

TEST_F(Hdf5ChildTest, AChildFailingWhileStreamingValuesFailsThatPassOnly) {
  const std::string path = KerasFile("sequential.h5");
  auto model = OpenModel(path);
  ASSERT_TRUE(model.ok()) << model.status().message();
  SetHdf5ChildFaultForTesting(Hdf5ChildFault::kCrash);
  const Status crashed = ComputeChecksums(**model);
  EXPECT_EQ(crashed.code(), Code::kCorrupt);
  EXPECT_EQ(crashed.message(), Failure(path, "killed by signal 11"));
  SetHdf5ChildFaultForTesting(Hdf5ChildFault::kNone);
  const Status again = ComputeChecksums(**model);  // a new child
  EXPECT_TRUE(again.ok()) << again.message();
  model->reset();
  ExpectNoChildren();
}

TEST_F(Hdf5ChildTest, StatusesAndFramesComeBackIntact) {
  std::string sent(kHdf5FrameBytes * 2 + 12345, '\0');
  for (size_t i = 0; i < sent.size(); ++i) sent[i] = static_cast<char>(i * 7);
  auto child = Hdf5Child::Start("f.h5", [&](Hdf5ChildWriter& out) {
    out.Write(sent);
    return Status::Ok();
  });
  ASSERT_TRUE(child.ok());
  auto got = (*child)->ReadAll(sent.size());
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, sent);

  auto capped = Hdf5Child::Start("f.h5", [&](Hdf5ChildWriter& out) {
    out.Write(sent);
    return Status::Ok();
  });
  ASSERT_TRUE(capped.ok());
  auto over = (*capped)->ReadAll(kHdf5FrameBytes);
  EXPECT_EQ(over.status().code(), Code::kCorrupt);

  auto failing = Hdf5Child::Start("f.h5", [](Hdf5ChildWriter&) { return NotFound("f.h5: no dataset /x"); });
  ASSERT_TRUE(failing.ok());
  auto error = (*failing)->ReadAll(100);
  EXPECT_EQ(error.status().code(), Code::kNotFound);
  EXPECT_EQ(error.status().message(), "f.h5: no dataset /x");
  child->reset();
  capped->reset();
  ExpectNoChildren();
}

TEST(Hdf5ChildMessageTest, LiesAboutCountsAndLengthsAreRefused) {
  ChildMessageWriter w;
  w.U64(1);
  w.U64(uint64_t{1} << 40);  // a list of 2^40 strings in 16 bytes
  w.U64(3);
  std::optional<std::vector<std::string>> list;
  ChildMessageReader lying(w.bytes(), "f.h5");
  EXPECT_FALSE(lying.OptionalStrings(&list));
  EXPECT_EQ(lying.Malformed().code(), Code::kCorrupt);

  ChildMessageWriter s;
  s.U64(100);  // a string of 100 bytes, with 2 there
  std::string text;
  const std::string bytes = s.bytes() + "ab";
  ChildMessageReader short_string(bytes, "f.h5");
  EXPECT_FALSE(short_string.String(&text));

  ChildMessageWriter ok;
  ok.OptionalStrings(std::vector<std::string>{"a", "", "bc"});
  ok.OptionalString(std::nullopt);
  ChildMessageReader reader(ok.bytes(), "f.h5");
  std::optional<std::string> none = "x";
  ASSERT_TRUE(reader.OptionalStrings(&list));
  ASSERT_TRUE(reader.OptionalString(&none));
  EXPECT_EQ(*list, (std::vector<std::string>{"a", "", "bc"}));
  EXPECT_FALSE(none.has_value());
  EXPECT_TRUE(reader.AtEnd());
}

TEST(Hdf5ChildMessageTest, LibHdf5IsRefusedOutsideAChild) {
  auto h5 = Hdf5File::Open(KerasFile("sequential.h5"));
  ASSERT_FALSE(h5.ok());
  EXPECT_EQ(h5.status().code(), Code::kFailedPrecondition);
  EXPECT_FALSE(InHdf5Child());
}

}  // namespace
}  // namespace trail::model
