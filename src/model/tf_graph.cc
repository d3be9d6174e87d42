// TensorFlow graphs: a MetaGraphDef file (.meta, tensorflow/core/protobuf/meta_graph.proto) and a
// SavedModel folder (saved_model.pb: SavedModel { meta_graphs = 2 }, with its variables in the V2
// bundle variables/variables.{index,data-*}).
//
// The file is walked field by field (tf_file_wire.h) and only what is read is loaded, each piece
// up to a cap: a frozen graph's constants can be hundreds of MB, and no node, signature or
// meta_info_def is held whole past its cap. From a MetaGraphDef it reads meta_info_def
// (tensorflow_version, tags), graph_def nodes and the function library's nodes (op counts;
// Placeholders as inputs; variables' dtype and shape attrs), and signature_def. The same graphs
// in protobuf text (saved_model.pbtxt, .pbtxt files) are read by tf_graph_text.cc into the same
// MetaGraphSummary.
#include <sys/stat.h>

#include <algorithm>

#include "model/random_file.h"
#include "model/readers.h"
#include "model/tf_checkpoint.h"
#include "model/tf_file_wire.h"
#include "model/tf_functions.h"
#include "model/tf_graph_summary.h"
#include "model/tf_types.h"

namespace trail::model {

void AddTfNode(const TfNodeSummary& node, bool top_level, MetaGraphSummary* out) {
  if (node.op.empty()) return;
  ++out->op_counts[node.op];
  if (!top_level) return;
  std::string dtype;
  if (node.has_dtype) DTypeFromTf(node.dtype, &dtype);
  if (!node.dtype_name.empty()) dtype = node.dtype_name;
  const std::string& op = node.op;
  if (op == "Placeholder" || op == "PlaceholderWithDefault") {
    TensorSpec spec;
    spec.name = node.name;
    spec.dtype = std::move(dtype);
    spec.shape = node.shape;
    spec.shape_known = node.has_shape && node.shape_known;
    out->placeholders.push_back(std::move(spec));
  } else if (op == "VariableV2" || op == "Variable" || op == "VarHandleOp" || op == "VariableV1") {
    TfVariable v;
    v.name = node.name;
    v.op = op;
    v.dtype = std::move(dtype);
    v.shape = node.shape;
    v.shape_known = node.has_shape && node.shape_known;
    out->variables.push_back(std::move(v));
  }
}

void SortSignature(Signature* signature) {
  auto by_name = [](const TensorSpec& a, const TensorSpec& b) { return a.name < b.name; };
  std::sort(signature->inputs.begin(), signature->inputs.end(), by_name);
  std::sort(signature->outputs.begin(), signature->outputs.end(), by_name);
}

void SortSignatures(MetaGraphSummary* graph) {
  std::sort(graph->signatures.begin(), graph->signatures.end(),
            [](const Signature& a, const Signature& b) { return a.key < b.key; });
}

namespace {

// A node past this size (a large Const) is read by its first bytes only: name and op come first.
constexpr uint64_t kMaxNodeBytes = 1 << 20;
constexpr uint64_t kNodePrefixBytes = 4096;
constexpr uint64_t kMaxSmallFieldBytes = 1 << 20;  // a signature, a tag, a version string
// SavedModels hold a handful of meta graphs; more is not a file TensorFlow writes.
constexpr size_t kMaxMetaGraphs = 1024;

// Decodes a NodeDef (or the first bytes of one): name, op, and the "dtype" and "shape" attrs that
// Placeholder and variable ops carry. Fields after a cut are simply not seen.
void DecodeNode(std::string_view bytes, TfNodeSummary* node) {
  WireReader reader(bytes);
  WireField field;
  while (reader.Next(field)) {
    if (field.type != WireType::kLengthDelimited) continue;
    if (field.number == 1) node->name = std::string(field.bytes);
    if (field.number == 2) node->op = std::string(field.bytes);
    if (field.number != 5) continue;
    std::string_view key, value;
    WireReader entry(field.bytes);
    WireField f;
    while (entry.Next(f)) {
      if (f.type != WireType::kLengthDelimited) continue;
      if (f.number == 1) key = f.bytes;
      if (f.number == 2) value = f.bytes;
    }
    if (!entry.ok() || (key != "dtype" && key != "shape")) continue;
    WireReader attr(value);
    while (attr.Next(f)) {
      if (key == "dtype" && f.number == 6 && f.type == WireType::kVarint) {
        node->dtype = f.value;
        node->has_dtype = true;
      } else if (key == "shape" && f.number == 7 && f.type == WireType::kLengthDelimited) {
        node->has_shape = ParseTensorShape(f.bytes, &node->shape, &node->shape_known);
      }
    }
  }
}

class GraphWalker {
 public:
  GraphWalker(const RandomFile& file, MetaGraphSummary* out) : file_(file), out_(out) {}

  Status Malformed(const std::string& where, const std::string& why) const {
    return Corrupt(file_.path() + ": malformed " + where + ": " + why);
  }

  Status Node(const FileField& field, bool top_level) {
    std::string bytes;
    Status s;
    if (!LoadField(file_, field, field.length > kMaxNodeBytes ? kNodePrefixBytes : kMaxNodeBytes, &bytes, &s)) {
      TRAIL_RETURN_IF_ERROR(s);
      ++out_->cut_nodes;
    }
    TfNodeSummary node;
    DecodeNode(bytes, &node);
    AddTfNode(node, top_level, out_);
    return Status::Ok();
  }

  // GraphDef: node = 1, library = 2 (FunctionDefLibrary: function = 1; FunctionDef: node_def = 3).
  Status Graph(const FileField& graph) {
    FileWireReader reader(file_, graph);
    FileField field;
    while (reader.Next(field)) {
      if (field.type != WireType::kLengthDelimited) continue;
      if (field.number == 1) TRAIL_RETURN_IF_ERROR(Node(field, true));
      if (field.number != 2) continue;
      FileWireReader library(file_, field);
      FileField function;
      while (library.Next(function)) {
        if (function.number != 1 || function.type != WireType::kLengthDelimited) continue;
        FileWireReader def(file_, function);
        FileField f;
        while (def.Next(f)) {
          if (f.number == 3 && f.type == WireType::kLengthDelimited) TRAIL_RETURN_IF_ERROR(Node(f, false));
        }
        if (!def.ok()) return Malformed("FunctionDef", def.error());
      }
      if (!library.ok()) return Malformed("function library", library.error());
    }
    if (!reader.ok()) return Malformed("graph_def", reader.error());
    return Status::Ok();
  }

  // MetaInfoDef: tags = 4, tensorflow_version = 5.
  Status MetaInfo(const FileField& info) {
    FileWireReader reader(file_, info);
    FileField field;
    while (reader.Next(field)) {
      if ((field.number != 4 && field.number != 5) || field.type != WireType::kLengthDelimited) continue;
      std::string text;
      Status s;
      if (!LoadField(file_, field, kMaxSmallFieldBytes, &text, &s)) {
        TRAIL_RETURN_IF_ERROR(s);
        return Malformed("meta_info_def", "a tag or version of " + std::to_string(field.length) + " bytes");
      }
      if (field.number == 4) out_->tags.push_back(std::move(text));
      if (field.number == 5) out_->tf_version = std::move(text);
    }
    if (!reader.ok()) return Malformed("meta_info_def", reader.error());
    return Status::Ok();
  }

  // One signature_def map entry: key = 1, value = 2 (SignatureDef: inputs = 1, outputs = 2 as
  // map<string, TensorInfo>, method_name = 3; TensorInfo: name = 1, dtype = 2, tensor_shape = 3).
  Status SignatureEntry(const FileField& field) {
    std::string bytes;
    Status s;
    if (!LoadField(file_, field, kMaxSmallFieldBytes, &bytes, &s)) {
      TRAIL_RETURN_IF_ERROR(s);
      return Malformed("signature_def", "an entry of " + std::to_string(field.length) + " bytes");
    }
    Signature sig;
    std::string_view def;
    WireReader entry(bytes);
    WireField f;
    while (entry.Next(f)) {
      if (f.type != WireType::kLengthDelimited) continue;
      if (f.number == 1) sig.key = std::string(f.bytes);
      if (f.number == 2) def = f.bytes;
    }
    if (!entry.ok()) return Malformed("signature_def", entry.error());
    WireReader reader(def);
    while (reader.Next(f)) {
      if (f.type != WireType::kLengthDelimited) continue;
      if (f.number == 3) sig.method = std::string(f.bytes);
      if (f.number != 1 && f.number != 2) continue;
      TensorSpec spec;
      std::string_view info;
      WireReader map_entry(f.bytes);
      WireField g;
      while (map_entry.Next(g)) {
        if (g.type == WireType::kLengthDelimited && g.number == 1) spec.name = std::string(g.bytes);
        if (g.type == WireType::kLengthDelimited && g.number == 2) info = g.bytes;
      }
      if (!map_entry.ok()) return Malformed("signature_def " + sig.key, map_entry.error());
      spec.shape_known = false;
      WireReader tensor(info);
      while (tensor.Next(g)) {
        if (g.number == 2 && g.type == WireType::kVarint) DTypeFromTf(g.value, &spec.dtype);
        if (g.number == 3 && g.type == WireType::kLengthDelimited &&
            !ParseTensorShape(g.bytes, &spec.shape, &spec.shape_known)) {
          return Malformed("signature_def " + sig.key, "bad tensor_shape");
        }
      }
      if (!tensor.ok()) return Malformed("signature_def " + sig.key, tensor.error());
      (f.number == 1 ? sig.inputs : sig.outputs).push_back(std::move(spec));
    }
    if (!reader.ok()) return Malformed("signature_def " + sig.key, reader.error());
    SortSignature(&sig);
    out_->signatures.push_back(std::move(sig));
    return Status::Ok();
  }

  // MetaGraphDef: meta_info_def = 1, graph_def = 2, signature_def = 5.
  Status MetaGraph(const FileField& meta_graph) {
    FileWireReader reader(file_, meta_graph);
    FileField field;
    while (reader.Next(field)) {
      if (field.type != WireType::kLengthDelimited) continue;
      if (field.number == 1) TRAIL_RETURN_IF_ERROR(MetaInfo(field));
      if (field.number == 2) TRAIL_RETURN_IF_ERROR(Graph(field));
      if (field.number == 5) TRAIL_RETURN_IF_ERROR(SignatureEntry(field));
    }
    if (!reader.ok()) return Malformed("MetaGraphDef", reader.error());
    SortSignatures(out_);
    return Status::Ok();
  }

  // Only the tags of a meta graph, to choose one of a SavedModel's.
  Status Tags(const FileField& meta_graph) {
    FileWireReader reader(file_, meta_graph);
    FileField field;
    while (reader.Next(field)) {
      if (field.number == 1 && field.type == WireType::kLengthDelimited) return MetaInfo(field);
    }
    if (!reader.ok()) return Malformed("MetaGraphDef", reader.error());
    return Status::Ok();
  }

 private:
  const RandomFile& file_;
  MetaGraphSummary* out_;
};

// A graph model: no values of its own, or a SavedModel's variables bundle to delegate to.
class TfGraphFile : public ModelFile {
 public:
  explicit TfGraphFile(std::unique_ptr<ModelFile> variables) : variables_(std::move(variables)) {}
  StatusOr<std::unique_ptr<ValueStream>> OpenTensor(size_t index) override {
    if (variables_ == nullptr) return FailedPrecondition("a graph holds no tensor values");
    return variables_->OpenTensor(index);
  }

 private:
  std::unique_ptr<ModelFile> variables_;
};

// Fills the graph part of `info` from a meta graph's summary. The inputs and outputs are the
// "serving_default" signature's (else the first signature's but TF's "__..." ones); without such
// a signature the inputs are the graph's Placeholders.
void FillFromGraph(MetaGraphSummary& graph, ModelInfo& info) {
  info.framework = "tensorflow";
  info.framework_version = graph.tf_version;
  info.op_counts = graph.op_counts;
  info.signatures = graph.signatures;
  // TF2 adds "__saved_model_init_op" (no inputs, an op as output): never the model's signature.
  const Signature* main = nullptr;
  for (const Signature& s : info.signatures) {
    if (s.key == "serving_default" || (main == nullptr && !s.key.starts_with("__"))) main = &s;
  }
  if (main != nullptr) {
    info.inputs = main->inputs;
    info.outputs = main->outputs;
  } else {
    info.inputs = graph.placeholders;
  }
  for (const auto& [op, count] : info.op_counts) {
    const std::string_view kind = TfOpFunctionKind(op);
    if (!kind.empty()) {
      AddFunction(info, std::string(kind), op,
                  "op " + op + " (" + std::to_string(count) + " node" + (count == 1 ? "" : "s") + ")");
    }
  }
  if (graph.cut_nodes > 0) {
    info.notes.push_back(std::to_string(graph.cut_nodes) + " nodes over " + std::to_string(kMaxNodeBytes >> 20) +
                         " MB (constants) were read by name and op only");
  }
  if (!graph.tags.empty()) {
    std::string tags;
    for (const std::string& t : graph.tags) tags += (tags.empty() ? "" : ", ") + t;
    info.notes.push_back("meta graph tags: " + tags);
  }
}

bool GraphIsDir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool GraphFileExists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

ModelFileOr OpenTfMetaGraph(const std::string& path) {
  TRAIL_ASSIGN_OR_RETURN(RandomFile file, RandomFile::Open(path));
  MetaGraphSummary graph;
  std::string format = "tf-meta-graph";
  if (path.ends_with(".pbtxt")) {
    // Protobuf text: a MetaGraphDef (export_meta_graph(as_text=True)) or a GraphDef (graph.pbtxt).
    TextGraphKind kind = TextGraphKind::kMetaGraph;
    TRAIL_RETURN_IF_ERROR(ReadTextGraph(file, &graph, &kind));
    if (kind == TextGraphKind::kGraphDef) format = "tf-graph-def";
  } else {
    GraphWalker walker(file, &graph);
    FileField whole;
    whole.length = file.size();
    TRAIL_RETURN_IF_ERROR(walker.MetaGraph(whole));
    if (graph.tf_version.empty() && graph.op_counts.empty() && graph.signatures.empty())
      return Corrupt(path + ": not a MetaGraphDef (no meta_info_def, graph nodes or signatures)");
  }
  auto model = std::make_unique<TfGraphFile>(nullptr);
  ModelInfo& info = model->mutable_info();
  info.format = format;
  FillFromGraph(graph, info);
  // A .meta has no values: its variables are listed as layers (name, op as type, elements as
  // parameters, {dtype, shape} as config), and `parameters` counts those that are model
  // parameters, so a .meta answers "how big is this model" like its checkpoint does.
  uint64_t parameters = 0;
  for (const TfVariable& v : graph.variables) {
    Layer layer;
    layer.name = v.name;
    layer.type = v.op;
    uint64_t elements = 0;
    if (v.shape_known && ElementCount(v.shape, &elements)) layer.parameters = elements;
    layer.config = Json{{"dtype", v.dtype}, {"shape", v.shape_known ? Json(v.shape) : Json()}};
    if (IsTfParameterName(v.name)) parameters += layer.parameters;
    const std::string optimizer = TfOptimizerFromName(v.name);
    if (!optimizer.empty()) AddFunction(info, "optimizer", optimizer, "variable " + v.name);
    info.layers.push_back(std::move(layer));
  }
  info.parameters = parameters;
  return ModelFileOr(std::move(model));
}

namespace {

// SavedModel: meta_graphs = 2. Reads the one tagged "serve", else the first.
Status ReadBinarySavedModel(const RandomFile& file, MetaGraphSummary* graph, size_t* count, size_t* chosen) {
  const std::string& pb = file.path();
  std::vector<FileField> meta_graphs;
  FileWireReader reader(file, 0, file.size());
  FileField field;
  while (reader.Next(field)) {
    if (field.number != 2 || field.type != WireType::kLengthDelimited) continue;
    if (meta_graphs.size() == kMaxMetaGraphs) return Corrupt(pb + ": more than 1024 meta graphs");
    meta_graphs.push_back(field);
  }
  if (!reader.ok()) return Corrupt(pb + ": malformed SavedModel: " + reader.error());
  if (meta_graphs.empty()) return Corrupt(pb + ": a SavedModel without meta graphs");
  *chosen = 0;
  *count = meta_graphs.size();
  for (size_t i = 0; i < meta_graphs.size(); ++i) {
    MetaGraphSummary tags;
    TRAIL_RETURN_IF_ERROR(GraphWalker(file, &tags).Tags(meta_graphs[i]));
    if (std::find(tags.tags.begin(), tags.tags.end(), "serve") != tags.tags.end()) {
      *chosen = i;
      break;
    }
  }
  return GraphWalker(file, graph).MetaGraph(meta_graphs[*chosen]);
}

}  // namespace

ModelFileOr OpenTfSavedModel(const std::string& path) {
  const std::string folder =
      GraphIsDir(path) ? path : (path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/')));
  // saved_model.pb, else saved_model.pbtxt (written by SavedModelBuilder.save(as_text=True)),
  // unless the path names the text file itself.
  const bool text = path.ends_with("saved_model.pbtxt") ||
                    (!GraphFileExists(folder + "/saved_model.pb") && GraphFileExists(folder + "/saved_model.pbtxt"));
  TRAIL_ASSIGN_OR_RETURN(RandomFile file, RandomFile::Open(folder + (text ? "/saved_model.pbtxt" : "/saved_model.pb"),
                                                           /*follow_symlinks=*/false));
  MetaGraphSummary graph;
  size_t count = 0, chosen = 0;
  if (text) {
    TRAIL_RETURN_IF_ERROR(ReadTextSavedModel(file, &graph, &count, &chosen));
  } else {
    TRAIL_RETURN_IF_ERROR(ReadBinarySavedModel(file, &graph, &count, &chosen));
  }

  // The variables bundle, opened without following links inside the folder.
  std::unique_ptr<ModelFile> variables;
  const std::string prefix = folder + "/variables/variables";
  if (GraphFileExists(prefix + ".index")) {
    TRAIL_ASSIGN_OR_RETURN(variables, OpenTfBundle(prefix, /*follow_symlinks=*/false));
  }
  ModelInfo info;
  if (variables != nullptr) info = variables->info();
  info.format = "tf-saved-model";
  FillFromGraph(graph, info);
  if (count > 1) {
    info.notes.push_back(std::to_string(count) + " meta graphs; read meta graph " + std::to_string(chosen) +
                         " (the first tagged serve, else the first)");
  }
  if (text) info.notes.push_back("saved_model.pbtxt: the graph read from protobuf text");
  if (variables == nullptr) info.notes.push_back("no variables/variables.index: no tensors listed");
  auto model = std::make_unique<TfGraphFile>(std::move(variables));
  model->mutable_info() = std::move(info);
  Totals(model->mutable_info());
  return ModelFileOr(std::move(model));
}

}  // namespace trail::model
