// Sector-cipher and DecryptedVolume throughput.
//
// Each lockbox sector cipher decrypts a 4 MiB buffer (512- or 4096-byte sectors, one thread)
// and is compared with OpenSSL decrypting the same buffer in ONE call with the same key size:
// no per-sector IVs at all, so that is the limit of this core. The summary printed at the end
// gives the ratio. Run: build/bench/bde_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "bde/decrypted_volume.h"
#include "bde/metadata.h"
#include "bde/sector_cipher.h"
#include "bde/testing/synthetic_volume.h"
#include "crypto/aes.h"
#include "crypto/random.h"

namespace lockbox::bde {
namespace {

constexpr size_t kBuffer = 4 << 20;

struct MethodCase {
  const char* name;
  uint16_t method;
};
const MethodCase kMethods[] = {
    {"cbc-128", 0x8002}, {"cbc-256", 0x8003},      {"xts-128", 0x8004},
    {"xts-256", 0x8005}, {"elephant-128", 0x8000}, {"elephant-256", 0x8001},
};

std::vector<uint8_t> RandomBytes(size_t n) {
  std::vector<uint8_t> b(n);
  if (!crypto::RandomBytes(b).ok()) std::abort();
  return b;
}

void BM_SectorDecrypt(benchmark::State& state, uint16_t method, uint32_t sector_size) {
  const auto key = RandomBytes(DescribeMethod(method)->fvek_size_bytes);
  auto cipher = std::move(SectorCipher::Create(method, key, sector_size).value());
  auto buffer = RandomBytes(kBuffer);
  for (auto _ : state) {
    if (!cipher->Decrypt(1 << 30, buffer).ok()) state.SkipWithError("decrypt failed");
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBuffer));
}

// The physical limit: one OpenSSL call over the whole buffer (CBC for the CBC and Elephant
// methods, whose AES part is CBC).
void BM_OpenSslOneCall(benchmark::State& state, uint16_t method) {
  const auto info = *DescribeMethod(method);
  const bool xts = std::string(info.name) == "aes-xts";
  const auto key = RandomBytes(xts ? info.key_bits / 4 : info.key_bits / 8);
  auto buffer = RandomBytes(kBuffer);
  uint8_t iv[16] = {};
  auto run = [&](auto& cipher) {
    for (auto _ : state) {
      if (!cipher.Process(iv, buffer, buffer).ok()) state.SkipWithError("decrypt failed");
      benchmark::DoNotOptimize(buffer.data());
    }
  };
  if (xts) {
    auto cipher = std::move(crypto::AesXts::Create(key, crypto::Direction::kDecrypt).value());
    run(cipher);
  } else {
    auto cipher = std::move(crypto::AesCbc::Create(key, crypto::Direction::kDecrypt).value());
    run(cipher);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBuffer));
}

// DecryptedVolume::ReadAt in 4 MiB reads over a 64 MiB synthetic XTS-128 volume held in
// memory; with 2 threads each reads its own stretch.
void BM_DecryptedVolumeRead(benchmark::State& state) {
  static const auto* fixture = [] {
    testing::SyntheticVolumeSpec spec;
    spec.size_bytes = 64 << 20;
    spec.protectors = {testing::SyntheticProtector::Kind::kClearKey};
    auto built = testing::BuildSyntheticVolume(spec).value();
    auto volume = new Volume(Volume::Open(MemoryBlockReader(std::move(built.image))).value());
    const KeyMaterial key = KeyMaterial::ClearKey();
    auto keys = Unlock(*volume, std::span(&key, 1)).value();
    return DecryptedVolume::Create(*volume, keys).value().release();
  }();
  std::vector<uint8_t> buffer(kBuffer);
  uint64_t at = static_cast<uint64_t>(state.thread_index()) * (32 << 20);
  for (auto _ : state) {
    if (!fixture->ReadAt(at, buffer).ok()) state.SkipWithError("read failed");
    at = (at + kBuffer) % (64 << 20);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBuffer));
}

// Keeps every run's bytes/s so that main() can print the ratios.
class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      const auto it = r.counters.find("bytes_per_second");
      if (it != r.counters.end()) rates[r.benchmark_name()] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> rates;
};

}  // namespace
}  // namespace lockbox::bde

int main(int argc, char** argv) {
  using namespace lockbox::bde;
  for (const auto& m : kMethods) {
    for (uint32_t sector : {512u, 4096u}) {
      benchmark::RegisterBenchmark(
          (std::string("lockbox/") + m.name + "/" + std::to_string(sector)).c_str(),
          BM_SectorDecrypt, m.method, sector);
    }
    benchmark::RegisterBenchmark((std::string("openssl-one-call/") + m.name).c_str(),
                                 BM_OpenSslOneCall, m.method);
  }
  benchmark::RegisterBenchmark("DecryptedVolume/ReadAt-4MiB/xts-128", BM_DecryptedVolumeRead)
      ->Threads(1)
      ->Threads(2)
      ->UseRealTime();
  benchmark::Initialize(&argc, argv);
  CollectingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\nsector decrypt, one thread, 4 MiB buffer:\n");
  for (const auto& m : kMethods) {
    const auto base = reporter.rates.find(std::string("openssl-one-call/") + m.name);
    for (uint32_t sector : {512u, 4096u}) {
      const auto run =
          reporter.rates.find(std::string("lockbox/") + m.name + "/" + std::to_string(sector));
      if (run == reporter.rates.end() || base == reporter.rates.end()) continue;
      std::printf("%s/%u: lockbox %.2f GB/s, openssl one-call %.2f GB/s, ratio %.2f\n", m.name,
                  sector, run->second / 1e9, base->second / 1e9, run->second / base->second);
    }
  }
  benchmark::Shutdown();
  return 0;
}
