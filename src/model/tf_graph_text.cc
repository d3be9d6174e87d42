// TensorFlow graphs in protobuf text (saved_model.pbtxt, graph.pbtxt, a MetaGraphDef written
// as_text): the same fields the binary reader takes (tf_graph.cc), by the field names of
// saved_model.proto, meta_graph.proto, graph.proto, node_def.proto, attr_value.proto,
// function.proto and tensor_shape.proto. The file is streamed once through TextProtoReader; every
// field not named here is skipped without being kept (a Const's tensor_content, op lists,
// collections), so memory stays bounded whatever the file's size.
#include <algorithm>
#include <charconv>

#include "model/tf_graph_summary.h"
#include "model/tf_text_format.h"
#include "model/tf_types.h"

namespace trail::model {
namespace {

// SavedModels hold a handful of meta graphs; more is not a file TensorFlow writes.
constexpr size_t kMaxTextMetaGraphs = 1024;

using Event = TextProtoReader::Event;

class TextGraphWalker {
 public:
  explicit TextGraphWalker(TextProtoReader& reader) : r_(reader) {}

  // The reader's error (it stops only with one, or at the end of the file).
  Status Failed() { return r_.status().ok() ? r_.Invalid("the file ends inside a message") : r_.status(); }
  Status Bad(const std::string& why) { return r_.Invalid(why); }

  // Walks the fields of the message just begun, up to its end, calling `field` for each field
  // event (kValue or kBegin); `field` must consume a kBegin's message (read it or Skip it).
  template <typename Fn>
  Status Fields(Fn field) {
    while (r_.Next()) {
      if (r_.event() == Event::kEnd) return Status::Ok();
      if (r_.event() == Event::kDone) return Failed();
      TRAIL_RETURN_IF_ERROR(field());
    }
    return Failed();
  }

  Status Skip() { return r_.Skip() ? Status::Ok() : Failed(); }
  bool Begins(const char* name) const { return r_.event() == Event::kBegin && r_.name() == name; }
  bool Value(const char* name) const { return r_.event() == Event::kValue && r_.name() == name; }
  Status SkipIfBegun() { return r_.event() == Event::kBegin ? Skip() : Status::Ok(); }

  Status Int(int64_t* out) {
    const std::string& v = r_.value();
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
    if (ec != std::errc() || end != v.data() + v.size() || r_.value_is_string())
      return Bad("expected an integer for " + r_.name() + ", found \"" + r_.value().substr(0, 64) + "\"");
    return Status::Ok();
  }

  // A DataType field: an enum name ("DT_FLOAT") or its number. An unknown name is kept as written.
  Status DataType(uint64_t* value, std::string* unknown_name) {
    unknown_name->clear();
    if (TfDataTypeFromName(r_.value(), value)) return Status::Ok();
    int64_t number = 0;
    if (!r_.value().empty() && (r_.value()[0] >= '0' && r_.value()[0] <= '9')) {
      TRAIL_RETURN_IF_ERROR(Int(&number));
      *value = static_cast<uint64_t>(number);
      return Status::Ok();
    }
    *unknown_name = r_.value().substr(0, 64);
    return Status::Ok();
  }

  // TensorShapeProto: dim { size }, unknown_rank.
  Status Shape(std::vector<int64_t>* dims, bool* known) {
    dims->clear();
    *known = true;
    TRAIL_RETURN_IF_ERROR(Fields([&]() -> Status {
      if (Value("unknown_rank")) *known = r_.value() == "false" || r_.value() == "False" || r_.value() == "0";
      if (!Begins("dim")) return SkipIfBegun();
      int64_t size = 0;
      TRAIL_RETURN_IF_ERROR(Fields([&]() -> Status {
        if (Value("size")) return Int(&size);
        return SkipIfBegun();
      }));
      if (size < -1) return Bad("a dimension of size " + std::to_string(size));
      dims->push_back(size);
      return Status::Ok();
    }));
    if (!*known) dims->clear();
    return Status::Ok();
  }

  // NodeDef: name, op, attr { key value { type | shape } }.
  Status Node(bool top_level) {
    TfNodeSummary node;
    TRAIL_RETURN_IF_ERROR(Fields([&]() -> Status {
      if (Value("name")) node.name = r_.value();
      if (Value("op")) node.op = r_.value();
      if (!Begins("attr")) return SkipIfBegun();
      std::string key;
      bool has_type = false, has_shape = false, known = true;
      uint64_t type = 0;
      std::string type_name;
      std::vector<int64_t> shape;
      TRAIL_RETURN_IF_ERROR(Fields([&]() -> Status {
        if (Value("key")) key = r_.value();
        if (!Begins("value")) return SkipIfBegun();
        return Fields([&]() -> Status {
          if (Value("type")) {
            has_type = true;
            return DataType(&type, &type_name);
          }
          if (Begins("shape")) {
            has_shape = true;
            return Shape(&shape, &known);
          }
          return SkipIfBegun();
        });
      }));
      if (key == "dtype" && has_type) {
        node.has_dtype = true;
        node.dtype = type;
        node.dtype_name = type_name;
      }
      if (key == "shape" && has_shape) {
        node.has_shape = true;
        node.shape = std::move(shape);
        node.shape_known = known;
      }
      return Status::Ok();
    }));
    AddTfNode(node, top_level, out_);
    return Status::Ok();
  }

  // GraphDef: node, library.
  Status Graph() {
    return Fields([&]() -> Status {
      if (Begins("node")) return Node(true);
      if (Begins("library")) return Library();
      return SkipIfBegun();
    });
  }

  // FunctionDefLibrary: function { node_def } (TF2 puts the model's ops in functions).
  Status Library() {
    return Fields([&]() -> Status {
      if (!Begins("function")) return SkipIfBegun();
      return Fields([&]() -> Status {
        if (Begins("node_def")) return Node(false);
        return SkipIfBegun();
      });
    });
  }

  // MetaInfoDef: tags, tensorflow_version (stripped_op_list and the rest skipped).
  Status MetaInfo() {
    return Fields([&]() -> Status {
      if (Value("tags")) out_->tags.push_back(r_.value());
      if (Value("tensorflow_version")) out_->tf_version = r_.value();
      return SkipIfBegun();
    });
  }

  // TensorInfo: name, dtype, tensor_shape; the spec is named by its map key, as in the binary reader.
  Status TensorInfoEntry(TensorSpec* spec) {
    spec->shape_known = false;
    return Fields([&]() -> Status {
      if (Value("key")) spec->name = r_.value();
      if (!Begins("value")) return SkipIfBegun();
      return Fields([&]() -> Status {
        if (Value("dtype")) {
          uint64_t type = 0;
          std::string unknown;
          TRAIL_RETURN_IF_ERROR(DataType(&type, &unknown));
          if (unknown.empty()) {
            DTypeFromTf(type, &spec->dtype);
          } else {
            spec->dtype = unknown;
          }
          return Status::Ok();
        }
        if (Begins("tensor_shape")) return Shape(&spec->shape, &spec->shape_known);
        return SkipIfBegun();
      });
    });
  }

  // signature_def { key value { inputs { key value } outputs { ... } method_name } }.
  Status SignatureEntry() {
    Signature sig;
    TRAIL_RETURN_IF_ERROR(Fields([&]() -> Status {
      if (Value("key")) sig.key = r_.value();
      if (!Begins("value")) return SkipIfBegun();
      return Fields([&]() -> Status {
        if (Value("method_name")) sig.method = r_.value();
        const bool input = Begins("inputs");
        if (!input && !Begins("outputs")) return SkipIfBegun();
        TensorSpec spec;
        TRAIL_RETURN_IF_ERROR(TensorInfoEntry(&spec));
        (input ? sig.inputs : sig.outputs).push_back(std::move(spec));
        return Status::Ok();
      });
    }));
    SortSignature(&sig);
    out_->signatures.push_back(std::move(sig));
    return Status::Ok();
  }

  // The field of a MetaGraphDef at the current event.
  Status MetaGraphField() {
    if (Begins("meta_info_def")) return MetaInfo();
    if (Begins("graph_def")) return Graph();
    if (Begins("signature_def")) return SignatureEntry();
    return SkipIfBegun();
  }

  void set_out(MetaGraphSummary* out) { out_ = out; }

 private:
  TextProtoReader& r_;
  MetaGraphSummary* out_ = nullptr;
};

}  // namespace

Status ReadTextSavedModel(const RandomFile& file, MetaGraphSummary* chosen, size_t* count, size_t* index) {
  TextProtoReader reader(file);
  TextGraphWalker walker(reader);
  MetaGraphSummary first, current;
  bool have_serve = false;
  *count = 0;
  *index = 0;
  while (reader.Next() && reader.event() != Event::kDone) {
    if (reader.event() != Event::kBegin) continue;
    if (reader.name() != "meta_graphs") {
      TRAIL_RETURN_IF_ERROR(walker.Skip());
      continue;
    }
    if (*count == kMaxTextMetaGraphs) return Corrupt(file.path() + ": more than 1024 meta graphs");
    // Once the serve graph is read, the rest are only counted.
    if (have_serve) {
      TRAIL_RETURN_IF_ERROR(walker.Skip());
      ++*count;
      continue;
    }
    current = MetaGraphSummary();
    walker.set_out(&current);
    TRAIL_RETURN_IF_ERROR(walker.Fields([&] { return walker.MetaGraphField(); }));
    SortSignatures(&current);
    if (std::find(current.tags.begin(), current.tags.end(), "serve") != current.tags.end()) {
      have_serve = true;
      *index = *count;
      *chosen = std::move(current);
    } else if (*count == 0) {
      first = std::move(current);
    }
    ++*count;
  }
  if (!reader.done()) return walker.Failed();
  if (*count == 0) return Corrupt(file.path() + ": a SavedModel without meta graphs");
  if (!have_serve) *chosen = std::move(first);
  return Status::Ok();
}

Status ReadTextGraph(const RandomFile& file, MetaGraphSummary* graph, TextGraphKind* kind) {
  TextProtoReader reader(file);
  TextGraphWalker walker(reader);
  walker.set_out(graph);
  bool meta = false, graph_def = false;
  while (reader.Next() && reader.event() != Event::kDone) {
    const std::string& name = reader.name();
    if (name == "meta_info_def" || name == "graph_def" || name == "signature_def") {
      meta = true;
      TRAIL_RETURN_IF_ERROR(walker.MetaGraphField());
    } else if (reader.event() == Event::kBegin && name == "node") {
      graph_def = true;
      TRAIL_RETURN_IF_ERROR(walker.Node(true));
    } else if (reader.event() == Event::kBegin && name == "library") {
      graph_def = true;
      TRAIL_RETURN_IF_ERROR(walker.Library());
    } else {
      if (name == "versions") graph_def = true;
      TRAIL_RETURN_IF_ERROR(walker.SkipIfBegun());
    }
  }
  if (!reader.done()) return walker.Failed();
  if (meta == graph_def) {
    return Corrupt(file.path() + (meta ? ": both MetaGraphDef and GraphDef fields at the top level"
                                       : ": not a TensorFlow graph in protobuf text (no meta_info_def, graph_def, "
                                         "signature_def, node or library)"));
  }
  SortSignatures(graph);
  *kind = meta ? TextGraphKind::kMetaGraph : TextGraphKind::kGraphDef;
  return Status::Ok();
}

}  // namespace trail::model
