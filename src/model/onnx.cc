// ONNX ModelProto (field numbers from onnx/onnx.proto), walked in the file (onnx_wire.h) so that
// memory stays bounded whatever the initializers weigh: ir_version (1), producer_name (2),
// producer_version (3), model_version (5), graph (7), opset_import (8: domain 1, version 2).
// GraphProto: node (1: name 3, op_type 4, attribute 5, domain 7), name (2), initializer (5),
// input (11), output (12), sparse_initializer (15). AttributeProto: name (1), g (6), graphs (11):
// the subgraphs of If, Loop and Scan, whose nodes are counted and initializers listed like the
// main graph's, at most kMaxGraphDepth deep. Model-local functions are not counted.
#include <sys/stat.h>

#include <algorithm>
#include <unordered_set>

#include "model/onnx_tensor.h"
#include "model/onnx_wire.h"
#include "model/random_file.h"
#include "model/readers.h"

namespace trail::model {
namespace {

constexpr uint64_t kMaxTextBytes = 64 * 1024;
constexpr uint64_t kMaxValueInfoBytes = 1 << 20;
constexpr size_t kMaxInitializers = 1'000'000;
constexpr size_t kMaxOpTypes = 10'000;
constexpr int kMaxGraphDepth = 16;

struct Source {
  size_t file = 0;  // 0: the model file; i: externals[i - 1]
  OnnxValues values;
};

class OnnxFile : public ModelFile {
 public:
  explicit OnnxFile(RandomFile file) : main_(std::move(file)) {}

  StatusOr<std::unique_ptr<ValueStream>> OpenTensor(size_t index) override {
    const TensorInfo& t = info_.tensors.at(index);
    const size_t width = DTypeSize(t.dtype);
    if (width == 0) return FailedPrecondition(t.name + ": dtype " + t.dtype_name + " has no values to read");
    const Source& s = sources_.at(index);
    const RandomFile* file = s.file == 0 ? &main_ : externals_[s.file - 1].get();
    if (s.values.encoding == OnnxValues::Encoding::kVarint) {
      return MakeVarintStream(file, s.values.offset, s.values.length, width, file->path() + ": initializer " + t.name);
    }
    return MakeRangeStream(file, s.values.offset, s.values.length);
  }

  const RandomFile& main() const { return main_; }
  // Returns the Source::file index of `ext`.
  size_t AddExternal(RandomFile ext) {
    externals_.push_back(std::make_unique<RandomFile>(std::move(ext)));
    return externals_.size();
  }
  std::vector<Source>& sources() { return sources_; }

 private:
  RandomFile main_;
  std::vector<std::unique_ptr<RandomFile>> externals_;  // one per initializer stored outside; addresses stable
  std::vector<Source> sources_;
};

std::string Dirname(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

// external_data's location: relative to the model's folder, never leaving it, never through a
// symbolic link (an attacker who ships the model ships the links too).
StatusOr<RandomFile> OpenExternal(const std::string& model_path, const std::string& tensor,
                                  const std::string& location) {
  const std::string what = model_path + ": initializer " + tensor + ": external data location '" + location + "'";
  if (location.empty() || location.front() == '/' || location.find('\\') != std::string::npos ||
      location.find('\0') != std::string::npos) {
    return InvalidArgument(what + " is not a relative path inside the model's folder");
  }
  std::string walked = Dirname(model_path);
  size_t start = 0;
  while (start <= location.size()) {
    size_t slash = location.find('/', start);
    if (slash == std::string::npos) slash = location.size();
    const std::string part = location.substr(start, slash - start);
    if (part == "..") return InvalidArgument(what + " leaves the model's folder");
    if (!part.empty() && part != ".") {
      walked += "/" + part;
      struct stat st {};
      if (::lstat(walked.c_str(), &st) != 0) return NotFound(what + ": no such file");
      if (S_ISLNK(st.st_mode))
        return InvalidArgument(what + " goes through a symbolic link; trail does not follow links in a model");
    }
    start = slash + 1;
  }
  StatusOr<RandomFile> opened = RandomFile::Open(walked, /*follow_symlinks=*/false);
  if (!opened.ok()) return Status(opened.status().code(), what + ": " + opened.status().message());
  return opened;
}

Status ReadText(const FileWireWalker& walker, const OnnxField& f, std::string* out) {
  if (f.type != WireType::kLengthDelimited) return Status::Ok();
  return walker.ReadSmall(f, kMaxTextBytes, out);
}

// ValueInfoProto {name 1, type 2: TypeProto {tensor_type 1: {elem_type 1, shape 2: {dim 1: {dim_value 1,
// dim_param 2}}}}}.
StatusOr<TensorSpec> ParseValueInfo(std::string_view bytes, const std::string& what) {
  TensorSpec spec;
  spec.shape_known = false;
  spec.dtype = "unknown";
  WireReader info(bytes);
  WireField f;
  while (info.Next(f)) {
    if (f.type != WireType::kLengthDelimited) continue;
    if (f.number == 1) spec.name.assign(f.bytes);
    if (f.number != 2) continue;
    WireReader type(f.bytes);
    WireField tf;
    while (type.Next(tf)) {
      if (tf.type != WireType::kLengthDelimited) continue;
      if (tf.number == 4) spec.dtype = "sequence";
      if (tf.number == 5) spec.dtype = "map";
      if (tf.number == 9) spec.dtype = "optional";
      if (tf.number != 1) continue;
      WireReader tensor(tf.bytes);
      WireField xf;
      while (tensor.Next(xf)) {
        if (xf.number == 1 && xf.type == WireType::kVarint) {
          DType d;
          OnnxDType(xf.value, &d, &spec.dtype);
        }
        if (xf.number != 2 || xf.type != WireType::kLengthDelimited) continue;
        spec.shape_known = true;
        WireReader shape(xf.bytes);
        WireField df;
        while (shape.Next(df)) {
          if (df.number != 1 || df.type != WireType::kLengthDelimited) continue;
          int64_t dim = -1;
          WireReader d(df.bytes);
          WireField vf;
          while (d.Next(vf)) {
            if (vf.number == 1 && vf.type == WireType::kVarint) dim = static_cast<int64_t>(vf.value);
          }
          if (!d.ok()) return Corrupt(what + ": malformed dimension (" + d.error() + ")");
          if (spec.shape.size() >= 64) return Corrupt(what + ": more than 64 dimensions");
          spec.shape.push_back(dim);
        }
        if (!shape.ok()) return Corrupt(what + ": malformed shape (" + shape.error() + ")");
      }
      if (!tensor.ok()) return Corrupt(what + ": malformed tensor type (" + tensor.error() + ")");
    }
    if (!type.ok()) return Corrupt(what + ": malformed type (" + type.error() + ")");
  }
  if (!info.ok()) return Corrupt(what + ": malformed value info (" + info.error() + ")");
  return spec;
}

const char* FunctionKind(const std::string& op) {
  static const char* const kActivations[] = {
      "Relu",     "Sigmoid",  "Tanh", "Softmax",         "LogSoftmax", "LeakyRelu",
      "Gelu",     "Elu",      "Selu", "HardSigmoid",     "HardSwish",  "PRelu",
      "Softplus", "Softsign", "Mish", "ThresholdedRelu", "Celu"};
  for (const char* a : kActivations) {
    if (op == a) return "activation";
  }
  if (op == "SoftmaxCrossEntropyLoss" || op == "NegativeLogLikelihoodLoss") return "loss";
  return nullptr;
}

// The main graph and, through node attributes, its subgraphs: nodes counted, initializers
// listed. Only the main graph (depth 0) gives the model's name, inputs and outputs.
struct GraphWalk {
  const std::string& path;
  OnnxFile& model;
  std::vector<TensorSpec> inputs;
  std::string graph_name;
  uint64_t sparse = 0;
  uint64_t unnamed_ops = 0;
  size_t top_tensors = 0;  // the main graph's initializers, listed first
  std::unordered_set<std::string> names;

  Status Graph(const OnnxField& graph, int depth, const std::string& scope) {
    if (depth > kMaxGraphDepth)
      return Corrupt(path + ": subgraphs nest more than " + std::to_string(kMaxGraphDepth) + " deep");
    // Two passes: the graph's own initializers first, so they keep their names, then its nodes
    // (protobuf writes nodes first), whose subgraphs' initializers follow.
    const RandomFile& f = model.main();
    for (const bool nodes : {false, true}) {
      FileWireWalker g(&f, graph.offset, graph.offset + graph.value, path + ": graph");
      OnnxField field;
      std::string text;
      for (;;) {
        TRAIL_ASSIGN_OR_RETURN(bool more, g.Next(field));
        if (!more) break;
        if (field.type != WireType::kLengthDelimited || nodes != (field.number == 1)) continue;
        switch (field.number) {
          case 1:
            TRAIL_RETURN_IF_ERROR(Node(field, depth, scope));
            break;
          case 2:
            if (depth == 0) TRAIL_RETURN_IF_ERROR(ReadText(g, field, &graph_name));
            break;
          case 5:
            TRAIL_RETURN_IF_ERROR(Initializer(field, scope));
            break;
          case 11:
          case 12: {
            if (depth > 0) break;
            TRAIL_RETURN_IF_ERROR(g.ReadSmall(field, kMaxValueInfoBytes, &text));
            TRAIL_ASSIGN_OR_RETURN(TensorSpec spec, ParseValueInfo(text, path + ": graph input/output"));
            (field.number == 11 ? inputs : model.mutable_info().outputs).push_back(std::move(spec));
            break;
          }
          case 15:
            ++sparse;
            break;
          default:
            break;
        }
      }
      if (depth == 0 && !nodes) top_tensors = model.info().tensors.size();
    }
    return Status::Ok();
  }

  // NodeProto: name (3), op_type (4), domain (7), and the graphs in its attributes (5).
  Status Node(const OnnxField& field, int depth, const std::string& scope) {
    const RandomFile& f = model.main();
    FileWireWalker node(&f, field.offset, field.offset + field.value, path + ": node");
    OnnxField nf;
    std::string op, domain, name;
    std::vector<std::pair<std::string, OnnxField>> subgraphs;  // (attribute name, graph)
    for (;;) {
      TRAIL_ASSIGN_OR_RETURN(bool more_node, node.Next(nf));
      if (!more_node) break;
      if (nf.number == 3) TRAIL_RETURN_IF_ERROR(ReadText(node, nf, &name));
      if (nf.number == 4) TRAIL_RETURN_IF_ERROR(ReadText(node, nf, &op));
      if (nf.number == 7) TRAIL_RETURN_IF_ERROR(ReadText(node, nf, &domain));
      if (nf.number == 5 && nf.type == WireType::kLengthDelimited) {
        FileWireWalker attribute(&f, nf.offset, nf.offset + nf.value, path + ": node attribute");
        OnnxField af;
        std::string attribute_name;
        std::vector<OnnxField> graphs;
        for (;;) {
          TRAIL_ASSIGN_OR_RETURN(bool more_attribute, attribute.Next(af));
          if (!more_attribute) break;
          if (af.number == 1) TRAIL_RETURN_IF_ERROR(ReadText(attribute, af, &attribute_name));
          if ((af.number == 6 || af.number == 11) && af.type == WireType::kLengthDelimited) graphs.push_back(af);
        }
        for (const OnnxField& graph : graphs) subgraphs.emplace_back(attribute_name, graph);
      }
    }
    const std::string node_scope = (scope.empty() ? "" : scope + "/") + (name.empty() ? op : name);
    if (!domain.empty() && domain != "ai.onnx") op = domain + "." + op;
    ModelInfo& info = model.mutable_info();
    if (info.op_counts.count(op) == 0 && info.op_counts.size() >= kMaxOpTypes) {
      ++unnamed_ops;
    } else {
      ++info.op_counts[op];
    }
    for (const auto& [attribute_name, graph] : subgraphs) {
      TRAIL_RETURN_IF_ERROR(Graph(graph, depth + 1, node_scope + "/" + attribute_name));
    }
    return Status::Ok();
  }

  // An initializer keeps its ONNX name; one inside a subgraph whose name is already listed is
  // named by its place: "loop_node/body/w".
  Status Initializer(const OnnxField& field, const std::string& scope) {
    ModelInfo& info = model.mutable_info();
    if (info.tensors.size() >= kMaxInitializers)
      return Corrupt(path + ": more than " + std::to_string(kMaxInitializers) + " initializers");
    TRAIL_ASSIGN_OR_RETURN(OnnxTensor t, ReadOnnxTensor(model.main(), field, path + ": initializer"));
    Source s;
    s.values = t.values;
    if (t.values.external && t.unread.empty()) {
      TRAIL_ASSIGN_OR_RETURN(RandomFile ext, OpenExternal(path, t.info.name, t.values.location));
      if (t.values.offset > ext.size() || t.values.length > ext.size() - t.values.offset) {
        return Corrupt(path + ": initializer " + t.info.name + ": external data [" + std::to_string(t.values.offset) +
                       ", +" + std::to_string(t.values.length) + ") lies past " + ext.path() + "'s " +
                       std::to_string(ext.size()) + " bytes");
      }
      s.file = model.AddExternal(std::move(ext));
    }
    if (!scope.empty() && names.count(t.info.name) > 0) {
      const std::string base = scope + "/" + t.info.name;
      t.info.name = base;
      for (int n = 2; names.count(t.info.name) > 0; ++n) t.info.name = base + "#" + std::to_string(n);
    }
    names.insert(t.info.name);
    if (!t.unread.empty())
      info.notes.push_back("initializer " + t.info.name + " is listed without values (" + t.unread + ")");
    info.tensors.push_back(std::move(t.info));
    model.sources().push_back(std::move(s));
    return Status::Ok();
  }
};

}  // namespace

ModelFileOr OpenOnnx(const std::string& path) {
  TRAIL_ASSIGN_OR_RETURN(RandomFile file, RandomFile::Open(path));
  auto model = std::make_unique<OnnxFile>(std::move(file));
  const RandomFile& f = model->main();
  ModelInfo& info = model->mutable_info();
  info.format = "onnx";
  info.framework = "onnx";
  Json arch = Json::object();
  Json opsets = Json::object();
  std::string producer_name, producer_version;
  OnnxField graph{};
  bool has_graph = false;

  FileWireWalker top(&f, 0, f.size(), path);
  OnnxField field;
  std::string text;
  for (;;) {
    TRAIL_ASSIGN_OR_RETURN(bool more, top.Next(field));
    if (!more) break;
    switch (field.number) {
      case 1:
        if (field.type == WireType::kVarint) arch["ir_version"] = field.value;
        break;
      case 2:
        TRAIL_RETURN_IF_ERROR(ReadText(top, field, &producer_name));
        break;
      case 3:
        TRAIL_RETURN_IF_ERROR(ReadText(top, field, &producer_version));
        break;
      case 5:
        if (field.type == WireType::kVarint) arch["model_version"] = field.value;
        break;
      case 7:
        if (field.type == WireType::kLengthDelimited) {
          graph = field;
          has_graph = true;
        }
        break;
      case 8: {
        if (field.type != WireType::kLengthDelimited) break;
        TRAIL_RETURN_IF_ERROR(top.ReadSmall(field, kMaxTextBytes, &text));
        WireReader r(text);
        WireField w;
        std::string domain;
        uint64_t version = 0;
        while (r.Next(w)) {
          if (w.number == 1 && w.type == WireType::kLengthDelimited) domain.assign(w.bytes);
          if (w.number == 2 && w.type == WireType::kVarint) version = w.value;
        }
        if (!r.ok()) return Corrupt(path + ": malformed opset_import (" + r.error() + ")");
        opsets[domain.empty() ? "ai.onnx" : domain] = version;
        break;
      }
      default:
        break;
    }
  }
  if (!has_graph) return Corrupt(path + ": an ONNX model without a graph");

  GraphWalk walk{path, *model, {}, {}, 0, 0, 0, {}};
  TRAIL_RETURN_IF_ERROR(walk.Graph(graph, 0, ""));
  std::vector<TensorSpec>& inputs = walk.inputs;
  std::string& graph_name = walk.graph_name;
  const uint64_t sparse = walk.sparse, unnamed_ops = walk.unnamed_ops;
  // Older exporters list initializers among the inputs; the model's inputs are the others.
  for (TensorSpec& in : inputs) {
    const bool initializer = std::any_of(info.tensors.begin(), info.tensors.begin() + walk.top_tensors,
                                         [&](const TensorInfo& t) { return t.name == in.name; });
    if (!initializer) info.inputs.push_back(std::move(in));
  }
  if (!producer_name.empty())
    info.producer = producer_version.empty() ? producer_name : producer_name + " " + producer_version;
  if (!graph_name.empty()) arch["graph"] = graph_name;
  arch["opset_import"] = std::move(opsets);
  info.architecture = std::move(arch);
  for (const auto& [op, count] : info.op_counts) {
    if (const char* kind = FunctionKind(op)) {
      AddFunction(info, kind, op, "op " + op + " (" + std::to_string(count) + (count == 1 ? " node)" : " nodes)"));
    }
  }
  if (sparse > 0) info.notes.push_back(std::to_string(sparse) + " sparse initializers are not listed");
  if (unnamed_ops > 0)
    info.notes.push_back(std::to_string(unnamed_ops) + " nodes of op types past the first 10000 are not counted");
  Totals(info);
  return ModelFileOr(std::move(model));
}

}  // namespace trail::model
