#include "model/torchscript_code.h"

#include <cctype>

namespace trail::model {
namespace {

constexpr uint64_t kMaxFileBytes = 16 << 20;
constexpr uint64_t kMaxCodeBytes = 256 << 20;
constexpr size_t kMaxCallNames = 10'000;
constexpr size_t kMaxStateNames = 1'000'000;

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The quoted names of a `__parameters__ = ["weight", "bias", ]` line, after its '['.
std::set<std::string> QuotedNames(std::string_view line) {
  std::set<std::string> names;
  size_t at = line.find('[');
  while (at != std::string_view::npos && names.size() < kMaxStateNames) {
    const size_t open = line.find('"', at + 1);
    if (open == std::string_view::npos) break;
    const size_t close = line.find('"', open + 1);
    if (close == std::string_view::npos) break;
    names.emplace(line.substr(open + 1, close - open - 1));
    at = close;
  }
  return names;
}

void CountCalls(std::string_view text, TorchScriptCode* code) {
  size_t i = 0;
  while (i < text.size()) {
    if (!IsNameChar(text[i])) {
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < text.size() && (IsNameChar(text[i]) || text[i] == '.')) ++i;
    const std::string_view chain = text.substr(start, i - start);
    // `torch.relu(`, `torch.nn.functional.relu(`, never an attribute of something else (`a.torch.x(`)
    if (i < text.size() && text[i] == '(' && chain.starts_with("torch.") && (start == 0 || text[start - 1] != '.')) {
      const std::string name(chain);
      if (code->calls.count(name) > 0 || code->calls.size() < kMaxCallNames) ++code->calls[name];
    }
  }
}

struct Function {
  const char* call;  // the last part of the called name
  const char* kind;
  const char* spelling;  // the torch.nn class, as a pickled module names it
};

constexpr Function kFunctions[] = {
    {"relu", "activation", "ReLU"},
    {"relu_", "activation", "ReLU"},
    {"relu6", "activation", "ReLU6"},
    {"leaky_relu", "activation", "LeakyReLU"},
    {"leaky_relu_", "activation", "LeakyReLU"},
    {"gelu", "activation", "GELU"},
    {"elu", "activation", "ELU"},
    {"selu", "activation", "SELU"},
    {"celu", "activation", "CELU"},
    {"silu", "activation", "SiLU"},
    {"mish", "activation", "Mish"},
    {"sigmoid", "activation", "Sigmoid"},
    {"tanh", "activation", "Tanh"},
    {"softmax", "activation", "Softmax"},
    {"log_softmax", "activation", "LogSoftmax"},
    {"softplus", "activation", "Softplus"},
    {"softsign", "activation", "Softsign"},
    {"hardtanh", "activation", "Hardtanh"},
    {"hardswish", "activation", "Hardswish"},
    {"hardsigmoid", "activation", "Hardsigmoid"},
    {"prelu", "activation", "PReLU"},
    {"glu", "activation", "GLU"},
    {"log_sigmoid", "activation", "LogSigmoid"},
    {"cross_entropy", "loss", "CrossEntropyLoss"},
    {"cross_entropy_loss", "loss", "CrossEntropyLoss"},
    {"nll_loss", "loss", "NLLLoss"},
    {"nll_loss_nd", "loss", "NLLLoss"},
    {"nll_loss2d", "loss", "NLLLoss"},
    {"mse_loss", "loss", "MSELoss"},
    {"l1_loss", "loss", "L1Loss"},
    {"smooth_l1_loss", "loss", "SmoothL1Loss"},
    {"huber_loss", "loss", "HuberLoss"},
    {"binary_cross_entropy", "loss", "BCELoss"},
    {"binary_cross_entropy_with_logits", "loss", "BCEWithLogitsLoss"},
    {"kl_div", "loss", "KLDivLoss"},
    {"ctc_loss", "loss", "CTCLoss"},
    {"poisson_nll_loss", "loss", "PoissonNLLLoss"},
    {"hinge_embedding_loss", "loss", "HingeEmbeddingLoss"},
    {"margin_ranking_loss", "loss", "MarginRankingLoss"},
    {"cosine_embedding_loss", "loss", "CosineEmbeddingLoss"},
    {"triplet_margin_loss", "loss", "TripletMarginLoss"},
    {"dropout", "regularization", "Dropout"},
    {"dropout_", "regularization", "Dropout"},
    {"alpha_dropout", "regularization", "AlphaDropout"},
    {"feature_dropout", "regularization", "Dropout2d"},
};

}  // namespace

void ScanTorchScriptSource(std::string_view module, std::string_view text, TorchScriptCode* code) {
  std::string current;  // the class whose body the lines are in, "" outside one
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (line.starts_with("class ")) {
      size_t stop = 6;
      while (stop < line.size() && IsNameChar(line[stop])) ++stop;
      current = std::string(module) + "." + std::string(line.substr(6, stop - 6));
      code->classes[current];
      continue;
    }
    if (!line.empty() && line[0] != ' ') current.clear();
    if (current.empty()) continue;
    size_t indent = 0;
    while (indent < line.size() && line[indent] == ' ') ++indent;
    const std::string_view body = line.substr(indent);
    if (body.starts_with("__parameters__ = [")) code->classes[current].parameters = QuotedNames(body);
    if (body.starts_with("__buffers__ = [")) code->classes[current].buffers = QuotedNames(body);
  }
  CountCalls(text, code);
}

TorchScriptCode ReadTorchScriptCode(const ZipArchive& zip, const std::string& prefix) {
  TorchScriptCode code;
  const std::string folder = prefix + "code/";
  uint64_t read = 0;
  for (const ZipMember& m : zip.members()) {
    if (!m.name.starts_with(folder) || !m.name.ends_with(".py")) continue;
    std::string module = m.name.substr(folder.size(), m.name.size() - folder.size() - 3);
    for (char& c : module) c = c == '/' ? '.' : c;
    if (m.size > kMaxFileBytes || read + m.size > kMaxCodeBytes) {
      code.notes.push_back(m.name + " (" + std::to_string(m.size) + " bytes) was not read: over trail's limits");
      continue;
    }
    StatusOr<std::string> text = zip.ReadMember(m, kMaxFileBytes);
    if (!text.ok()) {
      code.notes.push_back(m.name + " was not read: " + text.status().message());
      continue;
    }
    read += text->size();
    ScanTorchScriptSource(module, *text, &code);
  }
  return code;
}

void ApplyTorchScriptCalls(const TorchScriptCode& code, ModelInfo& info) {
  for (const auto& [call, count] : code.calls) {
    const size_t dot = call.rfind('.');
    const std::string last = call.substr(dot + 1);
    for (const Function& f : kFunctions) {
      if (last != f.call) continue;
      AddFunction(info, f.kind, f.spelling,
                  "code: " + call + " (" + std::to_string(count) + (count == 1 ? " call site)" : " call sites)"));
    }
  }
  for (const std::string& note : code.notes) info.notes.push_back(note);
}

}  // namespace trail::model
