// Fuzzes the reader of pointer files (core/pointer.h): the `<file>.trail` files users commit,
// which trail reads back from any checkout, so their bytes are outside input.
//
// Checks, beyond "never crashes":
//   - Every error is InvalidArgument naming the file ("<path>: not a trail pointer file...").
//   - An accepted pointer survives PointerToYaml -> ParsePointer exactly, and its oid survives
//     OidString -> ParseOid.
//   - Fields the input spells out are what the pointer holds: a "folder" type gives folder, and
//     without `files:` a pointer counts one file.
#include <cstdint>
#include <string>
#include <string_view>

#include "base/yaml.h"
#include "fuzz/check.h"
#include "tracked/pointer.h"

namespace trail::fuzz {
namespace {

const std::string kPath = "data/train.csv.trail";

void CheckError(const Status& status, std::string_view input) {
  const std::string& m = status.message();
  FUZZ_CHECK(status.code() == Code::kInvalidArgument, "error is not InvalidArgument: " + m);
  FUZZ_CHECK(m.starts_with(kPath + ": not a trail pointer file"),
             "error does not name the file: " + Escaped(m) + "\n  input: " + Escaped(input));
}

void CheckPointer(const Pointer& p, std::string_view input) {
  auto note = [&](const std::string& what) { return what + "\n  input: " + Escaped(input); };
  const std::string yaml = PointerToYaml(p);
  StatusOr<Pointer> back = ParsePointer(yaml, kPath);
  FUZZ_CHECK(back.ok(), note("PointerToYaml wrote what ParsePointer rejects: " + back.status().message()));
  FUZZ_CHECK(*back == p, note("pointer changed through PointerToYaml: " + Escaped(yaml)));
  auto oid = ParseOid(OidString(p.oid));
  FUZZ_CHECK(oid && *oid == p.oid, note("oid does not survive OidString -> ParseOid"));

  StatusOr<Json> j = ParseYaml(std::string(input), kPath, 4);
  FUZZ_CHECK(j.ok() && j->is_object(), note("accepted what is not a YAML mapping"));
  const bool folder = j->contains("type") && (*j)["type"] == "folder";
  FUZZ_CHECK(p.folder == folder, note("folder flag does not match the type"));
  if (!j->contains("files")) FUZZ_CHECK(p.files == 1, note("a pointer without files: does not count one"));
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trail;
  const std::string text(reinterpret_cast<const char*>(data), size);
  StatusOr<Pointer> p = ParsePointer(text, fuzz::kPath);
  if (p.ok()) {
    fuzz::CheckPointer(*p, text);
  } else {
    fuzz::CheckError(p.status(), text);
  }
  return 0;
}
