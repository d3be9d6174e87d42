// trail ui: serves the web UI and its REST API (docs/api.md, docs/ui.md) until SIGINT/SIGTERM.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <thread>

#include "commands.h"
#include "server/server.h"

extern char** environ;

namespace trail::cli {
namespace {

// Starts a browser on `url` ($BROWSER, else xdg-open) without waiting for it; its output is not
// ours (stdout carries the one URL line).
void OpenBrowser(const std::string& url) {
  const char* env = std::getenv("BROWSER");
  std::string browser = env != nullptr && *env != '\0' ? env : "xdg-open";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> argv = {browser.data(), const_cast<char*>(url.c_str()), nullptr};
  pid_t pid = 0;
  int err = posix_spawnp(&pid, browser.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) {
    PrintWarning("could not start a browser (" + browser + "): open " + url + " yourself");
    return;
  }
  // Reaped in the background: xdg-open returns at once, a browser may run for long.
  std::thread([pid] { waitpid(pid, nullptr, 0); }).detach();
}

}  // namespace

std::function<int()> SetupUi(CLI::App& sub) {
  struct Opts {
    server::ServerOptions server;
    bool open = false;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("--port", o->server.port, "port to listen on (0: any free port)")->default_val(7007);
  sub.add_option("--host", o->server.host,
                 "address to listen on; any but loopback needs the token for reads too (generated unless --token)")
      ->default_val("127.0.0.1");
  sub.add_option("--token", o->server.token,
                 "the token that writes (and reads, off loopback) need; default: a random one per process");
  sub.add_flag("--open", o->open, "start a browser on the URL ($BROWSER, else xdg-open)");
  sub.footer(
      "Prints one line, `trail ui: serving PROJECT at URL`, once it listens; stops cleanly on Ctrl-C.\n"
      "The API is documented in docs/api.md, the pages in docs/ui.md.");
  return [o] {
    // SIGINT and SIGTERM are taken by one waiting thread (blocked in every other thread, which
    // inherit this mask), so that stopping runs outside a signal handler.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    o->server.project_dir = api::CurrentDirectory();
    auto server = server::UiServer::Bind(o->server);
    if (!server.ok()) {
      PrintError(server.status());
      return server.status().code() == Code::kFailedPrecondition ? 1 : 2;
    }
    std::printf("trail ui: serving %s at %s\n", (*server)->project_name().c_str(), (*server)->url().c_str());
    std::fflush(stdout);
    if (o->open) OpenBrowser((*server)->url());

    std::atomic<bool> done{false};
    server::UiServer* s = server->get();
    std::thread waiter([&done, s, stop_signals] {
      const timespec tick = {0, 200 * 1000 * 1000};
      while (!done) {
        if (sigtimedwait(&stop_signals, nullptr, &tick) > 0) {
          s->Stop();
          return;
        }
      }
    });
    Status served = s->Serve();
    done = true;
    waiter.join();
    if (!served.ok()) return Fail(served);
    return 0;
  };
}

}  // namespace trail::cli
