#include "context/nvml.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

namespace trail::context {
namespace {

// Prototypes from NVIDIA's nvml.h, declared here so building needs no NVIDIA
// headers. nvmlReturn_t is a C enum (int); nvmlDevice_t an opaque pointer.
using nvmlReturn_t = int;
using nvmlDevice_t = struct nvmlDevice_st*;
struct nvmlMemory_t {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};
struct nvmlUtilization_t {
  unsigned gpu;     // percent of time a kernel ran over the last sample period
  unsigned memory;  // percent of time device memory was read or written
};
constexpr nvmlReturn_t kNvmlSuccess = 0;
constexpr int kNvmlTemperatureGpu = 0;  // NVML_TEMPERATURE_GPU
constexpr unsigned kNameSize = 96;      // NVML_DEVICE_NAME_V2_BUFFER_SIZE
constexpr unsigned kUuidSize = 96;      // NVML_DEVICE_UUID_V2_BUFFER_SIZE
constexpr unsigned kDriverSize = 80;    // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE

struct NvmlSymbols {
  nvmlReturn_t (*init)();
  nvmlReturn_t (*shutdown)();
  nvmlReturn_t (*device_count)(unsigned*);
  nvmlReturn_t (*handle_by_index)(unsigned, nvmlDevice_t*);
  nvmlReturn_t (*name)(nvmlDevice_t, char*, unsigned);
  nvmlReturn_t (*memory_info)(nvmlDevice_t, nvmlMemory_t*);
  nvmlReturn_t (*driver_version)(char*, unsigned);
  nvmlReturn_t (*uuid)(nvmlDevice_t, char*, unsigned);
  const char* (*error_string)(nvmlReturn_t);  // optional
  // Optional, for the system sampler: absent ones answer kNvmlNotSupported.
  nvmlReturn_t (*utilization)(nvmlDevice_t, nvmlUtilization_t*);
  nvmlReturn_t (*power)(nvmlDevice_t, unsigned*);
  nvmlReturn_t (*temperature)(nvmlDevice_t, int, unsigned*);
};

template <typename F>
bool Bind(void* lib, const char* name, F* fn) {
  *fn = reinterpret_cast<F>(::dlsym(lib, name));
  return *fn != nullptr;
}

// Loads the library once per process; nullptr when absent, with *error set
// when present but unusable.
const NvmlSymbols* LoadSymbols(std::string* error) {
  static std::once_flag once;
  static NvmlSymbols symbols;
  static bool loaded = false;
  static std::string load_error;
  std::call_once(once, [] {
    // A test's fake library (nvml.h); NVIDIA's otherwise.
    const char* fake = std::getenv("TRAIL_NVML_LIBRARY");
    void* lib = ::dlopen(fake && *fake ? fake : "libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) return;  // no NVIDIA driver on this machine
    NvmlSymbols s{};
    bool ok = Bind(lib, "nvmlInit_v2", &s.init) && Bind(lib, "nvmlShutdown", &s.shutdown) &&
              Bind(lib, "nvmlDeviceGetCount_v2", &s.device_count) &&
              Bind(lib, "nvmlDeviceGetHandleByIndex_v2", &s.handle_by_index) &&
              Bind(lib, "nvmlDeviceGetName", &s.name) && Bind(lib, "nvmlDeviceGetMemoryInfo", &s.memory_info) &&
              Bind(lib, "nvmlSystemGetDriverVersion", &s.driver_version) && Bind(lib, "nvmlDeviceGetUUID", &s.uuid);
    if (!ok) {
      load_error = "libnvidia-ml.so.1 lacks a needed NVML function";
      return;
    }
    Bind(lib, "nvmlErrorString", &s.error_string);
    Bind(lib, "nvmlDeviceGetUtilizationRates", &s.utilization);
    Bind(lib, "nvmlDeviceGetPowerUsage", &s.power);
    Bind(lib, "nvmlDeviceGetTemperature", &s.temperature);
    symbols = s;
    loaded = true;
  });
  if (!loaded) {
    *error = load_error;
    return nullptr;
  }
  return &symbols;
}

class SystemNvml : public NvmlSession {
 public:
  explicit SystemNvml(const NvmlSymbols* s) : s_(s) {}
  ~SystemNvml() override { s_->shutdown(); }

  int DeviceCount(unsigned* count) override { return s_->device_count(count); }
  int DriverVersion(std::string* version) override {
    char buf[kDriverSize] = {0};
    int rc = s_->driver_version(buf, sizeof buf);
    if (rc == kNvmlSuccess) *version = buf;
    return rc;
  }
  int Name(unsigned index, std::string* name) override { return DeviceString(index, s_->name, kNameSize, name); }
  int Uuid(unsigned index, std::string* uuid) override { return DeviceString(index, s_->uuid, kUuidSize, uuid); }
  int MemoryTotal(unsigned index, uint64_t* bytes) override {
    nvmlDevice_t d;
    nvmlMemory_t m{};
    int rc = s_->handle_by_index(index, &d);
    if (rc == kNvmlSuccess) rc = s_->memory_info(d, &m);
    if (rc == kNvmlSuccess) *bytes = m.total;
    return rc;
  }
  int MemoryUsed(unsigned index, uint64_t* bytes) override {
    nvmlDevice_t d;
    nvmlMemory_t m{};
    int rc = s_->handle_by_index(index, &d);
    if (rc == kNvmlSuccess) rc = s_->memory_info(d, &m);
    if (rc == kNvmlSuccess) *bytes = m.used;
    return rc;
  }
  int Utilization(unsigned index, unsigned* percent) override {
    if (!s_->utilization) return kNvmlNotSupported;
    nvmlDevice_t d;
    nvmlUtilization_t u{};
    int rc = s_->handle_by_index(index, &d);
    if (rc == kNvmlSuccess) rc = s_->utilization(d, &u);
    if (rc == kNvmlSuccess) *percent = u.gpu;
    return rc;
  }
  int PowerMilliwatts(unsigned index, unsigned* milliwatts) override {
    if (!s_->power) return kNvmlNotSupported;
    nvmlDevice_t d;
    int rc = s_->handle_by_index(index, &d);
    return rc == kNvmlSuccess ? s_->power(d, milliwatts) : rc;
  }
  int TemperatureC(unsigned index, unsigned* celsius) override {
    if (!s_->temperature) return kNvmlNotSupported;
    nvmlDevice_t d;
    int rc = s_->handle_by_index(index, &d);
    return rc == kNvmlSuccess ? s_->temperature(d, kNvmlTemperatureGpu, celsius) : rc;
  }
  std::string ErrorText(int code) override {
    const char* text = s_->error_string ? s_->error_string(code) : nullptr;
    return text ? text : "NVML error " + std::to_string(code);
  }

 private:
  // A device's string property through `get` (name or UUID).
  int DeviceString(unsigned index, nvmlReturn_t (*get)(nvmlDevice_t, char*, unsigned), unsigned size,
                   std::string* out) {
    nvmlDevice_t d;
    int rc = s_->handle_by_index(index, &d);
    if (rc != kNvmlSuccess) return rc;
    std::string buf(size, '\0');
    rc = get(d, buf.data(), size);
    if (rc == kNvmlSuccess) *out = buf.c_str();
    return rc;
  }

  const NvmlSymbols* s_;
};

}  // namespace

std::unique_ptr<NvmlSession> OpenSystemNvml(std::string* error) {
  const NvmlSymbols* s = LoadSymbols(error);
  if (s == nullptr) return nullptr;
  int rc = s->init();
  if (rc != kNvmlSuccess) {
    const char* text = s->error_string ? s->error_string(rc) : nullptr;
    *error = std::string("NVML did not initialize: ") + (text ? text : "error " + std::to_string(rc));
    return nullptr;
  }
  return std::make_unique<SystemNvml>(s);
}

}  // namespace trail::context
