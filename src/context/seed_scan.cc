#include "context/seed_scan.h"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "context/py_imports.h"
#include "context/source_walker.h"
#include "context/text_files.h"

namespace trail::context {
namespace {

constexpr size_t kMaxValue = 80;     // a seed's source text longer than this is cut
constexpr size_t kMaxEntries = 100;  // seed calls listed per program

// A seeding function and where its seed argument is: the keyword, or the
// first positional argument (every function here takes its seed first).
struct SeedFunction {
  std::string_view dotted;   // the full name the callee resolves to
  std::string_view keyword;  // the seed parameter's name
};

// Functions whose call sets a seed, by full name. "X()" stands for an
// instance of X bound to a name of the file (rng = random.Random(0); rng.seed(1)).
constexpr SeedFunction kSeedFunctions[] = {
    {"random.seed", "a"},
    {"random.Random", "x"},
    {"random.Random().seed", "a"},
    {"numpy.random.seed", "seed"},
    {"numpy.random.default_rng", "seed"},
    {"numpy.random.RandomState", "seed"},
    {"numpy.random.RandomState().seed", "seed"},
    {"numpy.random.SeedSequence", "entropy"},
    {"torch.manual_seed", "seed"},
    {"torch.random.manual_seed", "seed"},
    {"torch.cuda.manual_seed", "seed"},
    {"torch.cuda.manual_seed_all", "seed"},
    {"tensorflow.random.set_seed", "seed"},
    {"tensorflow.set_random_seed", "seed"},
    {"tensorflow.compat.v1.set_random_seed", "seed"},
    {"tensorflow.compat.v1.random.set_random_seed", "seed"},
    {"tensorflow.keras.utils.set_random_seed", "seed"},
    {"keras.utils.set_random_seed", "seed"},
    {"keras.src.utils.set_random_seed", "seed"},
    {"pytorch_lightning.seed_everything", "seed"},
    {"pytorch_lightning.utilities.seed.seed_everything", "seed"},
    {"lightning.seed_everything", "seed"},
    {"lightning.pytorch.seed_everything", "seed"},
    {"lightning.fabric.seed_everything", "seed"},
    {"lightning_fabric.seed_everything", "seed"},
    {"lightning_fabric.utilities.seed.seed_everything", "seed"},
    {"transformers.set_seed", "seed"},
    {"jax.random.PRNGKey", "seed"},
    {"jax.random.key", "seed"},
    {"trail.seed", "n"},
};

// Constructors whose result is a generator with a .seed() method.
constexpr std::string_view kSeededInstances[] = {"random.Random", "numpy.random.RandomState"};

const SeedFunction* FindSeedFunction(std::string_view dotted) {
  for (const SeedFunction& f : kSeedFunctions) {
    if (f.dotted == dotted) return &f;
  }
  return nullptr;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ".") + p;
  return out;
}

using TokenRange = std::pair<size_t, size_t>;

class SeedFileScanner : SourceWalker {
 public:
  SeedFileScanner(const SourceFile& file, Json* out) : SourceWalker(file), out_(out) {}

  void Run() {
    for (size_t i = 0; i < t_.size();) {
      if (t_[i].kind == TokenKind::kOp) {
        TrackBracket(Text(i));
        ++i;
      } else if (t_[i].kind == TokenKind::kName) {
        i = OnName(i);
      } else {
        ++i;
      }
    }
  }

 private:
  // The token after the bracket that closes the one at `open`.
  size_t AfterClose(size_t open) const {
    size_t j = open + 1;
    while (j < t_.size() && t_[j].depth > t_[open].depth) ++j;
    return j + 1;
  }

  size_t OnName(size_t i) {
    std::string_view word = Text(i);
    if ((word == "import" || word == "from") && IsStatementStart(src_, t_, i)) {
      size_t next = i;
      for (const ImportStatement& s : ParseImportAt(src_, t_, &next)) Bind(s);
      return next;
    }
    if (word == "def" || word == "class") {
      if (!IsNameAt(i + 1)) return i + 1;
      bindings_[std::string(Text(i + 1))] = "";  // the file's own from here on
      // A def's parameter list declares defaults (random_state=None); it passes nothing.
      if (word == "def" && IsOp(i + 2, "(")) return AfterClose(i + 2);
      return i + 2;
    }
    if (i > 0 && IsOp(i - 1, ".")) return i + 1;  // an attribute of something else: f().seed
    if (IsOp(i + 1, "=")) {
      if (AtArgumentStart(i)) {
        if (word == "random_state") Add("random_state", i + 2, ValueEnd(i + 2, t_[i].depth), i);
        return i + 1;
      }
      if (IsStatementStart(src_, t_, i) && !(i > 0 && IsOp(i - 1, ":"))) {
        OnAssignment(i);
        return i + 1;
      }
    }
    std::vector<std::string_view> chain;
    const size_t end = ReadDottedName(i, &chain);
    if (IsOp(end, "(")) OnCall(i, chain, end);
    return end;
  }

  void OnCall(size_t at, const std::vector<std::string_view>& chain, size_t open) {
    std::string spelling;
    for (std::string_view part : chain) spelling += (spelling.empty() ? "" : ".") + std::string(part);
    const SeedFunction* f = nullptr;
    if (auto path = Resolve(chain)) f = FindSeedFunction(Join(*path));
    // A project's own seeding helper goes by this name as often as lightning's does.
    static constexpr SeedFunction kOwnHelper = {"seed_everything", "seed"};
    if (!f && chain.size() == 1 && chain[0] == "seed_everything") f = &kOwnHelper;
    if (!f) return;
    TokenRange seed = SeedArgument(open, f->keyword);
    Add(spelling, seed.first, seed.second, at);
  }

  // The tokens of the seed argument of the call at `open`: the keyword's
  // value, else the first positional argument (`*args` included, which may
  // hold it), else a `**kwargs`; empty when there is none.
  TokenRange SeedArgument(size_t open, std::string_view keyword) const {
    const uint32_t depth = t_[open].depth + 1;
    std::optional<TokenRange> first, mapping;
    for (size_t b = open + 1; b < t_.size() && t_[b].depth >= depth;) {
      const size_t e = ValueEnd(b, depth);
      if (IsNameAt(b) && IsOp(b + 1, "=")) {
        if (Text(b) == keyword) return {b + 2, e};
      } else if (IsOp(b, "**")) {
        if (!mapping) mapping = TokenRange{b, e};
      } else if (!first && b < e) {
        first = TokenRange{b, e};
      }
      if (e >= t_.size() || !IsOp(e, ",") || t_[e].depth != depth) break;
      b = e + 1;  // past the ','
    }
    return first.value_or(mapping.value_or(TokenRange{0, 0}));
  }

  // The end of the value that starts at `b` in an argument list at `depth`:
  // the next ',' there, or the closing bracket.
  size_t ValueEnd(size_t b, uint32_t depth) const {
    size_t e = b;
    while (e < t_.size() && t_[e].depth >= depth && !(t_[e].depth == depth && IsOp(e, ","))) {
      if (t_[e].kind == TokenKind::kNewline) break;
      ++e;
    }
    return e;
  }

  // Binds the names an import statement defines to what they name; a
  // relative import names the project's own code.
  void Bind(const ImportStatement& s) {
    if (!s.is_from) {
      if (!s.alias.empty()) {
        bindings_[s.alias] = s.module;
      } else {
        std::string top = s.module.substr(0, s.module.find('.'));
        bindings_[top] = top;
      }
      return;
    }
    for (const ImportedName& n : s.names) {
      if (n.name == "*") continue;  // nothing seeds through a star import that can be told apart
      bindings_[n.bound()] = s.level > 0 ? "" : s.module + "." + n.name;
    }
  }

  // `name = a.b` makes name an alias, `name = random.Random(...)` a seedable
  // generator; any other value makes it the file's own.
  void OnAssignment(size_t i) {
    std::string name(Text(i));
    size_t j = i + 2;
    std::vector<std::string_view> chain;
    while (IsNameAt(j)) {
      chain.push_back(Text(j));
      if (!IsOp(j + 1, ".")) break;
      j += 2;
    }
    std::string target;
    if (!chain.empty() && IsNameAt(j)) {
      const bool ends = j + 1 >= t_.size() || t_[j + 1].kind == TokenKind::kNewline || IsOp(j + 1, ";");
      const bool call = IsOp(j + 1, "(");
      if (auto path = Resolve(chain); path && (ends || call)) {
        const std::string dotted = Join(*path);
        if (ends) target = dotted;
        for (std::string_view ctor : kSeededInstances) {
          if (call && dotted == ctor) target = dotted + "()";
        }
      }
    }
    bindings_[name] = target;
  }

  // The full dotted name `chain` refers to through the file's imports, or
  // nullopt for a name of the file's own or an unknown one.
  std::optional<std::vector<std::string>> Resolve(const std::vector<std::string_view>& chain) const {
    auto it = bindings_.find(std::string(chain[0]));
    if (it == bindings_.end() || it->second.empty()) return std::nullopt;
    std::vector<std::string> path = SplitString(it->second, '.');
    path.insert(path.end(), chain.begin() + 1, chain.end());
    return path;
  }

  // The source text of tokens [b, e), comments dropped and each gap between
  // tokens one space.
  std::string SourceText(size_t b, size_t e) const {
    std::string out;
    for (size_t k = b; k < e && k < t_.size(); ++k) {
      if (t_[k].kind == TokenKind::kNewline) continue;
      if (k > b && t_[k].begin > t_[k - 1].begin + t_[k - 1].size) out += ' ';
      out += Text(k);
    }
    return out;
  }

  void Add(const std::string& call, size_t b, size_t e, size_t at) {
    if (out_->size() >= kMaxEntries) return;
    std::string value = SourceText(b, e);
    if (value.size() > kMaxValue) {
      size_t cut = kMaxValue - 3;
      while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
      value = value.substr(0, cut) + "...";
    }
    // Source bytes go into a record, which must stay text.
    out_->push_back(Json{{"call", SanitizeUtf8(call)}, {"value", SanitizeUtf8(value)}, {"at", SanitizeUtf8(At(at))}});
  }

  Json* out_;
  std::unordered_map<std::string, std::string> bindings_;  // name → dotted target; "" = the file's own
};

}  // namespace

Json ScanSeeds(const ProgramSources& sources) {
  Json out = Json::array();
  for (const SourceFile& f : sources.files) SeedFileScanner(f, &out).Run();
  return out;
}

}  // namespace trail::context
