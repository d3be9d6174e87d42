// Fuzzes the sweep spec reader (`trail sweep SPEC.yaml`, sweep/spec.h): YAML text -> ParseYaml ->
// ParseSpec, which reads the search space through hpo::ParseSpace. The raw bytes also go straight
// through the command-line helpers (SplitCommandLine, Placeholders).
//
// Checks, beyond "never crashes":
//   - SplitCommandLine and Placeholders either succeed or give InvalidArgument("command: ...");
//     placeholder names are non-empty and hold no '}'.
//   - A rejected spec is InvalidArgument.
//   - An accepted spec keeps its promises: a non-empty command whose every placeholder names a
//     parameter of the space, 1 <= trials, 1 <= parallel <= 64, a grid's trials within its size.
//   - The space survives hpo::SpaceToJson -> ParseSpace: the same SpaceToJson again, exactly.
//   - MakeStrategy(spec.strategy, space, seed 1) succeeds, and its first Propose({}, {}) gives a
//     point that hpo::CheckPoint accepts (a grid: one of GridSize() points, never zero).
//   - Substitute(spec.command, point) gives one word per command word.
//
// Inputs over 4 KiB are skipped: a spec is a few lines, and bigger inputs only slow the search.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/yaml.h"
#include "fuzz/check.h"
#include "hpo/space.h"
#include "hpo/strategy.h"
#include "sweep/spec.h"

namespace trail::fuzz {
namespace {

constexpr size_t kMaxInput = 4096;

void CheckCommandError(const Status& status, std::string_view input) {
  auto note = [&] { return status.message() + "\n  input: " + Escaped(input); };
  FUZZ_CHECK(status.code() == Code::kInvalidArgument, note());
  FUZZ_CHECK(status.message().starts_with("command: "), note());
}

// Placeholders of one word: names are the non-empty text between '{' and the next '}'.
StatusOr<std::vector<std::string>> CheckedPlaceholders(const std::string& word) {
  StatusOr<std::vector<std::string>> names = sweep::Placeholders(word);
  if (!names.ok()) {
    CheckCommandError(names.status(), word);
    return names;
  }
  for (const std::string& name : *names) {
    FUZZ_CHECK(!name.empty() && name.find('}') == std::string::npos,
               "bad placeholder name '" + Escaped(name) + "' in " + Escaped(word));
  }
  return names;
}

// The command-line helpers on the raw bytes: the whole input as one line, and as one word.
void CheckCommandLine(const std::string& text) {
  StatusOr<std::vector<std::string>> words = sweep::SplitCommandLine(text);
  if (words.ok()) {
    for (const std::string& word : *words) (void)CheckedPlaceholders(word);
  } else {
    CheckCommandError(words.status(), text);
  }
  (void)CheckedPlaceholders(text);
}

void CheckSpaceRoundTrip(const hpo::Space& space, std::string_view input) {
  Json first = hpo::SpaceToJson(space);
  StatusOr<hpo::Space> again = hpo::ParseSpace(first);
  FUZZ_CHECK(again.ok(), "ParseSpace rejects SpaceToJson's output (" + again.status().message() + "): " + Shown(first) +
                             "\n  input: " + Escaped(input));
  Json second = hpo::SpaceToJson(*again);
  FUZZ_CHECK(Identical(first, second), "space changed in a SpaceToJson -> ParseSpace round trip: " + Shown(first) +
                                           "\n  became: " + Shown(second) + "\n  input: " + Escaped(input));
}

void CheckStrategy(const sweep::Spec& spec, std::string_view input) {
  auto note = [&](const std::string& what) {
    return what + "\n  strategy: " + spec.strategy + ", space: " + Shown(hpo::SpaceToJson(spec.space)) +
           "\n  input: " + Escaped(input);
  };
  std::optional<uint64_t> grid_size = spec.space.GridSize();
  if (spec.strategy == "grid") {
    FUZZ_CHECK(grid_size.has_value(), note("ParseSpec accepted a grid over a continuous parameter"));
    FUZZ_CHECK(static_cast<uint64_t>(spec.trials) <= *grid_size, note("grid trials exceed the grid size"));
    if (*grid_size == 0) return;
  }
  StatusOr<std::unique_ptr<hpo::Strategy>> strategy = hpo::MakeStrategy(spec.strategy, spec.space, 1);
  FUZZ_CHECK(strategy.ok(), note("MakeStrategy rejects a parsed spec: " + strategy.status().message()));
  if (spec.strategy == "grid") {
    FUZZ_CHECK((*strategy)->Size() == grid_size, note("grid Size() differs from GridSize()"));
  }
  StatusOr<hpo::Point> point = (*strategy)->Propose({}, {});
  FUZZ_CHECK(point.ok(), note("first Propose fails: " + point.status().message()));
  Status valid = hpo::CheckPoint(spec.space, *point);
  FUZZ_CHECK(valid.ok(), note("first proposal " + Shown(*point) + " is not in the space: " + valid.message()));

  std::vector<std::string> words = sweep::Substitute(spec.command, *point);
  FUZZ_CHECK(words.size() == spec.command.size(), note("Substitute changed the number of words"));
}

void CheckSpec(const sweep::Spec& spec, std::string_view input) {
  auto note = [&](const std::string& what) { return what + "\n  input: " + Escaped(input); };
  FUZZ_CHECK(!spec.space.dims.empty(), note("accepted an empty space"));
  FUZZ_CHECK(!spec.command.empty(), note("accepted an empty command"));
  for (const std::string& word : spec.command) {
    StatusOr<std::vector<std::string>> names = CheckedPlaceholders(word);
    FUZZ_CHECK(names.ok(), note("accepted a command word with a bad placeholder: " + Escaped(word)));
    for (const std::string& name : *names) {
      FUZZ_CHECK(spec.space.Find(name) != nullptr, note("placeholder {" + Escaped(name) + "} is not in the space"));
    }
  }
  FUZZ_CHECK(spec.trials >= 1, note("trials < 1"));
  FUZZ_CHECK(spec.parallel >= 1 && spec.parallel <= 64, note("parallel outside 1..64"));
  FUZZ_CHECK(spec.strategy == "grid" || spec.strategy == "random" || spec.strategy == "bayes",
             note("unknown strategy " + spec.strategy));
  CheckSpaceRoundTrip(spec.space, input);
  CheckStrategy(spec, input);
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trail;
  if (size > fuzz::kMaxInput) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);

  fuzz::CheckCommandLine(text);

  StatusOr<Json> json = ParseYaml(text, "sweep.yaml");
  if (!json.ok()) return 0;
  StatusOr<sweep::Spec> spec = sweep::ParseSpec(*json);
  if (!spec.ok()) {
    FUZZ_CHECK(spec.status().code() == Code::kInvalidArgument,
               "ParseSpec error is not InvalidArgument: " + spec.status().message());
    return 0;
  }
  fuzz::CheckSpec(*spec, text);
  return 0;
}
