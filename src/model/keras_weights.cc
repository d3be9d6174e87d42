#include "model/keras_weights.h"

#include <unistd.h>

namespace trail::model {
namespace {

void Add(KerasWeights* out, Hdf5Dataset dataset, std::string name, std::string layer, bool parameter) {
  TensorInfo t = dataset.tensor;
  t.name = std::move(name);
  t.is_parameter = parameter;
  out->owner[t.name] = std::move(layer);
  out->tensors.push_back(std::move(t));
  out->datasets.push_back(std::move(dataset));
}

std::string Under(const std::string& group, const std::string& name) {
  return group == "/" ? "/" + name : group + "/" + name;
}

// The datasets a group's weight_names attribute lists (or, without one, all its datasets).
Status ReadListedWeights(Hdf5File& h5, const std::string& group, const std::string& prefix, const std::string& layer,
                         bool parameter, KerasWeights* out) {
  TRAIL_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> names, h5.StringListAttribute(group, "weight_names"));
  if (!names.has_value()) {
    TRAIL_ASSIGN_OR_RETURN(std::vector<Hdf5Dataset> all, h5.ListDatasets(group));
    for (Hdf5Dataset& d : all) {
      std::string name = prefix + d.path.substr(group == "/" ? 1 : group.size() + 1);
      Add(out, std::move(d), std::move(name), layer, parameter);
    }
    return Status::Ok();
  }
  for (const std::string& weight : *names) {
    auto dataset = h5.Describe(Under(group, weight));
    if (!dataset.ok()) {
      if (dataset.status().code() == Code::kNotFound) {
        return Corrupt(h5.display() + ": " + group + " lists weight " + weight + " but holds no such dataset");
      }
      return dataset.status();
    }
    Add(out, std::move(*dataset), prefix + weight, layer, parameter);
  }
  return Status::Ok();
}

}  // namespace

Status ReadKeras2Weights(Hdf5File& h5, const std::string& root, KerasWeights* out) {
  TRAIL_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> layers, h5.StringListAttribute(root, "layer_names"));
  if (!layers.has_value()) return Corrupt(h5.display() + ": " + root + " has no layer_names");
  for (const std::string& layer : *layers) {
    const std::string group = Under(root, layer);
    if (!h5.HasGroup(group)) {
      return Corrupt(h5.display() + ": layer_names lists " + layer + " but " + root + " holds no such group");
    }
    TRAIL_RETURN_IF_ERROR(ReadListedWeights(h5, group, "", layer, true, out));
  }
  if (h5.HasGroup("/optimizer_weights")) {
    TRAIL_RETURN_IF_ERROR(ReadListedWeights(h5, "/optimizer_weights", "optimizer_weights/", "", false, out));
  }
  return Status::Ok();
}

Status ReadKeras3Weights(Hdf5File& h5, KerasWeights* out) {
  TRAIL_ASSIGN_OR_RETURN(std::vector<Hdf5Dataset> all, h5.ListDatasets("/"));
  for (Hdf5Dataset& d : all) {
    std::string name = d.path.substr(1);
    // "layers/<layer>/..." (Keras 3) or "_layer_checkpoint_dependencies/<layer>/..." (Keras 2.13's
    // first .keras files) belong to a top-level layer; the rest (optimizer/vars, metrics) are state.
    std::string layer;
    for (const std::string top : {"layers/", "_layer_checkpoint_dependencies/"}) {
      if (name.compare(0, top.size(), top) == 0) {
        const size_t end = name.find('/', top.size());
        if (end != std::string::npos) layer = name.substr(top.size(), end - top.size());
      }
    }
    const bool parameter = !layer.empty() || name.compare(0, 5, "vars/") == 0;
    Add(out, std::move(d), std::move(name), std::move(layer), parameter);
  }
  return Status::Ok();
}

Status ReadAllDatasets(Hdf5File& h5, KerasWeights* out) {
  TRAIL_ASSIGN_OR_RETURN(std::vector<Hdf5Dataset> all, h5.ListDatasets("/"));
  for (Hdf5Dataset& d : all) {
    std::string name = d.path.substr(1);
    Add(out, std::move(d), std::move(name), "", true);
  }
  return Status::Ok();
}

Hdf5ModelFile::Hdf5ModelFile(std::unique_ptr<Hdf5File> h5, std::vector<Hdf5Dataset> datasets, std::string remove_after)
    : h5_(std::move(h5)), datasets_(std::move(datasets)), remove_after_(std::move(remove_after)) {}

Hdf5ModelFile::~Hdf5ModelFile() {
  h5_.reset();
  if (!remove_after_.empty()) ::unlink(remove_after_.c_str());
}

StatusOr<std::unique_ptr<ValueStream>> Hdf5ModelFile::OpenTensor(size_t index) {
  const TensorInfo& t = info_.tensors.at(index);
  if (DTypeSize(t.dtype) == 0) return FailedPrecondition(t.name + ": dtype " + t.dtype_name + " has no values to read");
  return h5_->OpenValues(datasets_.at(index));
}

}  // namespace trail::model
