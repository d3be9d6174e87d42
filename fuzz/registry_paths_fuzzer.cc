// Fuzzes the model registry's names and paths (record/registry_layout.h): what another clone's
// runs branch may hold under models/, read back by the registry, sync's merge and gc's roots.
//
// Checks, beyond "never crashes":
//   - a name is accepted exactly when it is 1..100 of [A-Za-z0-9_.-] not starting with '.' or
//     '-', so it is one safe path part; CheckModelName agrees and its message is one short line;
//   - a parsed version path names a valid model and a number in 1..kMaxModelVersion, and is
//     exactly the path VersionPath gives for them (one spelling per version);
//   - an alias move path has five parts, each a safe name.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/check.h"
#include "record/registry_layout.h"

namespace trail::fuzz {
namespace {

bool Expected(std::string_view s) {
  if (s.empty() || s.size() > record::kMaxModelNameLength || s[0] == '.' || s[0] == '-') return false;
  for (char c : s) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trail;
  const std::string input(reinterpret_cast<const char*>(data), size);

  const bool name = record::IsModelName(input);
  FUZZ_CHECK(name == fuzz::Expected(input), input);
  const Status checked = record::CheckModelName(input, "model name");
  FUZZ_CHECK(checked.ok() == name, input);
  if (!name) {
    FUZZ_CHECK(checked.code() == Code::kInvalidArgument, checked.message());
    FUZZ_CHECK(checked.message().size() < 400, checked.message());
  }

  if (auto parts = record::ParseVersionPath(input)) {
    FUZZ_CHECK(record::IsModelName(parts->name), input);
    FUZZ_CHECK(parts->version >= 1 && parts->version <= record::kMaxModelVersion, input);
    FUZZ_CHECK(record::VersionPath(parts->name, parts->version) == input, input);
  }
  if (auto n = record::VersionOfFileName(input)) {
    FUZZ_CHECK(*n >= 1 && *n <= record::kMaxModelVersion, input);
    FUZZ_CHECK(std::to_string(*n) + ".yaml" == input, input);
  }
  if (record::IsAliasMovePath(input)) {
    size_t parts = 1, start = 0;
    for (size_t at = input.find('/'); at != std::string::npos; at = input.find('/', start = at + 1)) {
      FUZZ_CHECK(record::IsModelName(input.substr(start, at - start)), input);
      ++parts;
    }
    FUZZ_CHECK(parts == 5 && input.starts_with("models/") && input.ends_with(".yaml"), input);
  }
  return 0;
}
