// Fuzzes the readers of packs (store/pack.h): ParsePackIndex, ParsePack and VerifyPack on
// arbitrary bytes, since a pack or an .idx file is fetched from a remote.
//
// Two packs per input, so the fuzzer gets past the zstd frame around the index:
//   - the input itself (a whole pack, or an index tail);
//   - a pack built around it: "TRLPACK1" input zstd(input) index_length "TRLPIDX1", whose index
//     lines are the input and whose blob area is the input too, named by its real hash so that
//     VerifyPack goes on to read every blob.
//
// Checks, beyond "never crashes":
//   - Every error is Corrupt and names the pack and an offset ("pack <id>: offset N: ...").
//   - ParsePack accepts only what ParsePackIndex accepts, with the same entries, and every
//     entry lies between the pack magic and the index; ReadBlob of a rejected range fails.
//   - VerifyPack accepts only packs named by the hash of their index tail, and for those gives
//     ParsePack's entries, each of which ReadBlob decodes to bytes hashing to its id (or sum).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/check.h"
#include "store/compress.h"
#include "store/hash.h"
#include "store/pack.h"

namespace trail::fuzz {
namespace {

constexpr std::string_view kWrongId = "not-the-pack-id";

void CheckError(const Status& status, std::string_view pack_id, std::string_view input) {
  const std::string& m = status.message();
  FUZZ_CHECK(status.code() == Code::kCorrupt, "error is not Corrupt: " + m);
  FUZZ_CHECK(m.starts_with("pack " + std::string(pack_id) + ": offset "),
             "error does not name the pack and offset: " + Escaped(m) + "\n  input: " + Escaped(input));
}

uint32_t ReadU32Le(std::string_view bytes, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(bytes[at + i]);
  return v;
}

void CheckPack(std::string_view pack, std::string_view input) {
  auto note = [&](const std::string& what) { return what + "\n  input: " + Escaped(input); };
  StatusOr<std::vector<store::PackEntry>> index = store::ParsePackIndex(pack, kWrongId);
  if (!index.ok()) CheckError(index.status(), kWrongId, input);
  StatusOr<std::vector<store::PackEntry>> entries = store::ParsePack(pack, kWrongId);
  if (!entries.ok()) {
    CheckError(entries.status(), kWrongId, input);
    StatusOr<std::vector<store::PackEntry>> verified = store::VerifyPack(pack, kWrongId);
    FUZZ_CHECK(!verified.ok(), note("VerifyPack accepts what ParsePack rejects"));
    CheckError(verified.status(), kWrongId, input);
    return;
  }
  FUZZ_CHECK(index.ok() && *index == *entries, note("ParsePack and ParsePackIndex disagree"));

  const size_t len_at = pack.size() - store::kPackTrailerSize;
  const size_t index_at = len_at - ReadU32Le(pack, len_at);
  for (const store::PackEntry& e : *entries) {
    FUZZ_CHECK(e.offset >= store::kPackMagic.size() && e.offset <= index_at && e.stored <= index_at - e.offset,
               note("an accepted entry lies outside the blob area"));
    FUZZ_CHECK(e.raw <= store::kMaxBlobRawSize, note("an accepted entry is over the size limit"));
  }

  // Not named by its index: rejected, whatever its blobs hold.
  StatusOr<std::vector<store::PackEntry>> wrong = store::VerifyPack(pack, kWrongId);
  FUZZ_CHECK(!wrong.ok(), note("VerifyPack accepts a pack under the wrong name"));
  CheckError(wrong.status(), kWrongId, input);

  const std::string id = store::ToHex(store::Sha256Of(pack.substr(index_at)));
  StatusOr<std::vector<store::PackEntry>> verified = store::VerifyPack(pack, id);
  if (!verified.ok()) {
    CheckError(verified.status(), id, input);
    return;
  }
  FUZZ_CHECK(*verified == *entries, note("VerifyPack and ParsePack disagree"));
  for (const store::PackEntry& e : *verified) {
    StatusOr<std::string> blob = store::ReadBlob(pack, e, id);
    FUZZ_CHECK(blob.ok(), note("a verified blob does not read: " + blob.status().message()));
    FUZZ_CHECK(blob->size() == e.raw, note("a verified blob has the wrong size"));
    const store::Sha256Digest want = e.type == store::BlobType::kFile ? e.sum : e.id;
    FUZZ_CHECK(store::Sha256Of(*blob) == want, note("a verified blob does not hash to its id"));
  }
}

// "TRLPACK1" input zstd(input) u32le(len) "TRLPIDX1": the input as index lines and blob area.
std::string PackAround(std::string_view input) {
  StatusOr<std::string> index = store::Compress(input);
  FUZZ_CHECK(index.ok(), "Compress failed: " + index.status().message());
  std::string pack(store::kPackMagic);
  pack += input;
  pack += *index;
  const uint32_t len = static_cast<uint32_t>(index->size());
  for (int i = 0; i < 4; ++i) pack += static_cast<char>((len >> (8 * i)) & 0xff);
  pack += store::kIndexMagic;
  return pack;
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trail;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  fuzz::CheckPack(input, input);
  fuzz::CheckPack(fuzz::PackAround(input), input);
  return 0;
}
