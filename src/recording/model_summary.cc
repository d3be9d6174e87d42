#include "recording/model_summary.h"

#include <cctype>
#include <optional>

#include "context/function_table.h"
#include "model/model_file.h"
#include "record/record.h"

namespace trail {
namespace {

constexpr size_t kMaxListed = 5;  // spellings and places per function, as the source scan keeps

bool IsCheckpointShard(const std::string& path) {
  const size_t data = path.rfind(".data-");
  return data != std::string::npos && path.find('/', data) == std::string::npos;
}

// The function table's keyword context for a FoundFunction kind (model_info.h).
std::string_view ContextOf(const std::string& kind) {
  if (kind == "regularization") return "regularizer";
  return kind;  // "activation", "loss", "optimizer"
}

// "SparseSoftmaxCrossEntropyWithLogits" -> "sparse_softmax_cross_entropy_with_logits".
std::string Snake(std::string_view camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    const unsigned char c = camel[i];
    if (std::isupper(c) && i > 0 && !std::isupper(static_cast<unsigned char>(camel[i - 1]))) out += '_';
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

// What a model's spelling means: a Keras config string ("relu", "categorical_crossentropy",
// "Adam"), or a TensorFlow op ("Relu", "ApplyAdam", "ResourceApplyAdam",
// "SparseSoftmaxCrossEntropyWithLogits") read as the tf.nn / tf.train symbol it comes from.
std::optional<context::FunctionKind> Meaning(const std::string& kind, const std::string& spelling) {
  const std::string_view context = ContextOf(kind);
  std::string name = spelling;
  for (std::string_view prefix : {"ResourceSparseApply", "ResourceApply", "SparseApply", "Apply"}) {
    if (name.size() > prefix.size() && name.rfind(prefix, 0) == 0) {
      name = name.substr(prefix.size());
      break;
    }
  }
  for (const std::string& candidate : {spelling, name}) {
    if (auto k = context::LookupString(context, candidate); k && !k->name.empty()) return k;
  }
  for (const std::string& symbol : {Snake(spelling), spelling}) {
    for (const char* module : {"nn", "losses", "optimizers", "activations"}) {
      const std::vector<std::string_view> path = {"tensorflow", module, symbol};
      context::SymbolMatch m = context::MatchSymbol(path);
      if (m.parts == path.size() && !m.kinds.empty() && !m.kinds[0].name.empty()) return m.kinds[0];
    }
  }
  return std::nullopt;
}

void AddOnce(Json& list, const std::string& item) {
  if (!list.is_array()) list = Json::array();
  if (list.size() >= kMaxListed) return;
  for (const Json& x : list) {
    if (x == item) return;
  }
  list.push_back(item);
}

}  // namespace

void SummarizeModelArtifact(const std::string& abs_path, Json& artifact, std::vector<std::string>* warnings) {
  if (IsCheckpointShard(abs_path)) return;  // the checkpoint's .index carries its summary
  const std::string format = model::DetectModelFormat(abs_path);
  if (format.empty()) return;
  auto opened = model::OpenModel(abs_path);
  const std::string path = record::GetString(artifact, "path");
  if (!opened.ok()) {
    // The reader's message names the file by its absolute path; the record names it by `path`.
    std::string message = opened.status().message();
    if (message.rfind(abs_path, 0) == 0) message = path + message.substr(abs_path.size());
    artifact["model"] = Json{{"error", message}};
    if (warnings) warnings->push_back("artifact " + path + ": model not read: " + message);
    return;
  }
  artifact["model"] = model::ToJson((*opened)->info(), /*with_tensors=*/false);
}

void AddModelFunctions(Json& record) {
  auto artifacts = record.find("artifacts");
  if (artifacts == record.end() || !artifacts->is_array()) return;
  for (const Json& a : *artifacts) {
    if (!a.is_object() || !a.contains("model") || !a["model"].is_object()) continue;
    const Json& functions = a["model"].value("functions", Json::array());
    if (!functions.is_array()) continue;
    const std::string path = record::GetString(a, "path");
    for (const Json& f : functions) {
      if (!f.is_object()) continue;
      const std::string spelling = record::GetString(f, "name");
      auto kind = Meaning(record::GetString(f, "kind"), spelling);
      if (!kind) continue;
      if (!record.contains("functions") || !record["functions"].is_array()) record["functions"] = Json::array();
      Json* entry = nullptr;
      for (Json& e : record["functions"]) {
        if (e.is_object() && e.value("category", "") == std::string(kind->category) &&
            e.value("name", "") == std::string(kind->name)) {
          entry = &e;
          break;
        }
      }
      if (!entry) {
        record["functions"].push_back(Json{{"category", std::string(kind->category)},
                                           {"name", std::string(kind->name)},
                                           {"found", Json::array()},
                                           {"at", Json::array()}});
        entry = &record["functions"].back();
      }
      AddOnce((*entry)["found"], spelling);
      AddOnce((*entry)["at"], path);
    }
  }
}

}  // namespace trail
