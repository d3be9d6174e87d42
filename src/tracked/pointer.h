// Pointer files: what Git holds for a file or folder whose content lives in the object store
// (docs/formats/store.md, "Pointer files"). `data/train.csv` is tracked by
// `data/train.csv.trail`:
//
//   trail: 1
//   type: file            # or folder
//   oid: sha256:4f0c...   # the file's id (git-lfs compatible), or the folder's tree id
//   size: 10485760000     # bytes (a folder: the sum)
//   files: 1              # files in it
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/env.h"
#include "store/hash.h"
#include "store/oid.h"
#include "trail/status.h"

namespace trail {

inline constexpr std::string_view kPointerSuffix = ".trail";

struct Pointer {
  bool folder = false;
  store::Sha256Digest oid{};
  uint64_t size = 0;
  uint64_t files = 1;
  bool operator==(const Pointer&) const = default;
};

std::string PointerToYaml(const Pointer& p);
// InvalidArgument naming `path` and the problem for anything that is not a pointer.
StatusOr<Pointer> ParsePointer(const std::string& text, const std::string& path);
StatusOr<Pointer> ReadPointer(const std::string& path, Env& env = *Env::Default());

// The oid's text form belongs to the store (store/oid.h); the names stay usable here.
using store::OidString;
using store::ParseOid;

}  // namespace trail
