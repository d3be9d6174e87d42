// Test-only, header-only: a real S3 server (s3rver, from npm) on a free local port, with a
// fresh data folder and one bucket, stopped (SIGTERM, then wait) when the object dies.
//
// Any test binary can use it: it finds s3rver at $TRAIL_S3RVER, else at
// <TRAIL_SOURCE_DIR>/tools/s3rver/node_modules/.bin/s3rver (scripts/setup.sh installs it), and
// fails with a message saying so when s3rver or node is missing: CI has them, and a silently
// skipped S3 test is a test nobody runs.
//
// s3rver accepts the access key "S3RVER" (secret "S3RVER"). Note that s3rver 3.7 checks the
// access key but does not verify SigV4 signatures; sigv4_test.cc pins those to AWS's vectors.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/test_temp_dir.h"
#include "remote/aws_config.h"
#include "trail/status.h"

extern char** environ;

namespace trail::remote::testing {

class S3TestServer {
 public:
  static constexpr const char* kAccessKey = "S3RVER";
  static constexpr const char* kSecretKey = "S3RVER";

  // Starts the server with `bucket` created; FailedPrecondition naming what is missing when
  // s3rver or node is not installed.
  static StatusOr<std::unique_ptr<S3TestServer>> Start(const std::string& bucket) {
    std::string s3rver = S3rverPath();
    if (::access(s3rver.c_str(), X_OK) != 0) {
      return FailedPrecondition("s3rver not found at " + s3rver +
                                ": run scripts/setup.sh (npm ci in tools/s3rver) or set TRAIL_S3RVER");
    }
    if (!OnPath("node")) return FailedPrecondition("node is not on PATH: s3rver needs Node.js (apt install nodejs)");
    // The port is free when we probe it but could be taken before s3rver binds it: try again.
    Status last;
    for (int attempt = 0; attempt < 3; ++attempt) {
      auto server = std::unique_ptr<S3TestServer>(new S3TestServer());
      last = server->Launch(s3rver, bucket);
      if (last.ok()) return server;
    }
    return last;
  }

  ~S3TestServer() { Stop(); }
  S3TestServer(const S3TestServer&) = delete;
  S3TestServer& operator=(const S3TestServer&) = delete;

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Settings for a backend talking to this server.
  S3Settings settings() const { return S3Settings{{kAccessKey, kSecretKey, ""}, "us-east-1", endpoint(), nullptr}; }
  // Where s3rver keeps its files (for debugging a failed test).
  std::string data_dir() const { return dir_.File("data"); }

  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {  // 5 s to exit cleanly, then SIGKILL
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  S3TestServer() = default;

  static std::string S3rverPath() {
    if (const char* env = std::getenv("TRAIL_S3RVER"); env && *env) return env;
#ifdef TRAIL_SOURCE_DIR
    return std::string(TRAIL_SOURCE_DIR) + "/tools/s3rver/node_modules/.bin/s3rver";
#else
    return "tools/s3rver/node_modules/.bin/s3rver";
#endif
  }

  static bool OnPath(const std::string& program) {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    for (size_t start = 0; start <= dirs.size();) {
      size_t colon = dirs.find(':', start);
      std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
    return false;
  }

  static int FreePort() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = -1;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
    ::close(fd);
    return port;
  }

  bool Accepts() const {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
  }

  Status Launch(const std::string& s3rver, const std::string& bucket) {
    port_ = FreePort();
    if (port_ <= 0) return Internal("no free local port for s3rver");
    std::filesystem::create_directories(data_dir());
    const std::string log = dir_.File("s3rver.log");
    std::vector<std::string> args = {
        s3rver,      "--directory", data_dir(),           "--port", std::to_string(port_), "--address",
        "127.0.0.1", "--silent",    "--configure-bucket", bucket};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    // s3rver makes ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17+) only
    // offers through its legacy provider; without it every truncated listing is a 500.
    std::vector<std::string> env_strings;
    std::string node_options = "NODE_OPTIONS=--openssl-legacy-provider";
    for (char** e = environ; *e; ++e) {
      if (std::strncmp(*e, "NODE_OPTIONS=", 13) == 0) {
        node_options += " " + std::string(*e + 13);
      } else {
        env_strings.emplace_back(*e);
      }
    }
    env_strings.push_back(node_options);
    std::vector<char*> envp;
    for (std::string& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    int rc = ::posix_spawn(&pid_, s3rver.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      pid_ = -1;
      return Internal("cannot start " + s3rver + ": " + std::strerror(rc));
    }
    // Node takes about half a second to start; give a loaded CI machine 20 s.
    for (int i = 0; i < 400; ++i) {
      int wstatus = 0;
      if (::waitpid(pid_, &wstatus, WNOHANG) == pid_) {
        pid_ = -1;
        std::string output = ReadLog(log);
        return Internal("s3rver exited at startup: " + output);
      }
      if (Accepts()) return Status::Ok();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    Stop();
    return Internal("s3rver did not accept connections on port " + std::to_string(port_) + " within 20 s");
  }

  static std::string ReadLog(const std::string& path) {
    std::string text;
    if (FILE* f = std::fopen(path.c_str(), "r")) {
      char buf[4096];
      size_t n = std::fread(buf, 1, sizeof buf, f);
      text.assign(buf, n);
      std::fclose(f);
    }
    return text;
  }

  trail::testing::TempDir dir_;
  pid_t pid_ = -1;
  int port_ = -1;
};

}  // namespace trail::remote::testing
