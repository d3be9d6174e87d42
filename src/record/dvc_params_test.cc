#include "record/dvc_params.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "base/test_temp_dir.h"
#include "record/params.h"

namespace trail::record {
namespace {

using ::testing::HasSubstr;

TEST(DvcParamsTest, StageParamsFilesGiveTheirListedKeysOrThemWhole) {
  trail::testing::TempDir dir;
  dir.Write("dvc.yaml",
            "stages:\n  train:\n    params:\n      - lr\n      - conf/model.yaml: [depth, opt]\n"
            "      - conf/data.json:\n      - conf/x.toml: [a]\n      - conf/gone.yaml: [a]\n");
  dir.Write("conf/model.yaml", "depth: 4\nwidth: 8\nopt:\n  name: adam\n  beta: 0.9\n");
  dir.Write("conf/data.json", R"({"batch": 32, "aug": {"flip": true}})");
  dir.Write("params.yaml", "lr: 0.1\ndepth: 5\n");
  auto p = ParamsFromDvcYaml(dir.path());
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(*p, Json::parse(R"({"depth": 4, "opt.name": "adam", "opt.beta": 0.9, "batch": 32, "aug.flip": true})"));
  // params.yaml wins over the stage files.
  auto all = ParamsFromFiles(dir.path());
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ((*all)["depth"], 5);
  EXPECT_EQ((*all)["lr"], 0.1);
  EXPECT_EQ((*all)["batch"], 32);
}

TEST(DvcParamsTest, UnsafeOrMalformedFilesAreErrorsNamingThem) {
  trail::testing::TempDir dir;
  dir.Write("dvc.yaml", "stages:\n  s:\n    params:\n      - ../up.yaml:\n");
  EXPECT_THAT(ParamsFromDvcYaml(dir.path()).status().message(), HasSubstr("../up.yaml"));
  dir.Write("dvc.yaml", "stages:\n  s:\n    params:\n      - bad.yaml:\n");
  dir.Write("bad.yaml", "a: [1, 2\n");
  EXPECT_THAT(ParamsFromDvcYaml(dir.path()).status().message(), HasSubstr("bad.yaml"));
  dir.Write("bad.yaml", "a: 1\n" + std::string(kMaxParamsFileBytes, '#'));
  EXPECT_THAT(ParamsFromDvcYaml(dir.path()).status().message(), HasSubstr("bad.yaml"));
  trail::testing::TempDir outside;
  outside.Write("secret.yaml", "secret: 1\n");
  ASSERT_EQ(::symlink(outside.path().c_str(), dir.File("linked").c_str()), 0);
  dir.Write("dvc.yaml", "stages:\n  s:\n    params:\n      - linked/secret.yaml:\n");
  EXPECT_THAT(ParamsFromDvcYaml(dir.path()).status().message(), HasSubstr("link"));
}

TEST(DvcParamsTest, NoDvcYamlNoParams) {
  trail::testing::TempDir dir;
  auto p = ParamsFromDvcYaml(dir.path());
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->empty());
}

}  // namespace
}  // namespace trail::record
