// Format detection and dispatch (model_file.h).
#include <sys/stat.h>

#include <cctype>
#include <cstring>
#include <regex>

#include "model/pytorch_detect.h"
#include "model/random_file.h"
#include "model/readers.h"
#include "model/zip_archive.h"

namespace trail::model {
namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool IsFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool IsDir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The LevelDB table footer's magic number, little-endian in a table's last 8 bytes: TensorFlow's
// checkpoint index (V2) and whole V1 checkpoints are such tables.
constexpr unsigned char kTableMagic[8] = {0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb};

bool HasTorchName(const std::string& path) {
  return EndsWith(path, ".pt") || EndsWith(path, ".pth") || EndsWith(path, ".bin");
}

// The first field name of a protobuf text file (after spaces and # comments, within its first
// 4 KB): TextFormat prints fields in field-number order, so it tells a GraphDef ("node") from a
// MetaGraphDef ("meta_info_def") and both from other .pbtxt files (label maps, pipeline configs).
std::string FirstTextField(const RandomFile& file) {
  std::string text;
  if (!file.ReadAt(0, static_cast<size_t>(std::min<uint64_t>(file.size(), 4096)), &text).ok()) return "";
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    } else {
      break;
    }
  }
  size_t end = i;
  while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_')) ++end;
  return text.substr(i, end - i);
}

std::string FromContent(const std::string& path) {
  auto file = RandomFile::Open(path);
  if (!file.ok()) return "";
  const uint64_t size = file->size();
  std::string head;
  if (!file->ReadAt(0, static_cast<size_t>(std::min<uint64_t>(size, 32)), &head).ok()) return "";
  if (head.size() >= 8 && std::memcmp(head.data(), "\x89HDF\r\n\x1a\n", 8) == 0) return "keras-h5";
  if (head.size() >= 6 && std::memcmp(head.data(), "\x93NUMPY", 6) == 0) return "npy";
  if (head.size() >= 4 && std::memcmp(head.data(), "PK\x03\x04", 4) == 0) {
    auto zip = ZipArchive::Open(path);
    if (!zip.ok()) {
      // A torch.save / torch.jit.save zip cut short has lost its central directory, but its
      // first member still lies in the archive's one top folder: OpenPytorch says what is wrong.
      const std::string first = FirstZipEntryName(*file);
      const size_t slash = first.find('/');
      return HasTorchName(path) && slash != std::string::npos && slash > 0 ? "pytorch" : "";
    }
    bool config = false, weights = false, pickle = false, script = false, all_npy = !zip->members().empty();
    for (const ZipMember& m : zip->members()) {
      if (m.name == "config.json") config = true;
      if (m.name == "model.weights.h5") weights = true;
      if (m.name == "data.pkl" || EndsWith(m.name, "/data.pkl")) pickle = true;
      if (EndsWith(m.name, "/constants.pkl") || m.name.find("/code/") != std::string::npos) script = true;
      if (!EndsWith(m.name, ".npy")) all_npy = false;
    }
    if (config && weights) return "keras-v3";
    if (pickle) return script ? "torchscript" : "pytorch";
    if (all_npy) return "npz";
    return "";
  }
  if (EndsWith(path, ".safetensors")) return "safetensors";
  if (head.size() >= 9 && head[8] == '{') {
    uint64_t n = 0;
    std::memcpy(&n, head.data(), 8);
    if (n >= 2 && n <= size - 8) return "safetensors";
  }
  // torch.save's legacy (pre-1.6, not zip) format: its magic number under any name, or any
  // pickle protocol 2+ stream under a PyTorch name.
  if (IsLegacyTorchSave(head)) return "pytorch";
  if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x80 && head[1] >= 2 && head[1] <= 5 &&
      HasTorchName(path)) {
    return "pytorch";
  }
  if (EndsWith(path, ".onnx")) return "onnx";
  if (EndsWith(path, ".meta")) return "tf-meta-graph";
  if (EndsWith(path, ".pbtxt")) {
    const std::string field = FirstTextField(*file);
    if (field == "node" || field == "library" || field == "versions") return "tf-graph-def";
    if (field == "meta_info_def" || field == "graph_def" || field == "saver_def" || field == "collection_def" ||
        field == "signature_def") {
      return "tf-meta-graph";
    }
    return "";
  }
  if (size >= 48) {
    std::string tail;
    if (file->ReadAt(size - 8, 8, &tail).ok() && std::memcmp(tail.data(), kTableMagic, 8) == 0) {
      return "tf-checkpoint-v1";
    }
  }
  return "";
}

}  // namespace

std::string DetectModelFormat(const std::string& path) {
  if (IsDir(path)) {
    return IsFile(path + "/saved_model.pb") || IsFile(path + "/saved_model.pbtxt") ? "tf-saved-model" : "";
  }
  if (EndsWith(path, "/saved_model.pb") || path == "saved_model.pb") return "tf-saved-model";
  if (EndsWith(path, "/saved_model.pbtxt") || path == "saved_model.pbtxt") return "tf-saved-model";
  static const std::regex kShard(R"(\.data-\d{5}-of-\d{5}$)");
  if (EndsWith(path, ".index") || std::regex_search(path, kShard)) return "tf-checkpoint-v2";
  if (!IsFile(path)) return IsFile(path + ".index") ? "tf-checkpoint-v2" : "";
  return FromContent(path);
}

StatusOr<std::unique_ptr<ModelFile>> OpenModel(const std::string& path) {
  const std::string format = DetectModelFormat(path);
  if (format.empty()) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return NotFound(path + ": no such file or checkpoint");
    return InvalidArgument(
        path +
        ": not a model file trail reads (TensorFlow checkpoints, .meta, .pbtxt graphs, SavedModel, Keras .h5 and "
        ".keras, ONNX, safetensors, PyTorch, .npy, .npz; see docs/models.md)");
  }
  if (format == "tf-checkpoint-v2" || format == "tf-checkpoint-v1") return OpenTfCheckpoint(path);
  if (format == "tf-meta-graph" || format == "tf-graph-def") return OpenTfMetaGraph(path);
  if (format == "tf-saved-model") return OpenTfSavedModel(path);
  if (format == "keras-h5") return OpenKerasH5(path);
  if (format == "keras-v3") return OpenKerasV3(path);
  if (format == "onnx") return OpenOnnx(path);
  if (format == "safetensors") return OpenSafetensors(path);
  if (format == "pytorch" || format == "torchscript") return OpenPytorch(path);
  if (format == "npy") return OpenNpy(path);
  if (format == "npz") return OpenNpz(path);
  return Internal("no reader for model format " + format);
}

}  // namespace trail::model
