#include "context/processors.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <utility>

#include "base/files.h"
#include "context/text_files.h"

namespace trail::context {
namespace {

struct Gpu {
  std::string model;
  std::string uuid;
  std::optional<uint64_t> memory_bytes;
};

struct GpuScan {
  std::string driver;
  std::vector<Gpu> gpus;  // host index order
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// GPUs through NVML; nullopt when NVML is absent, fails, or sees no device.
std::optional<GpuScan> ScanNvml(const NvmlOpener& open, std::vector<std::string>* warnings) {
  std::string error;
  std::unique_ptr<NvmlSession> nvml = open(&error);
  if (!nvml) {
    if (!error.empty()) warnings->push_back("NVML: " + error + "; reading /proc/driver/nvidia instead");
    return std::nullopt;
  }
  unsigned count = 0;
  if (int rc = nvml->DeviceCount(&count); rc != 0) {
    warnings->push_back("NVML: cannot count GPUs: " + nvml->ErrorText(rc) + "; reading /proc/driver/nvidia instead");
    return std::nullopt;
  }
  if (count == 0) return std::nullopt;
  GpuScan scan;
  if (int rc = nvml->DriverVersion(&scan.driver); rc != 0) {
    warnings->push_back("NVML: no driver version: " + nvml->ErrorText(rc));
  }
  for (unsigned i = 0; i < count; ++i) {
    Gpu gpu;
    if (int rc = nvml->Name(i, &gpu.model); rc != 0) {
      warnings->push_back("NVML: GPU " + std::to_string(i) + " name: " + nvml->ErrorText(rc));
    }
    if (int rc = nvml->Uuid(i, &gpu.uuid); rc != 0) {
      warnings->push_back("NVML: GPU " + std::to_string(i) + " UUID: " + nvml->ErrorText(rc));
    }
    uint64_t bytes = 0;
    if (int rc = nvml->MemoryTotal(i, &bytes); rc != 0) {
      warnings->push_back("NVML: GPU " + std::to_string(i) + " memory: " + nvml->ErrorText(rc));
    } else {
      gpu.memory_bytes = bytes;
    }
    scan.gpus.push_back(std::move(gpu));
  }
  return scan;
}

// "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 ..."
// (the open module says "... Open Kernel Module for x86_64  535.104.05 ...");
// the driver is the first word made of digits and dots with a dot in it.
std::string DriverFromProc(const ContextEnv& env) {
  auto text = ReadHead(env.Path("proc/driver/nvidia/version"), 16384);
  if (!text) return "";
  std::string driver;
  ForEachLine(*text, [&](std::string_view line) {
    if (!driver.empty() || line.substr(0, 5) != "NVRM ") return;
    for (const std::string& word : SplitWhitespace(line)) {
      bool numeric = word.find('.') != std::string::npos && std::isdigit(static_cast<unsigned char>(word[0])) &&
                     word.find_first_not_of("0123456789.") == std::string::npos;
      if (numeric) {
        driver = word;
        return;
      }
    }
  });
  return driver;
}

// proc/driver/nvidia/gpus/<bus id>/information, one folder per GPU. Bus ids
// ("0000:18:00.0") sort in PCI order, which is NVML's index order.
GpuScan ScanProc(const ContextEnv& env, std::vector<std::string>* warnings) {
  GpuScan scan;
  std::string dir = env.Path("proc/driver/nvidia/gpus");
  std::vector<std::string> buses = ListDirectory(dir);
  if (buses.empty()) return scan;
  std::sort(buses.begin(), buses.end(), [](const std::string& a, const std::string& b) { return Lower(a) < Lower(b); });
  scan.driver = DriverFromProc(env);
  for (const std::string& bus : buses) {
    std::string file = JoinPath(JoinPath(dir, bus), "information");
    auto text = ReadHead(file, 65536);
    Gpu gpu;
    if (!text) {
      warnings->push_back("cannot read " + file + ": " + ErrnoMessage(errno));
    } else {
      ForEachLine(*text, [&](std::string_view line) {
        std::string_view k, v;
        if (!SplitKeyValue(line, ':', &k, &v)) return;
        if (k == "Model") gpu.model = std::string(v);
        if (k == "GPU UUID") gpu.uuid = std::string(v);
      });
    }
    scan.gpus.push_back(std::move(gpu));
  }
  return scan;
}

// Natural order of dev/accel<N> names: accel2 before accel10.
std::vector<std::pair<unsigned long long, std::string>> AccelDevices(const ContextEnv& env) {
  std::vector<std::pair<unsigned long long, std::string>> out;
  std::string dev = env.Path("dev");
  for (const std::string& name : ListDirectory(dev)) {
    if (name.size() <= 5 || name.compare(0, 5, "accel") != 0) continue;
    auto n = ParseUnsigned(std::string_view(name).substr(5));
    if (!n || IsDirectory(JoinPath(dev, name))) continue;
    out.emplace_back(*n, "/dev/" + name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<size_t> VisibleGpus(const std::string* spec, const std::vector<std::string>& uuids,
                                std::vector<std::string>* warnings) {
  std::vector<size_t> out;
  if (spec == nullptr) {
    for (size_t i = 0; i < uuids.size(); ++i) out.push_back(i);
    return out;
  }
  if (Trim(*spec).empty() || Trim(*spec) == "-1") return out;
  for (const std::string& raw : SplitString(*spec, ',')) {
    std::string entry(Trim(raw));
    std::optional<size_t> found;
    if (auto n = ParseUnsigned(entry)) {
      if (*n < uuids.size()) found = static_cast<size_t>(*n);
    } else if (entry.size() > 4 && Lower(entry.substr(0, 4)) == "gpu-") {
      std::string want = Lower(entry);
      for (size_t i = 0; i < uuids.size(); ++i) {
        if (Lower(uuids[i]).compare(0, want.size(), want) != 0) continue;
        if (found) {  // an ambiguous prefix names no single GPU
          found.reset();
          break;
        }
        found = i;
      }
    }
    if (found && std::find(out.begin(), out.end(), *found) != out.end()) found.reset();
    if (!found) {
      if (entry != "-1") {
        warnings->push_back("CUDA_VISIBLE_DEVICES entry '" + entry +
                            "' names no GPU of this machine; CUDA ignores it and the entries after it");
      }
      break;
    }
    out.push_back(*found);
  }
  return out;
}

Json ReadProcessors(const ContextEnv& env, std::vector<std::string>* warnings, const NvmlOpener& open_nvml) {
  std::optional<GpuScan> scan = ScanNvml(open_nvml, warnings);
  if (!scan) scan = ScanProc(env, warnings);

  std::vector<std::string> uuids;
  for (const Gpu& g : scan->gpus) uuids.push_back(g.uuid);
  const std::string* visible_spec = env.Get("CUDA_VISIBLE_DEVICES");
  Json gpus = Json::array();
  for (size_t i : VisibleGpus(visible_spec, uuids, warnings)) {
    const Gpu& g = scan->gpus[i];
    Json gpu = Json::object();
    gpu["index"] = i;
    gpu["vendor"] = "nvidia";
    if (!g.model.empty()) gpu["model"] = g.model;
    if (g.memory_bytes) gpu["memory_bytes"] = *g.memory_bytes;
    if (!scan->driver.empty()) gpu["driver"] = scan->driver;
    if (!g.uuid.empty()) gpu["uuid"] = g.uuid;
    gpus.push_back(std::move(gpu));
  }

  Json out = Json::object();
  size_t gpu_count = gpus.size();
  out["gpus"] = std::move(gpus);
  out["gpu_count"] = gpu_count;
  if (visible_spec) out["cuda_visible_devices"] = *visible_spec;
  Json tpus = Json::array();
  for (const auto& [n, device] : AccelDevices(env)) tpus.push_back(Json{{"device", device}});
  size_t tpu_count = tpus.size();
  out["tpus"] = std::move(tpus);
  out["tpu_count"] = tpu_count;
  Json tpu_env = Json::object();
  for (const auto& [k, v] : env.env) {
    if (k.compare(0, 4, "TPU_") == 0) tpu_env[k] = v;
  }
  if (!tpu_env.empty()) out["tpu_env"] = std::move(tpu_env);
  return out;
}

}  // namespace trail::context
