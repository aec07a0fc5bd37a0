// make_bde_image: writes a synthetic BitLocker volume of a chosen size and cipher, opened by a
// given recovery password. bench/bde_vs_peers.sh uses it to get volumes large enough for a
// stable throughput figure (the real test volumes are 100 MiB).
//
//   make_bde_image OUT SIZE_MIB CIPHER RECOVERY_PASSWORD
//   CIPHER: xts-128 xts-256 cbc-128 cbc-256 elephant-128 elephant-256
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include "bde/testing/synthetic_volume.h"

int main(int argc, char** argv) {
  const std::map<std::string, uint16_t> methods = {
      {"elephant-128", 0x8000}, {"elephant-256", 0x8001}, {"cbc-128", 0x8002},
      {"cbc-256", 0x8003},      {"xts-128", 0x8004},      {"xts-256", 0x8005}};
  if (argc != 5 || methods.count(argv[3]) == 0) {
    std::fprintf(stderr,
                 "usage: make_bde_image OUT SIZE_MIB CIPHER RECOVERY_PASSWORD\n"
                 "CIPHER: xts-128 xts-256 cbc-128 cbc-256 elephant-128 elephant-256\n");
    return 2;
  }
  lockbox::bde::testing::SyntheticVolumeSpec spec;
  spec.method = methods.at(argv[3]);
  spec.size_bytes = std::strtoull(argv[2], nullptr, 10) << 20;
  spec.protectors = {{lockbox::bde::testing::SyntheticProtector::Kind::kRecoveryPassword, argv[4]}};
  auto built = lockbox::bde::testing::BuildSyntheticVolume(spec);
  if (!built.ok()) {
    std::fprintf(stderr, "make_bde_image: %s\n", built.status().message().c_str());
    return 1;
  }
  std::ofstream out(argv[1], std::ios::binary);
  out.write(reinterpret_cast<const char*>(built->image.data()),
            static_cast<std::streamsize>(built->image.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "make_bde_image: cannot write %s\n", argv[1]);
    return 1;
  }
  return 0;
}
