#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include "base/sha256.h"
#include "base/test_temp_dir.h"
#include "model/model_file.h"
#include "model/test_tf_writer.h"
#include "model/values.h"

namespace trail::model {
namespace {

namespace tfw = trail::testing::tf;

void WriteGraphFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string GraphFloats(const std::vector<float>& v) {
  std::string s(v.size() * 4, '\0');
  std::memcpy(s.data(), v.data(), s.size());
  return s;
}

// A TF1 training graph: an MLP with Relu, Softmax, a sparse cross-entropy loss and Adam, as
// tf.train.export_meta_graph writes it; one function (TF2 style) with Gelu and a resource update.
std::string TrainingGraph(const std::string& big_const = "") {
  using tfw::AttrShape;
  using tfw::AttrType;
  using tfw::Node;
  std::vector<std::string> nodes = {
      Node("x", "Placeholder", {{"dtype", AttrType(tfw::kDtFloat)}, {"shape", AttrShape({-1, 784})}}),
      Node("labels", "Placeholder", {{"dtype", AttrType(tfw::kDtInt64)}, {"shape", AttrShape({-1})}}),
      Node("w", "VariableV2", {{"dtype", AttrType(tfw::kDtFloat)}, {"shape", AttrShape({784, 10})}}),
      Node("b", "VariableV2", {{"dtype", AttrType(tfw::kDtFloat)}, {"shape", AttrShape({10})}}),
      Node("w/Adam", "VariableV2", {{"dtype", AttrType(tfw::kDtFloat)}, {"shape", AttrShape({784, 10})}}),
      Node("beta1_power", "VariableV2", {{"dtype", AttrType(tfw::kDtFloat)}, {"shape", AttrShape({})}}),
      Node("MatMul", "MatMul"),
      Node("Relu", "Relu"),
      Node("Relu_1", "Relu"),
      Node("probs", "Softmax"),
      Node("loss", "SparseSoftmaxCrossEntropyWithLogits"),
      Node("Adam/update_w/ApplyAdam", "ApplyAdam"),
      Node("Adam/update_b/ApplyAdam", "ApplyAdam"),
  };
  if (!big_const.empty()) nodes.push_back(Node("table", "Const", {{"value", tfw::AttrString(big_const)}}));
  const std::string function =
      tfw::Function("__inference_train_step_42", {Node("dense/Gelu", "Gelu"), Node("update", "ResourceApplyAdam")});
  return tfw::Graph(nodes, {function});
}

std::string ServingSignature() {
  return tfw::Signature({{"x", tfw::TensorInfo("x:0", tfw::kDtFloat, {-1, 784})}},
                        {{"probs", tfw::TensorInfo("probs:0", tfw::kDtFloat, {-1, 10})}}, "tensorflow/serving/predict");
}

TEST(TfMetaGraphTest, ReadsOpsInputsSignaturesFunctionsAndVariables) {
  trail::testing::TempDir dir;
  const std::string path = dir.path() + "/Logistics.meta";
  WriteGraphFile(path, tfw::MetaGraph(tfw::MetaInfo("1.15.0", {"train"}), TrainingGraph(),
                                      {{"serving_default", ServingSignature()}}));
  EXPECT_EQ(DetectModelFormat(path), "tf-meta-graph");
  auto model = OpenModel(path);
  ASSERT_TRUE(model.ok()) << model.status().message();
  const ModelInfo& info = (*model)->info();
  EXPECT_EQ(info.format, "tf-meta-graph");
  EXPECT_EQ(info.framework, "tensorflow");
  EXPECT_EQ(info.framework_version, "1.15.0");
  EXPECT_TRUE(info.tensors.empty());
  EXPECT_EQ(info.op_counts.at("Relu"), 2u);
  EXPECT_EQ(info.op_counts.at("Placeholder"), 2u);
  EXPECT_EQ(info.op_counts.at("VariableV2"), 4u);
  EXPECT_EQ(info.op_counts.at("ApplyAdam"), 2u);
  EXPECT_EQ(info.op_counts.at("Gelu"), 1u);  // from the function library
  EXPECT_EQ(info.op_counts.at("ResourceApplyAdam"), 1u);
  ASSERT_EQ(info.signatures.size(), 1u);
  const Signature& sig = info.signatures[0];
  EXPECT_EQ(sig.key, "serving_default");
  EXPECT_EQ(sig.method, "tensorflow/serving/predict");
  ASSERT_EQ(sig.inputs.size(), 1u);
  EXPECT_EQ(sig.inputs[0].name, "x");
  EXPECT_EQ(sig.inputs[0].dtype, "float32");
  EXPECT_EQ(sig.inputs[0].shape, (std::vector<int64_t>{-1, 784}));
  ASSERT_EQ(sig.outputs.size(), 1u);
  EXPECT_EQ(sig.outputs[0].shape, (std::vector<int64_t>{-1, 10}));
  ASSERT_EQ(info.inputs.size(), 1u);  // the serving signature's
  EXPECT_EQ(info.outputs.size(), 1u);

  std::map<std::string, std::string> functions;
  for (const FoundFunction& f : info.functions) functions[f.spelling] = f.kind;
  EXPECT_EQ(functions["Relu"], "activation");
  EXPECT_EQ(functions["Softmax"], "activation");
  EXPECT_EQ(functions["Gelu"], "activation");
  EXPECT_EQ(functions["SparseSoftmaxCrossEntropyWithLogits"], "loss");
  EXPECT_EQ(functions["ApplyAdam"], "optimizer");
  EXPECT_EQ(functions["ResourceApplyAdam"], "optimizer");
  EXPECT_EQ(functions["Adam"], "optimizer");  // from the slot variable w/Adam
  EXPECT_EQ(functions.count("MatMul"), 0u);
  for (const FoundFunction& f : info.functions) {
    if (f.spelling == "Relu") EXPECT_EQ(f.where, "op Relu (2 nodes)");
  }

  ASSERT_EQ(info.layers.size(), 4u);
  EXPECT_EQ(info.layers[0].name, "w");
  EXPECT_EQ(info.layers[0].type, "VariableV2");
  EXPECT_EQ(info.layers[0].parameters, 7840u);
  EXPECT_EQ(info.layers[0].config["dtype"], "float32");
  EXPECT_EQ(info.parameters, 7850u);  // w and b; not the slot w/Adam nor beta1_power
}

TEST(TfMetaGraphTest, WithoutSignaturesInputsArePlaceholders) {
  trail::testing::TempDir dir;
  const std::string path = dir.path() + "/m.meta";
  // TF2's init-op signature is not the model's.
  const std::string init = tfw::Signature({}, {{"__saved_model_init_op", tfw::TensorInfo("NoOp", 0, {})}}, "");
  WriteGraphFile(path, tfw::MetaGraph(tfw::MetaInfo("1.4.0", {}), TrainingGraph(), {{"__saved_model_init_op", init}}));
  auto model = OpenModel(path);
  ASSERT_TRUE(model.ok()) << model.status().message();
  const ModelInfo& info = (*model)->info();
  ASSERT_EQ(info.inputs.size(), 2u);
  EXPECT_EQ(info.inputs[0].name, "x");
  EXPECT_EQ(info.inputs[0].shape, (std::vector<int64_t>{-1, 784}));
  EXPECT_EQ(info.inputs[1].dtype, "int64");
  EXPECT_TRUE(info.outputs.empty());
}

TEST(TfMetaGraphTest, LargeConstantsAreNotLoaded) {
  trail::testing::TempDir dir;
  const std::string path = dir.path() + "/frozen.meta";
  WriteGraphFile(path, tfw::MetaGraph(tfw::MetaInfo("2.15.0", {"serve"}), TrainingGraph(std::string(3 << 20, 'x'))));
  auto model = OpenModel(path);
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ((*model)->info().op_counts.at("Const"), 1u);
  ASSERT_FALSE((*model)->info().notes.empty());
  EXPECT_NE((*model)->info().notes[0].find("read by name and op only"), std::string::npos);
}

TEST(TfMetaGraphTest, TruncatedAndHostileFilesAreCorrupt) {
  trail::testing::TempDir dir;
  const std::string path = dir.path() + "/bad.meta";
  const std::string good = tfw::MetaGraph(tfw::MetaInfo("1.15.0", {}), TrainingGraph());
  for (size_t cut : {size_t{1}, size_t{20}, good.size() / 2, good.size() - 1}) {
    WriteGraphFile(path, good.substr(0, cut));
    auto model = OpenModel(path);
    EXPECT_EQ(model.status().code(), Code::kCorrupt) << cut;
    EXPECT_NE(model.status().message().find(path), std::string::npos) << model.status().message();
  }
  // A graph_def field claiming 2^60 bytes.
  WriteGraphFile(path, trail::testing::proto::Key(2, 2) + trail::testing::proto::Varint(uint64_t{1} << 60) + "abc");
  EXPECT_EQ(OpenModel(path).status().code(), Code::kCorrupt);
  WriteGraphFile(path, "");
  EXPECT_EQ(OpenModel(path).status().code(), Code::kCorrupt);
}

class TfSavedModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(folder_ + "/variables");
    const std::string train = tfw::MetaGraph(tfw::MetaInfo("2.15.0", {"train"}), tfw::Graph({tfw::Node("t", "Tanh")}));
    const std::string serve =
        tfw::MetaGraph(tfw::MetaInfo("2.15.0", {"serve"}), TrainingGraph(), {{"serving_default", ServingSignature()}});
    WriteGraphFile(folder_ + "/saved_model.pb", tfw::SavedModel({train, serve}));
    ASSERT_TRUE(
        tfw::WriteBundle(folder_ + "/variables/variables",
                         {{"layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE", tfw::kDtFloat, {2, 2}, kernel_},
                          {"layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE", tfw::kDtFloat, {2}, bias_, 1},
                          {"_CHECKPOINTABLE_OBJECT_GRAPH", tfw::kDtString, {}, std::string("\x01x", 2)}},
                         2));
  }
  trail::testing::TempDir dir_;
  const std::string folder_ = dir_.path() + "/export";
  const std::string kernel_ = GraphFloats({1, -1, 0.5f, 2});
  const std::string bias_ = GraphFloats({0.25f, 0});
};

TEST_F(TfSavedModelTest, ReadsTheServeGraphAndTheVariables) {
  EXPECT_EQ(DetectModelFormat(folder_), "tf-saved-model");
  for (const std::string& path : {folder_, folder_ + "/saved_model.pb"}) {
    auto model = OpenModel(path);
    ASSERT_TRUE(model.ok()) << model.status().message();
    ModelInfo& info = (*model)->mutable_info();
    EXPECT_EQ(info.format, "tf-saved-model");
    EXPECT_EQ(info.framework, "tensorflow");
    EXPECT_EQ(info.framework_version, "2.15.0");
    EXPECT_EQ(info.op_counts.count("Tanh"), 0u);  // the train graph was not chosen
    EXPECT_EQ(info.op_counts.at("Relu"), 2u);
    ASSERT_EQ(info.signatures.size(), 1u);
    EXPECT_EQ(info.inputs.at(0).shape, (std::vector<int64_t>{-1, 784}));
    ASSERT_EQ(info.tensors.size(), 3u);
    EXPECT_EQ(info.parameters, 6u);
    ASSERT_TRUE(ComputeChecksums(**model).ok());
    EXPECT_EQ(info.tensors[0].name, "_CHECKPOINTABLE_OBJECT_GRAPH");  // index order
    for (size_t i = 1; i < 3; ++i) {
      const std::string& want = info.tensors[i].name.starts_with("layer_with_weights-0/kernel") ? kernel_ : bias_;
      std::string got;
      ASSERT_TRUE(ForEachChunk(**model, i, [&](std::string_view raw) {
                    got.append(raw);
                    return Status::Ok();
                  }).ok());
      EXPECT_EQ(got, want);
      const Sha256Digest d = Sha256Of(want);
      EXPECT_EQ(info.tensors[i].checksum, HexEncode(std::string_view(reinterpret_cast<const char*>(d.data()), 16)));
    }
    EXPECT_TRUE(info.layers.empty());
  }
}

TEST_F(TfSavedModelTest, SymlinksInsideTheFolderAreRefused) {
  const std::string index = folder_ + "/variables/variables.index";
  std::filesystem::rename(index, dir_.path() + "/elsewhere.index");
  ASSERT_EQ(::symlink((dir_.path() + "/elsewhere.index").c_str(), index.c_str()), 0);
  auto model = OpenModel(folder_);
  EXPECT_EQ(model.status().code(), Code::kInvalidArgument) << model.status().message();
}

TEST_F(TfSavedModelTest, WithoutVariablesAndBroken) {
  std::filesystem::remove_all(folder_ + "/variables");
  auto model = OpenModel(folder_);
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_TRUE((*model)->info().tensors.empty());
  WriteGraphFile(folder_ + "/saved_model.pb", tfw::SavedModel({}));
  EXPECT_EQ(OpenModel(folder_).status().code(), Code::kCorrupt);
  WriteGraphFile(folder_ + "/saved_model.pb", "\x12\xff\xff\xff\xff\x0f");
  EXPECT_EQ(OpenModel(folder_).status().code(), Code::kCorrupt);
}

// The same SavedModel as TfSavedModelTest's, as SavedModelBuilder.save(as_text=True) writes it
// (TextFormat::Print: fields in number order, two-space indent), with what a real one also holds
// and the reader must step over: stripped_op_list, a Const with tensor_content, saver_def,
// collection_def, list attrs, an Any in asset_file_def.
std::string NodeText(const std::string& name, const std::string& op, const std::string& dtype = "",
                     const std::string& dims = "none") {
  std::string out = "    node {\n      name: \"" + name + "\"\n      op: \"" + op + "\"\n";
  if (!dtype.empty())
    out += "      attr {\n        key: \"dtype\"\n        value {\n          type: " + dtype + "\n        }\n      }\n";
  if (dims != "none") {
    out += "      attr {\n        key: \"shape\"\n        value {\n          shape {\n";
    size_t at = 0;
    while (at < dims.size()) {
      const size_t comma = dims.find(',', at);
      out += "            dim {\n              size: " + dims.substr(at, comma - at) + "\n            }\n";
      at = comma == std::string::npos ? dims.size() : comma + 1;
    }
    out += "          }\n        }\n      }\n";
  }
  return out + "    }\n";
}

std::string TextSavedModel() {
  std::string serve_nodes =
      NodeText("x", "Placeholder", "DT_FLOAT", "-1,784") + NodeText("labels", "Placeholder", "DT_INT64", "-1") +
      NodeText("w", "VariableV2", "DT_FLOAT", "784,10") + NodeText("b", "VariableV2", "DT_FLOAT", "10") +
      NodeText("w/Adam", "VariableV2", "DT_FLOAT", "784,10") + NodeText("beta1_power", "VariableV2", "DT_FLOAT", "") +
      NodeText("MatMul", "MatMul") + NodeText("Relu", "Relu") + NodeText("Relu_1", "Relu") +
      NodeText("probs", "Softmax") + NodeText("loss", "SparseSoftmaxCrossEntropyWithLogits") +
      NodeText("Adam/update_w/ApplyAdam", "ApplyAdam") + NodeText("Adam/update_b/ApplyAdam", "ApplyAdam");
  // A constant whose bytes are escaped, and a list attr, both skipped.
  serve_nodes += R"(    node {
      name: "table"
      op: "Const"
      attr {
        key: "value"
        value {
          tensor {
            dtype: DT_FLOAT
            tensor_shape {
              dim {
                size: 2
              }
            }
            tensor_content: "\000\000\200?\000\000\000@"
          }
        }
      }
      attr {
        key: "_output_shapes"
        value {
          list {
            shape {
              dim {
                size: 2
              }
            }
          }
        }
      }
    }
)";
  return R"(saved_model_schema_version: 1
meta_graphs {
  meta_info_def {
    stripped_op_list {
      op {
        name: "Tanh"
        input_arg {
          name: "x"
          type_attr: "T"
        }
      }
    }
    tags: "train"
    tensorflow_version: "2.15.0"
    tensorflow_git_version: "v2.15.0-0-gdeadbeef"
  }
  graph_def {
    node {
      name: "t"
      op: "Tanh"
    }
  }
}
meta_graphs {
  meta_info_def {
    meta_graph_version: "v2.15.0"
    stripped_op_list {
      op {
        name: "Relu"
      }
      op {
        name: "Softmax"
      }
    }
    tags: "serve"
    tensorflow_version: "2.15.0"
    tensorflow_git_version: "v2.15.0-0-gdeadbeef"
  }
  graph_def {
)" + serve_nodes +
         R"(    library {
      function {
        signature {
          name: "__inference_train_step_42"
        }
        node_def {
          name: "dense/Gelu"
          op: "Gelu"
        }
        node_def {
          name: "update"
          op: "ResourceApplyAdam"
        }
      }
    }
    versions {
      producer: 27
    }
  }
  saver_def {
    filename_tensor_name: "save/Const:0"
  }
  collection_def {
    key: "trainable_variables"
    value {
      bytes_list {
        value: "\n\003w:0"
      }
    }
  }
  signature_def {
    key: "serving_default"
    value {
      inputs {
        key: "x"
        value {
          name: "x:0"
          dtype: DT_FLOAT
          tensor_shape {
            dim {
              size: -1
            }
            dim {
              size: 784
            }
          }
        }
      }
      outputs {
        key: "probs"
        value {
          name: "probs:0"
          dtype: DT_FLOAT
          tensor_shape {
            dim {
              size: -1
            }
            dim {
              size: 10
            }
          }
        }
      }
      method_name: "tensorflow/serving/predict"
    }
  }
  asset_file_def {
    tensor_info {
      name: "asset:0"
    }
    filename: "vocab.txt"
  }
  object_graph_def {
    nodes {
      user_object {
        identifier: "_generic_user_object"
      }
      [type.googleapis.com/tensorflow.Extra] {
        x: 1
      }
    }
  }
}
)";
}

// Reads as the binary saved_model.pb gives: the same JSON, with one note more.
TEST_F(TfSavedModelTest, SavedModelPbtxtReadsAsTheBinaryDoes) {
  auto binary = OpenModel(folder_);
  ASSERT_TRUE(binary.ok()) << binary.status().message();
  ASSERT_TRUE(ComputeChecksums(**binary).ok());
  const std::string text_folder = dir_.path() + "/text";
  std::filesystem::create_directories(text_folder);
  std::filesystem::copy(folder_ + "/variables", text_folder + "/variables");
  WriteGraphFile(text_folder + "/saved_model.pbtxt", TextSavedModel());
  EXPECT_EQ(DetectModelFormat(text_folder), "tf-saved-model");
  EXPECT_EQ(DetectModelFormat(text_folder + "/saved_model.pbtxt"), "tf-saved-model");
  for (const std::string& path : {text_folder, text_folder + "/saved_model.pbtxt"}) {
    auto text = OpenModel(path);
    ASSERT_TRUE(text.ok()) << text.status().message();
    ASSERT_TRUE(ComputeChecksums(**text).ok());
    Json want = ToJson((*binary)->info(), true), got = ToJson((*text)->info(), true);
    ASSERT_EQ(got["notes"].size(), want["notes"].size() + 1);
    EXPECT_EQ(got["notes"].back(), "saved_model.pbtxt: the graph read from protobuf text");
    got.erase("notes");
    EXPECT_EQ(got["ops"]["Const"], 1);  // the text's one node more
    got["ops"].erase("Const");
    want.erase("notes");
    EXPECT_EQ(got, want) << DumpJson(got);
    const ModelInfo& info = (*text)->info();
    EXPECT_EQ(info.framework_version, "2.15.0");
    EXPECT_EQ(info.op_counts.at("Relu"), 2u);
    EXPECT_EQ(info.op_counts.at("Const"), 1u);
    EXPECT_EQ(info.op_counts.count("Tanh"), 0u);
    EXPECT_EQ(info.op_counts.count("Softmax"), 1u);  // the node, not stripped_op_list's op
    ASSERT_EQ(info.inputs.size(), 1u);
    EXPECT_EQ(info.inputs[0].shape, (std::vector<int64_t>{-1, 784}));
    EXPECT_EQ(info.outputs.at(0).dtype, "float32");
    EXPECT_EQ(info.signatures.at(0).method, "tensorflow/serving/predict");
    EXPECT_EQ(info.parameters, 6u);
  }
  // saved_model.pb wins when both are there.
  WriteGraphFile(text_folder + "/saved_model.pb", "garbage");
  EXPECT_EQ(OpenModel(text_folder).status().code(), Code::kCorrupt);
  EXPECT_TRUE(OpenModel(text_folder + "/saved_model.pbtxt").ok());
}

TEST_F(TfSavedModelTest, MalformedPbtxtIsCorruptNamingTheFile) {
  const std::string text_folder = dir_.path() + "/text";
  std::filesystem::create_directories(text_folder);
  const std::string pbtxt = text_folder + "/saved_model.pbtxt";
  const std::string good = TextSavedModel();
  auto expect = [&](const std::string& content, const std::string& says) {
    WriteGraphFile(pbtxt, content);
    const Status s = OpenModel(text_folder).status();
    EXPECT_EQ(s.code(), Code::kCorrupt) << s.message();
    EXPECT_EQ(s.message().rfind(pbtxt + ":", 0), 0u) << s.message();
    EXPECT_NE(s.message().find(says), std::string::npos) << s.message();
  };
  expect(good.substr(0, good.size() / 2), "the file ends inside a message");
  expect("saved_model_schema_version: 1\n", "a SavedModel without meta graphs");
  expect("meta_graphs { graph_def { node { attr { key: \"shape\" value { shape { dim { size: x } } } } } } }",
         ":1: bad protobuf text: expected an integer for size");
  expect("meta_graphs { graph_def { node { attr { value { shape { dim { size: -7 } } } } } } }",
         "a dimension of size -7");
  expect("meta_graphs { meta_info_def { tags: \"serve\n\" } }", "a string runs past the end of its line");
  expect("meta_graphs {\n\n}}\n", ":3: bad protobuf text: expected a field name, found '}'");
  std::string deep = "meta_graphs { graph_def { node { attr { value { ";
  for (int i = 0; i < 200; ++i) deep += "list { ";
  expect(deep, "messages nest more than 100 deep");
  // A symlinked saved_model.pbtxt is refused, as saved_model.pb is.
  WriteGraphFile(dir_.path() + "/elsewhere.pbtxt", good);
  std::filesystem::remove(pbtxt);
  ASSERT_EQ(::symlink((dir_.path() + "/elsewhere.pbtxt").c_str(), pbtxt.c_str()), 0);
  EXPECT_EQ(OpenModel(text_folder).status().code(), Code::kInvalidArgument);
}

// graph.pbtxt (tf.io.write_graph(as_text=True)) and a MetaGraphDef written as text.
TEST(TfTextGraphTest, GraphDefAndMetaGraphPbtxtFiles) {
  trail::testing::TempDir dir;
  const std::string graph = dir.path() + "/graph.pbtxt";
  WriteGraphFile(
      graph, NodeText("x", "Placeholder", "DT_HALF", "-1,3") + NodeText("r", "Relu") +
                 "    library {\n function { node_def { op: \"Softmax\" } } }\n    versions {\n producer: 27\n }\n");
  EXPECT_EQ(DetectModelFormat(graph), "tf-graph-def");
  auto model = OpenModel(graph);
  ASSERT_TRUE(model.ok()) << model.status().message();
  const ModelInfo& info = (*model)->info();
  EXPECT_EQ(info.format, "tf-graph-def");
  EXPECT_EQ(info.op_counts, (std::map<std::string, uint64_t>{{"Placeholder", 1}, {"Relu", 1}, {"Softmax", 1}}));
  ASSERT_EQ(info.inputs.size(), 1u);
  EXPECT_EQ(info.inputs[0].dtype, "float16");
  EXPECT_EQ(info.inputs[0].shape, (std::vector<int64_t>{-1, 3}));
  EXPECT_EQ(info.functions.size(), 2u);

  const std::string meta = dir.path() + "/model.pbtxt";
  WriteGraphFile(
      meta,
      "meta_info_def {\n  tags: \"serve\"\n  tensorflow_version: \"1.15.0\"\n}\ngraph_def {\n" +
          NodeText("w", "VariableV2", "DT_FLOAT", "3,4") +
          "}\nsignature_def { key: \"s\" value {\n"
          "  inputs { key: \"a\" value { dtype: DT_INT32 tensor_shape { dim { size: 2 } unknown_rank: false } } }\n"
          "  outputs { key: \"b\" value { dtype: DT_STRING tensor_shape { unknown_rank: true } } }\n} }\n");
  EXPECT_EQ(DetectModelFormat(meta), "tf-meta-graph");
  model = OpenModel(meta);
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ((*model)->info().framework_version, "1.15.0");
  ASSERT_EQ((*model)->info().layers.size(), 1u);
  EXPECT_EQ((*model)->info().parameters, 12u);
  const TensorSpec& in = (*model)->info().inputs.at(0);
  EXPECT_TRUE(in.shape_known);
  EXPECT_EQ(in.shape, std::vector<int64_t>{2});
  EXPECT_EQ(in.dtype, "int32");
  EXPECT_FALSE((*model)->info().outputs.at(0).shape_known);
  EXPECT_EQ((*model)->info().outputs.at(0).dtype, "string");

  // Other .pbtxt files (an object-detection label map) are not models.
  const std::string labels = dir.path() + "/label_map.pbtxt";
  WriteGraphFile(labels, "item {\n  id: 1\n  name: 'cat'\n}\n");
  EXPECT_EQ(DetectModelFormat(labels), "");
  EXPECT_EQ(OpenModel(labels).status().code(), Code::kInvalidArgument);
  // Both kinds of field at the top level, or a truncated graph, are Corrupt.
  WriteGraphFile(graph, "node { op: \"A\" }\ngraph_def { }\n");
  EXPECT_EQ(OpenModel(graph).status().code(), Code::kCorrupt);
  WriteGraphFile(graph, "node { op: \"A\"");
  EXPECT_EQ(OpenModel(graph).status().code(), Code::kCorrupt);
}

}  // namespace
}  // namespace trail::model
