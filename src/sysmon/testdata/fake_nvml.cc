// A fake libnvidia-ml.so.1 for tests (TRAIL_NVML_LIBRARY, context/nvml.h): two GPUs whose
// readings are fixed, so a test can say which GPU a series came from.
//   GPU i: UUID GPU-00000000-0000-0000-0000-00000000000<i>, utilization 40 + 10 i %,
//          memory (1 + i) GiB used of 16 GiB, power 100 + 50 i W, temperature 50 + i C.
// Built by the unit tests' CMake rule and, from this same file, by the integration test.
#include <cstdio>
#include <cstring>

namespace {
constexpr unsigned kCount = 2;
struct Device {
  unsigned index;
};
Device devices[kCount] = {{0}, {1}};
}  // namespace

extern "C" {
struct nvmlMemory_t {
  unsigned long long total, free, used;
};
struct nvmlUtilization_t {
  unsigned gpu, memory;
};
using nvmlDevice_t = Device*;

int nvmlInit_v2() { return 0; }
int nvmlShutdown() { return 0; }
int nvmlDeviceGetCount_v2(unsigned* count) {
  *count = kCount;
  return 0;
}
int nvmlDeviceGetHandleByIndex_v2(unsigned index, nvmlDevice_t* device) {
  if (index >= kCount) return 2;  // NVML_ERROR_INVALID_ARGUMENT
  *device = &devices[index];
  return 0;
}
int nvmlDeviceGetName(nvmlDevice_t d, char* name, unsigned size) {
  std::snprintf(name, size, "Fake GPU %u", d->index);
  return 0;
}
int nvmlDeviceGetUUID(nvmlDevice_t d, char* uuid, unsigned size) {
  std::snprintf(uuid, size, "GPU-00000000-0000-0000-0000-00000000000%u", d->index);
  return 0;
}
int nvmlSystemGetDriverVersion(char* version, unsigned size) {
  std::snprintf(version, size, "999.99");
  return 0;
}
int nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t* m) {
  m->total = 16ull << 30;
  m->used = (1ull + d->index) << 30;
  m->free = m->total - m->used;
  return 0;
}
int nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t* u) {
  u->gpu = 40 + 10 * d->index;
  u->memory = 5;
  return 0;
}
int nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned* milliwatts) {
  *milliwatts = 100000 + 50000 * d->index;
  return 0;
}
int nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned* celsius) {
  if (sensor != 0) return 3;
  *celsius = 50 + d->index;
  return 0;
}
const char* nvmlErrorString(int) { return "fake NVML error"; }
}
