// Test-only: the one suite every Backend must pass (backend_suite_test.cc holds the tests).
//
// A backend joins by instantiating it with a factory that builds a fresh, empty backend for
// each test, together with whatever keeps it alive (a temp folder, a running server):
//
//   INSTANTIATE_TEST_SUITE_P(Folder, BackendSuite, ::testing::Values(BackendCase{"Folder", MakeFolder}),
//                            BackendCaseName);
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "remote/backend.h"

namespace trail::remote::testing {

struct BackendUnderTest {
  std::shared_ptr<void> keep_alive;  // declared first: destroyed after the backend
  std::unique_ptr<Backend> backend;
};

struct BackendCase {
  std::string name;
  // Builds a fresh, empty backend; reports a setup failure (ADD_FAILURE) and returns a null
  // backend when it cannot.
  std::function<BackendUnderTest()> make;
  // Whether a reader racing an overwrite sees one whole version. Real S3 and folders do;
  // s3rver writes objects in place, so its readers can see a mix.
  bool atomic_overwrite = true;
};

inline std::string BackendCaseName(const ::testing::TestParamInfo<BackendCase>& info) { return info.param.name; }
// So that gtest names a failing case instead of dumping its bytes.
inline void PrintTo(const BackendCase& c, std::ostream* os) { *os << c.name; }

class BackendSuite : public ::testing::TestWithParam<BackendCase> {
 protected:
  void SetUp() override {
    under_test_ = GetParam().make();
    ASSERT_NE(under_test_.backend, nullptr) << "could not set up the " << GetParam().name << " backend";
  }
  void TearDown() override {
    under_test_.backend.reset();
    under_test_.keep_alive.reset();
  }
  Backend& backend() { return *under_test_.backend; }

 private:
  BackendUnderTest under_test_;
};

}  // namespace trail::remote::testing
