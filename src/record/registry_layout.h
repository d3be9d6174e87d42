// Where the model registry lives on the runs branch (docs/formats/model-registry.md), and the
// names it accepts. Every layer that meets registry files (the registry itself, sync's merge,
// gc's roots) spells the layout through this header, never by hand.
//
//   models/<name>/versions/<n>.yaml             one version record, never rewritten except by a
//                                               merge that renumbers it
//   models/<name>/aliases/<alias>/<move>.yaml   one alias move; file names are unique per move, so
//                                               two clones' moves merge as a union
//
// Everything on the branch may come from another clone: names, numbers and ids read back are
// validated with the functions below before use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "trail/status.h"

namespace trail::record {

inline constexpr const char* kModelsDir = "models";
inline constexpr const char* kVersionsDir = "versions";
inline constexpr const char* kAliasesDir = "aliases";
inline constexpr size_t kMaxModelNameLength = 100;
// Version numbers beyond this are refused as hostile (a registry never gets near it).
inline constexpr int64_t kMaxModelVersion = 1'000'000'000;

// A model or alias name: 1 to kMaxModelNameLength of [A-Za-z0-9_.-], not starting with '.' or
// '-' (so never "." or ".." and never an option). InvalidArgument naming `what` otherwise.
Status CheckModelName(std::string_view name, std::string_view what);
bool IsModelName(std::string_view name);
// 32 lowercase hex digits, as RegistryUid makes them.
bool IsRegistryUid(std::string_view uid);
std::string RegistryUid();

std::string ModelDir(const std::string& name);                      // "models/<name>"
std::string VersionsDir(const std::string& name);                   // "models/<name>/versions"
std::string VersionPath(const std::string& name, int64_t version);  // ".../versions/<n>.yaml"
std::string AliasDir(const std::string& name, const std::string& alias);

// The parts of "models/<name>/versions/<n>.yaml"; nullopt for any other path (or a bad name or
// number in it).
struct VersionPathParts {
  std::string name;
  int64_t version = 0;
};
std::optional<VersionPathParts> ParseVersionPath(std::string_view path);
// "<n>.yaml" -> n, for n in 1..kMaxModelVersion written without leading zeros; nullopt otherwise.
std::optional<int64_t> VersionOfFileName(std::string_view file_name);
// True for "models/<name>/aliases/<alias>/<move>.yaml".
bool IsAliasMovePath(std::string_view path);

}  // namespace trail::record
