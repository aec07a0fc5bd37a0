// Crypto benchmarks: our wrappers against the bare OpenSSL calls they wrap, in the same run,
// so the printed ratios show what the wrapping costs on this machine.
//
//   crypto_bench                       all benchmarks, then the ratio lines
//   crypto_bench --benchmark_filter=stretch
//
// Ratios use CPU time (the machine is shared; wall time would count other processes).
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "crypto/aes.h"
#include "crypto/key_stretch.h"
#include "util/bytes.h"

namespace lockbox::crypto {
namespace {

constexpr size_t kBufferBytes = size_t{1} << 20;  // the data decrypted per iteration

std::vector<uint8_t> Pattern(size_t size) {
  std::vector<uint8_t> b(size);
  for (size_t i = 0; i < size; ++i) b[i] = static_cast<uint8_t>(i * 131 + 7);
  return b;
}

void StretchLockbox(benchmark::State& state) {
  const auto initial = Pattern(32);
  const auto salt = Pattern(16);
  for (auto _ : state) {
    SecretBytes key = StretchKey(std::span<const uint8_t, 32>(initial.data(), 32),
                                 std::span<const uint8_t, 16>(salt.data(), 16));
    benchmark::DoNotOptimize(key.data());
  }
}

// The stretch as anyone would write it with OpenSSL 3's EVP API done right: one context,
// SHA-256 fetched once, the 88-byte state hashed each round.
void StretchBareEvp(benchmark::State& state) {
  const auto initial = Pattern(32);
  const auto salt = Pattern(16);
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  for (auto _ : state) {
    std::array<uint8_t, 88> s{};
    std::copy(initial.begin(), initial.end(), s.begin() + 32);
    std::copy(salt.begin(), salt.end(), s.begin() + 64);
    for (uint64_t counter = 0; counter < kKeyStretchRounds; ++counter) {
      StoreLe64(s.data() + 80, counter);
      EVP_DigestInit_ex2(ctx, md, nullptr);
      EVP_DigestUpdate(ctx, s.data(), s.size());
      EVP_DigestFinal_ex(ctx, s.data(), nullptr);
    }
    benchmark::DoNotOptimize(s.data());
  }
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(md);
}

// Decrypts kBufferBytes in place, one `process_sector` call per sector.
void DecryptSectors(
    benchmark::State& state, size_t sector_bytes,
    const std::function<Status(std::span<const uint8_t, 16>, std::span<uint8_t>)>& process_sector) {
  std::vector<uint8_t> buffer = Pattern(kBufferBytes);
  for (auto _ : state) {
    for (size_t offset = 0; offset < buffer.size(); offset += sector_bytes) {
      std::array<uint8_t, 16> iv{};
      StoreLe64(iv.data(), offset / sector_bytes);
      const std::span<uint8_t> sector = std::span(buffer).subspan(offset, sector_bytes);
      if (!process_sector(iv, sector).ok()) state.SkipWithError("decryption failed");
    }
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * buffer.size()));
}

void XtsLockbox(benchmark::State& state, size_t key_bits, size_t sector_bytes) {
  AesXts xts = AesXts::Create(Pattern(key_bits / 4), Direction::kDecrypt).value();
  DecryptSectors(state, sector_bytes, [&](std::span<const uint8_t, 16> iv, std::span<uint8_t> s) {
    return xts.Process(iv, s, s);
  });
}

void CbcLockbox(benchmark::State& state, size_t key_bits, size_t sector_bytes) {
  AesCbc cbc = AesCbc::Create(Pattern(key_bits / 8), Direction::kDecrypt).value();
  DecryptSectors(state, sector_bytes, [&](std::span<const uint8_t, 16> iv, std::span<uint8_t> s) {
    return cbc.Process(iv, s, s);
  });
}

// The cipher's ceiling on this core: one EVP call over the whole buffer, no per-sector work.
void EvpOneCall(benchmark::State& state, const EVP_CIPHER* cipher) {
  const auto key = Pattern(static_cast<size_t>(EVP_CIPHER_get_key_length(cipher)));
  const std::array<uint8_t, 16> iv{};
  std::vector<uint8_t> buffer = Pattern(kBufferBytes);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_DecryptInit_ex(ctx, cipher, nullptr, key.data(), nullptr);
  EVP_CIPHER_CTX_set_padding(ctx, 0);
  for (auto _ : state) {
    int written = 0;
    EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, iv.data());
    EVP_DecryptUpdate(ctx, buffer.data(), &written, buffer.data(), static_cast<int>(buffer.size()));
    benchmark::ClobberMemory();
  }
  EVP_CIPHER_CTX_free(ctx);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * buffer.size()));
}

// Keeps the best CPU time per iteration and bytes/s of every benchmark for the ratio lines.
class RecordingReporter : public benchmark::ConsoleReporter {
 public:
  RecordingReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular) {}

  struct Best {
    double cpu_seconds = 0;
    double bytes_per_second = 0;
  };

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred || run.iterations == 0) continue;
      const double seconds = run.cpu_accumulated_time / static_cast<double>(run.iterations);
      const auto rate = run.counters.find("bytes_per_second");
      const double bytes_per_second = rate == run.counters.end() ? 0 : rate->second.value;
      Best& best = best_[run.benchmark_name()];
      if (best.cpu_seconds == 0 || seconds < best.cpu_seconds) best.cpu_seconds = seconds;
      if (bytes_per_second > best.bytes_per_second) best.bytes_per_second = bytes_per_second;
    }
  }

  const Best* Find(const std::string& name) const {
    const auto it = best_.find(name);
    return it == best_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, Best> best_;
};

struct AesCase {
  const char* name;
  size_t key_bits;
  const EVP_CIPHER* (*evp)();
  void (*lockbox)(benchmark::State&, size_t key_bits, size_t sector_bytes);
};

const AesCase kAesCases[] = {
    {"xts128", 128, EVP_aes_128_xts, XtsLockbox},
    {"xts256", 256, EVP_aes_256_xts, XtsLockbox},
    {"cbc128", 128, EVP_aes_128_cbc, CbcLockbox},
    {"cbc256", 256, EVP_aes_256_cbc, CbcLockbox},
};
constexpr size_t kSectorSizes[] = {512, 4096};

void RegisterAll() {
  benchmark::RegisterBenchmark("stretch/lockbox", StretchLockbox)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("stretch/bare_evp", StretchBareEvp)->Unit(benchmark::kMillisecond);
  for (const AesCase& c : kAesCases) {
    benchmark::RegisterBenchmark((std::string(c.name) + "/evp_one_call").c_str(), EvpOneCall,
                                 c.evp());
    for (size_t sector : kSectorSizes) {
      benchmark::RegisterBenchmark(
          (std::string(c.name) + "/lockbox_sectors_" + std::to_string(sector)).c_str(), c.lockbox,
          c.key_bits, sector);
    }
  }
}

void PrintRatios(const RecordingReporter& reporter) {
  std::printf("\n");
  const auto* ours = reporter.Find("stretch/lockbox");
  const auto* bare = reporter.Find("stretch/bare_evp");
  if (ours != nullptr && bare != nullptr) {
    std::printf("key stretch: lockbox %.3f s, bare EVP loop %.3f s, ratio X/Y = %.2f\n",
                ours->cpu_seconds, bare->cpu_seconds, ours->cpu_seconds / bare->cpu_seconds);
  }
  for (const AesCase& c : kAesCases) {
    const auto* limit = reporter.Find(std::string(c.name) + "/evp_one_call");
    for (size_t sector : kSectorSizes) {
      const auto* sectors =
          reporter.Find(std::string(c.name) + "/lockbox_sectors_" + std::to_string(sector));
      if (limit == nullptr || sectors == nullptr) continue;
      std::printf(
          "%s decrypt, %4zu-byte sectors: lockbox %.2f GB/s, one EVP call over 1 MiB %.2f GB/s, "
          "ratio %.2f\n",
          c.name, sector, sectors->bytes_per_second / 1e9, limit->bytes_per_second / 1e9,
          sectors->bytes_per_second / limit->bytes_per_second);
    }
  }
}

}  // namespace
}  // namespace lockbox::crypto

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  lockbox::crypto::RegisterAll();
  lockbox::crypto::RecordingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  lockbox::crypto::PrintRatios(reporter);
  return 0;
}
