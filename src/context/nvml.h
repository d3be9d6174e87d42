// The few NVML calls trail makes, behind an interface so tests can fake the
// library. The real one is loaded with dlopen("libnvidia-ml.so.1") at run
// time: trail neither builds nor runs against NVIDIA's library, and a machine
// without it simply has no NVIDIA GPU as far as NVML is concerned.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace trail::context {

// NVML_ERROR_NOT_SUPPORTED.
inline constexpr int kNvmlNotSupported = 3;

// One initialized NVML session: nvmlInit_v2 succeeded, and the destructor
// calls nvmlShutdown. Every method returns an NVML return code (0 = success).
// Indices are NVML's, which are PCI bus order (nvidia-smi's indices).
class NvmlSession {
 public:
  virtual ~NvmlSession() = default;
  virtual int DeviceCount(unsigned* count) = 0;
  virtual int DriverVersion(std::string* version) = 0;
  virtual int Name(unsigned index, std::string* name) = 0;
  virtual int Uuid(unsigned index, std::string* uuid) = 0;
  virtual int MemoryTotal(unsigned index, uint64_t* bytes) = 0;
  // What the system sampler reads every few seconds (sysmon/system_sampler.h). A library without
  // the function answers kNvmlNotSupported, as NVML does for a GPU without the sensor.
  virtual int MemoryUsed(unsigned /*index*/, uint64_t* /*bytes*/) { return kNvmlNotSupported; }
  virtual int Utilization(unsigned /*index*/, unsigned* /*percent*/) { return kNvmlNotSupported; }
  virtual int PowerMilliwatts(unsigned /*index*/, unsigned* /*milliwatts*/) { return kNvmlNotSupported; }
  virtual int TemperatureC(unsigned /*index*/, unsigned* /*celsius*/) { return kNvmlNotSupported; }
  // Text for a return code, as nvmlErrorString gives it.
  virtual std::string ErrorText(int code) = 0;
};

// Opens NVML. nullptr with an empty *error: the library is absent (no NVIDIA
// driver), which is not a problem. nullptr with *error set: the library is
// there but did not initialize (e.g. driver/library version mismatch).
using NvmlOpener = std::function<std::unique_ptr<NvmlSession>(std::string* error)>;

// The real opener: dlopen("libnvidia-ml.so.1") and nvmlInit_v2. The library
// stays loaded for the life of the process once opened (dlclose of NVML is
// not safe while its threads may linger), so a second call is cheap.
// TRAIL_NVML_LIBRARY, when set in the process's environment at the first
// call, names another library to open instead: for tests only (a fake NVML
// that returns fixed values), never set by trail itself.
std::unique_ptr<NvmlSession> OpenSystemNvml(std::string* error);

}  // namespace trail::context
