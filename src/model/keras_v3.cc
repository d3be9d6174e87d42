// The .keras zip of Keras 3 (and Keras 2.13+ saving_lib): config.json (the model config, with
// compile_config), metadata.json (keras_version, date_saved), model.weights.h5 (the weights in
// H5IOStore's layout: layers/<name>/vars/<i>, optimizer/vars/<i>).
//
// libhdf5 reads files, not memory: model.weights.h5 is extracted, streamed through a fixed
// buffer, to a private temp file under $TMPDIR that is removed when the ModelFile closes (or the
// open fails). Its declared size is trusted only up to a compression ratio no real weights reach,
// and a member that inflates past it is refused at the first byte beyond, so a zip bomb cannot
// fill the disk. libhdf5 reads the extracted file in child processes (keras_weights.h).
// config.json and metadata.json are read whole, capped at kMaxJsonBytes.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <vector>

#include "base/errors.h"
#include "base/yaml.h"
#include "model/keras_config.h"
#include "model/keras_weights.h"
#include "model/readers.h"
#include "model/zip_archive.h"

namespace trail::model {
namespace {

constexpr uint64_t kMaxJsonBytes = 64 << 20;
// Members declaring this many times their compressed size are refused past kRatioSlack bytes:
// deflate never reaches it (at most 1032:1, even for zeros), only a lying header does.
constexpr uint64_t kMaxRatio = 4096;
constexpr uint64_t kRatioSlack = 64 << 20;

// A temp file removed at scope exit unless released to its next owner.
class TempFile {
 public:
  TempFile() = default;
  ~TempFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  Status Create(int* fd) {
    std::error_code ec;
    std::string dir = std::filesystem::temp_directory_path(ec).string();
    if (ec) dir = "/tmp";
    // The pid in the name tells whose file it is (tests count their own while others run).
    std::string tmpl = dir + "/trail-keras-" + std::to_string(::getpid()) + "-XXXXXX";
    *fd = ::mkstemp(tmpl.data());
    if (*fd < 0) return IoError(tmpl + ": " + ErrnoMessage(errno));
    path_ = tmpl;
    return Status::Ok();
  }
  const std::string& path() const { return path_; }
  std::string Release() { return std::exchange(path_, ""); }

 private:
  std::string path_;
};

Status Extract(const ZipArchive& zip, const ZipMember& member, TempFile* temp) {
  const std::string what = zip.path() + ": member " + member.name;
  if (member.size > kRatioSlack && member.size / kMaxRatio > member.compressed_size) {
    return Corrupt(what + " declares " + std::to_string(member.size) + " bytes from " +
                   std::to_string(member.compressed_size) + " compressed (a zip bomb?)");
  }
  int fd = -1;
  TRAIL_RETURN_IF_ERROR(temp->Create(&fd));
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<ValueStream> stream, zip.OpenWholeMember(member));
  std::vector<char> buf(1 << 20);
  uint64_t written = 0;
  Status status = Status::Ok();
  while (status.ok()) {
    auto got = stream->Read(buf.data(), buf.size());
    if (!got.ok()) {
      status = got.status();
      break;
    }
    if (*got == 0) break;
    size_t done = 0;
    while (done < *got) {
      const ssize_t n = ::write(fd, buf.data() + done, *got - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        status = IoError(temp->path() + ": " + ErrnoMessage(errno));
        break;
      }
      done += static_cast<size_t>(n);
    }
    written += done;
  }
  ::close(fd);
  TRAIL_RETURN_IF_ERROR(status);
  if (written != member.size) {
    return Corrupt(what + " inflates to " + std::to_string(written) + " bytes, not the " + std::to_string(member.size) +
                   " it declares");
  }
  return Status::Ok();
}

StatusOr<Json> ReadJson(const ZipArchive& zip, const ZipMember& member) {
  TRAIL_ASSIGN_OR_RETURN(std::string text, zip.ReadMember(member, kMaxJsonBytes));
  Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Corrupt(zip.path() + ": member " + member.name + " is not a JSON object");
  }
  return parsed;
}

// Keras's naming.to_snake_case: "BatchNormalization" -> "batch_normalization", "Conv2D" -> "conv2d".
std::string SnakeCase(const std::string& name) {
  static const std::regex kNonWord(R"(\W+)"), kWord("(.)([A-Z][a-z]+)"), kCamel("([a-z])([A-Z])");
  std::string out = std::regex_replace(name, kNonWord, "");
  out = std::regex_replace(out, kWord, "$1_$2");
  out = std::regex_replace(out, kCamel, "$1_$2");
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Keras 3 stores a model's layers under layers/<key>, the key its class in snake case, numbered
// from the second of a class on (saving_lib's _save_container_state): dense, dense_1, ... The
// config's layers come in the same order, so the keys map to the layers' own names.
std::map<std::string, std::string> LayerKeys(const std::vector<Layer>& layers) {
  std::map<std::string, std::string> keys;
  std::map<std::string, int> used;
  for (const Layer& layer : layers) {
    std::string key = SnakeCase(layer.type);
    auto [it, first] = used.emplace(key, 0);
    if (!first) key += "_" + std::to_string(++it->second);
    keys.emplace(key, layer.name);
  }
  return keys;
}

}  // namespace

ModelFileOr OpenKerasV3(const std::string& path) {
  TRAIL_ASSIGN_OR_RETURN(ZipArchive zip, ZipArchive::Open(path));
  const ZipMember* config_member = zip.Find("config.json");
  const ZipMember* weights_member = zip.Find("model.weights.h5");
  if (config_member == nullptr || weights_member == nullptr) {
    return Corrupt(path + ": a .keras file needs config.json and model.weights.h5");
  }
  TRAIL_ASSIGN_OR_RETURN(Json config, ReadJson(zip, *config_member));
  Json metadata;
  if (const ZipMember* m = zip.Find("metadata.json")) {
    TRAIL_ASSIGN_OR_RETURN(metadata, ReadJson(zip, *m));
  }
  TempFile temp;
  TRAIL_RETURN_IF_ERROR(Extract(zip, *weights_member, &temp));
  const std::string display = path + ": model.weights.h5";
  TRAIL_ASSIGN_OR_RETURN(std::string answer,
                         ReadHdf5InChild(temp.path(), display, [](Hdf5File& h5, ChildMessageWriter& out) -> Status {
                           KerasWeights weights;
                           TRAIL_RETURN_IF_ERROR(ReadKeras3Weights(h5, &weights));
                           EncodeKerasWeights(weights, out);
                           return Status::Ok();
                         }));
  KerasWeights weights;
  ChildMessageReader in(answer, display);
  if (!DecodeKerasWeights(in, &weights) || !in.AtEnd()) return in.Malformed();

  ModelInfo info;
  info.format = "keras-v3";
  info.framework = "keras";
  if (metadata.contains("keras_version") && metadata["keras_version"].is_string()) {
    info.framework_version = metadata["keras_version"].get<std::string>();
  }
  ReadKerasModelConfig(config, info);
  if (config.contains("compile_config")) {
    ReadKerasTrainingConfig(config["compile_config"], "compile_config", info);
  }
  info.tensors = std::move(weights.tensors);
  const std::map<std::string, std::string> keys = LayerKeys(info.layers);
  CountLayerParameters(info, [&](const TensorInfo& t) {
    const std::string& key = weights.owner[t.name];
    auto it = keys.find(key);
    return it == keys.end() ? key : it->second;  // Keras 2.13 used the layer's own name
  });
  Totals(info);
  const std::string extracted = temp.path();
  auto model = std::make_unique<Hdf5ModelFile>(extracted, display, std::move(weights.datasets), temp.Release());
  model->mutable_info() = std::move(info);
  return ModelFileOr(std::move(model));
}

}  // namespace trail::model
