#include "project/context_config.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace trail {
namespace {

Json Config(const std::string& yaml) {
  auto j = ParseYaml(yaml, "test");
  EXPECT_TRUE(j.ok()) << j.status().message();
  return *j;
}

ContextConfig Parse(const std::string& yaml) {
  auto c = ParseContextConfig(Config(yaml));
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? *c : ContextConfig{};
}

std::string Error(const std::string& yaml) {
  auto c = ParseContextConfig(Config(yaml));
  return c.ok() ? "" : c.status().message();
}

Json SampleRecord() {
  return Config(R"(
id: p-1
status: finished
user: {name: Ann}
host: box
code: {branch: main, snapshot: abc, changed: [a.py]}
params: {lr: 0.1}
environment:
  os: Linux
  cpu: {model: EPYC, cores: 2}
  python: {interpreter: /usr/bin/python3, version: 3.11.2}
  frameworks: {numpy: 1.24.2}
functions: [{category: optimizer, name: Adam}]
)");
}

TEST(ContextConfigTest, AbsentSectionKeepsEverything) {
  ContextConfig c = Parse("name: p\n");
  Json r = SampleRecord();
  ApplyContextSelection(c, r);
  EXPECT_EQ(r, SampleRecord());
  EXPECT_TRUE(c.Wants("code.snapshot"));
}

TEST(ContextConfigTest, ExcludeRemovesSubtreesAndWildcards) {
  ContextConfig c = Parse("context: {exclude: [environment.cpu, 'code.chan*', functions]}\n");
  Json r = SampleRecord();
  ApplyContextSelection(c, r);
  EXPECT_FALSE(r["environment"].contains("cpu"));
  EXPECT_TRUE(r["environment"].contains("os"));
  EXPECT_FALSE(r["code"].contains("changed"));
  EXPECT_TRUE(r["code"].contains("snapshot"));
  EXPECT_FALSE(r.contains("functions"));
  EXPECT_FALSE(c.Wants("functions"));
  EXPECT_FALSE(c.Wants("environment.cpu.model"));
  EXPECT_TRUE(c.Wants("environment.os"));
}

TEST(ContextConfigTest, MappingsEmptiedByExcludesGo) {
  ContextConfig c = Parse("context: {exclude: [environment.cpu.model, environment.cpu.cores]}\n");
  Json r = SampleRecord();
  r["environment"]["processors"] = Json::object();  // empty to begin with: kept
  ApplyContextSelection(c, r);
  EXPECT_FALSE(r["environment"].contains("cpu"));
  EXPECT_TRUE(r["environment"].contains("processors"));
}

TEST(ContextConfigTest, IncludeKeepsOnlyNamedContextButNeverIdentityOrParams) {
  ContextConfig c = Parse("context: {include: [environment.python, code], exclude: [code.changed]}\n");
  Json r = SampleRecord();
  ApplyContextSelection(c, r);
  EXPECT_EQ(r["id"], "p-1");
  EXPECT_EQ(r["params"]["lr"], 0.1);
  EXPECT_FALSE(r.contains("user"));
  EXPECT_FALSE(r.contains("host"));
  EXPECT_FALSE(r.contains("functions"));
  EXPECT_EQ(r["environment"].size(), 1u);
  EXPECT_EQ(r["environment"]["python"]["version"], "3.11.2");
  EXPECT_TRUE(r["code"].contains("branch"));
  EXPECT_FALSE(r["code"].contains("changed"));
  EXPECT_TRUE(c.Wants("environment"));  // leads into environment.python
  EXPECT_TRUE(c.Wants("environment.python.version"));
  EXPECT_FALSE(c.Wants("environment.cpu"));
}

TEST(ContextConfigTest, WildcardSegmentInInclude) {
  ContextConfig c = Parse("context: {include: ['environment.*.version']}\n");
  Json r = SampleRecord();
  ApplyContextSelection(c, r);
  EXPECT_EQ(r["environment"], Config("python: {version: 3.11.2}"));
}

TEST(ContextConfigTest, CustomFieldsValueEnvCommand) {
  ::setenv("TRAIL_TEST_REGION", "eu-west-1", 1);
  ::unsetenv("TRAIL_TEST_UNSET");
  ContextConfig c = Parse(R"(
context:
  custom:
    dataset: {value: v3}
    region: {env: TRAIL_TEST_REGION}
    missing: {env: TRAIL_TEST_UNSET}
    greeting: {command: "echo hi there"}
    broken: {command: "exit 4"}
    slow: {command: "sleep 5", timeout: 0.2}
)");
  std::vector<std::string> warnings;
  Json out = CaptureCustomFields(c, "/tmp", &warnings);
  EXPECT_EQ(out["dataset"], "v3");
  EXPECT_EQ(out["region"], "eu-west-1");
  EXPECT_EQ(out["missing"]["error"], "environment variable TRAIL_TEST_UNSET is not set");
  EXPECT_EQ(out["greeting"], "hi there");
  EXPECT_EQ(out["broken"]["error"], "command 'exit 4' exited with code 4");
  EXPECT_EQ(out["slow"]["error"], "command 'sleep 5' timed out after 0.2 s");
  EXPECT_EQ(warnings.size(), 3u);
  std::vector<std::string> keys;
  for (auto it = out.begin(); it != out.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"dataset", "region", "missing", "greeting", "broken", "slow"}));
}

TEST(ContextConfigTest, SecretCustomFieldsAreMasked) {
  ::setenv("TRAIL_TEST_API_TOKEN", "tok-123", 1);
  ::setenv("TRAIL_TEST_PLAIN", "plain", 1);
  ContextConfig c = Parse(R"(
context:
  custom:
    registry: {env: TRAIL_TEST_API_TOKEN}
    db_password: {env: TRAIL_TEST_PLAIN}
    region: {env: TRAIL_TEST_PLAIN}
)");
  std::vector<std::string> warnings;
  Json out = CaptureCustomFields(c, "/tmp", &warnings);
  EXPECT_EQ(out["registry"], "***");
  EXPECT_EQ(out["db_password"], "***");
  EXPECT_EQ(out["region"], "plain");
}

TEST(ContextConfigTest, SecretFilesDefaultAndOverride) {
  EXPECT_EQ(Parse("context: {}\n").secret_files, DefaultSecretFiles());
  EXPECT_EQ(Parse("context: {secret_files: [.env, '*.pem']}\n").secret_files,
            (std::vector<std::string>{".env", "*.pem"}));
  EXPECT_TRUE(Parse("context: {secret_files: []}\n").secret_files.empty());
  EXPECT_EQ(Error("context: {secret_files: .env}\n"),
            ".trail/config.yaml: context.secret_files: expected a list of file patterns such as .env or '*.pem'");
}

TEST(ContextConfigTest, BadSpecsNameTheKey) {
  EXPECT_EQ(Error("context: [a]\n"), ".trail/config.yaml: context: expected a mapping (include, exclude, custom)");
  EXPECT_EQ(Error("context: {exlude: [code]}\n"),
            ".trail/config.yaml: context: unknown key 'exlude' (expected include, exclude, custom, secret_files)");
  EXPECT_EQ(Error("context: {exclude: code}\n"), ".trail/config.yaml: context.exclude: expected a list of field paths");
  EXPECT_EQ(Error("context: {exclude: [params.lr]}\n"),
            ".trail/config.yaml: context.exclude: 'params.lr' names no captured field (fields start with user, host, "
            "command, cwd, code, environment, functions or context)");
  EXPECT_EQ(Error("context: {custom: {x: {value: 1, env: HOME}}}\n"),
            ".trail/config.yaml: context.custom.x: give exactly one of value, env or command");
  EXPECT_EQ(Error("context: {custom: {x: {}}}\n"),
            ".trail/config.yaml: context.custom.x: give exactly one of value, env or command");
  EXPECT_EQ(Error("context: {custom: {x: {cmd: ls}}}\n"),
            ".trail/config.yaml: context.custom.x: unknown key 'cmd' (expected value, env, command, timeout)");
  EXPECT_EQ(Error("context: {custom: {x: {command: ls, timeout: -1}}}\n"),
            ".trail/config.yaml: context.custom.x: timeout must be a number of seconds between 0 and 60");
  EXPECT_EQ(Error("context: {custom: {x: {env: ''}}}\n"),
            ".trail/config.yaml: context.custom.x: env must be a non-empty string");
  EXPECT_EQ(Error("context: {custom: {x: {value: 1, timeout: 3}}}\n"),
            ".trail/config.yaml: context.custom.x: timeout only applies to command");
}

}  // namespace
}  // namespace trail
