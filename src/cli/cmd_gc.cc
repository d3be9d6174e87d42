// trail gc / fsck: store maintenance (docs/store-maintenance.md).
#include <cstdio>

#include "commands.h"
#include "trail/format.h"
#include "trail/upkeep.h"

namespace trail::cli {

namespace {

// `trail gc --format json` (docs/json.md).
Json GcJson(const api::GcReport& r, bool dry_run) {
  Json actions = Json::array();
  for (const api::GcPackAction& a : r.actions) {
    actions.push_back(Json{{"action", a.what == api::GcPackAction::What::kRemove ? "remove" : "rewrite"},
                           {"pack", a.pack_id},
                           {"dead_blobs", a.dead_blobs},
                           {"live_blobs", a.live_blobs},
                           {"dead_bytes", a.dead_bytes},
                           {"pack_bytes", a.pack_bytes}});
  }
  return Json{{"dry_run", dry_run},
              {"actions", actions},
              {"rebuilt_indexes", r.rebuilt_indexes},
              {"stray", r.stray},
              {"removed_packs", r.removed_packs},
              {"rewritten_packs", r.rewritten_packs},
              {"freed_bytes", r.freed_bytes},
              {"kept_bytes", r.kept_bytes},
              {"warnings", r.warnings}};
}

}  // namespace

std::function<int()> SetupGc(CLI::App& sub) {
  auto dry_run = std::make_shared<bool>(false);
  auto format = std::make_shared<std::string>("text");
  auto progress = std::make_shared<ProgressOptions>();
  sub.add_flag("-n,--dry-run", *dry_run, "list what would be removed; change nothing");
  AddFormatOption(sub, *format);
  AddProgressFlags(sub, *progress);
  return [dry_run, format, progress] {
    auto project = OpenProject();
    if (!project) return 1;
    auto r = [&] {
      auto bar = MakeProgress(*progress, *format == "json");
      return api::CollectGarbage(*project, *dry_run, bar.get());
    }();
    if (!r.ok()) return Fail(r.status());
    for (const std::string& w : r->warnings) PrintWarning(w);
    if (*format == "json") {
      PrintJson(GcJson(*r, *dry_run));
      return 0;
    }
    const char* verb_remove = *dry_run ? "would remove" : "removed";
    const char* verb_rewrite = *dry_run ? "would rewrite" : "rewrote";
    for (const api::GcPackAction& a : r->actions) {
      if (a.what == api::GcPackAction::What::kRemove) {
        std::printf("%s pack %s (%zu blobs, %s)\n", verb_remove, a.pack_id.c_str(), a.dead_blobs,
                    api::FormatBytes(a.pack_bytes).c_str());
      } else {
        std::printf("%s pack %s (%zu of %zu blobs dead, %s of %s)\n", verb_rewrite, a.pack_id.c_str(), a.dead_blobs,
                    a.dead_blobs + a.live_blobs, api::FormatBytes(a.dead_bytes).c_str(),
                    api::FormatBytes(a.pack_bytes).c_str());
      }
    }
    for (const std::string& id : r->rebuilt_indexes)
      std::printf("%s index of pack %s from the pack\n", *dry_run ? "would rebuild" : "rebuilt", id.c_str());
    for (const std::string& s : r->stray) std::printf("%s stray %s\n", verb_remove, s.c_str());
    std::printf("%s %zu packs, %s %zu, %s %s (kept %s)\n", verb_remove, r->removed_packs, verb_rewrite,
                r->rewritten_packs, *dry_run ? "would free" : "freed", api::FormatBytes(r->freed_bytes).c_str(),
                api::FormatBytes(r->kept_bytes).c_str());
    return 0;
  };
}

std::function<int()> SetupFsck(CLI::App& sub) {
  auto progress = std::make_shared<ProgressOptions>();
  auto repair = std::make_shared<bool>(false);
  auto format = std::make_shared<std::string>("text");
  sub.add_flag("-q,--quiet", progress->quiet, "print problems only (and no progress line)");
  AddProgressFlags(sub, *progress, "");
  sub.add_flag("--repair", *repair,
               "rebuild lost pack indexes; move damaged or missing packs aside, keeping what verifies");
  AddFormatOption(sub, *format);
  return [progress, repair, format] {
    auto project = OpenProject();
    if (!project) return 1;
    auto r = [&] {
      auto bar = MakeProgress(*progress, *format == "json");
      return api::CheckStore(*project, *repair, bar.get());
    }();
    if (!r.ok()) return Fail(r.status());
    if (*format == "json") {
      // Exit 1 when there are problems, as the text form does; the document says which.
      PrintJson(Json{{"clean", r->clean()},
                     {"packs", r->packs},
                     {"objects", r->blobs},
                     {"roots", r->roots},
                     {"problems", r->problems},
                     {"notes", r->notes},
                     {"repaired", r->repaired}});
      return r->clean() ? 0 : 1;
    }
    for (const std::string& line : r->repaired) std::printf("%s\n", line.c_str());
    for (const std::string& p : r->problems) std::printf("%s\n", p.c_str());
    if (!progress->quiet) {
      for (const std::string& n : r->notes) PrintWarning(n);
      std::printf("checked %zu packs, %zu objects, %zu roots: %s\n", r->packs, r->blobs, r->roots,
                  r->clean() ? "no problems" : (std::to_string(r->problems.size()) + " problems").c_str());
    }
    return r->clean() ? 0 : 1;
  };
}

}  // namespace trail::cli
