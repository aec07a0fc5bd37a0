#include "test_images.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

namespace lockbox::testing {
namespace {

namespace fs = std::filesystem;

std::string ArchivePath() {
  const char* dir = std::getenv("LOCKBOX_TESTDATA");
  std::string folder = dir != nullptr && *dir != '\0' ? dir : "../shared/testdata";
  return folder + "/bitlk-images.tar.xz";
}

// Removes the extracted folder when the test process ends.
struct ExtractedFolder {
  std::string path;
  ~ExtractedFolder() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

std::vector<TestImage> ParseConf(const std::string& conf_path, const std::string& images_dir) {
  std::vector<TestImage> images;
  std::ifstream in(conf_path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line.front() == '[' && line.back() == ']') {
      TestImage image;
      image.name = line.substr(1, line.size() - 2);
      image.path = images_dir + "/" + image.name + ".img";
      images.push_back(std::move(image));
    } else if (auto eq = line.find('='); eq != std::string::npos && !images.empty()) {
      images.back().fields[line.substr(0, eq)] = line.substr(eq + 1);
    }
  }
  return images;
}

std::unique_ptr<TestImageSet> Extract() {
  // A folder the test runner extracted once for all test processes (scripts/test.sh).
  if (const char* dir = std::getenv("LOCKBOX_TEST_IMAGES_DIR"); dir != nullptr && *dir != '\0') {
    auto set = std::make_unique<TestImageSet>();
    set->folder = dir;
    set->images = ParseConf(set->folder + "/images.conf", set->folder);
    if (!set->images.empty()) return set;
  }
  const std::string archive = ArchivePath();
  if (!fs::exists(archive)) return nullptr;
  std::string tmpl = (fs::temp_directory_path() / "lockbox-images-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return nullptr;
  static ExtractedFolder cleanup;
  cleanup.path = tmpl;
  const std::string command = "tar -xJf '" + archive + "' -C '" + tmpl + "'";
  if (std::system(command.c_str()) != 0) return nullptr;
  auto set = std::make_unique<TestImageSet>();
  set->folder = tmpl + "/bitlk-images";
  set->images = ParseConf(set->folder + "/images.conf", set->folder);
  if (set->images.empty()) return nullptr;
  return set;
}

}  // namespace

std::string TestImage::Get(const std::string& key) const {
  auto it = fields.find(key);
  return it == fields.end() ? "" : it->second;
}

const TestImage* TestImageSet::Find(const std::string& name) const {
  for (const auto& image : images) {
    if (image.name == name) return &image;
  }
  return nullptr;
}

std::string TestImageSet::FilePath(const std::string& file_name) const {
  return folder + "/" + file_name;
}

const TestImageSet* TestImages() {
  static const std::unique_ptr<TestImageSet> set = Extract();
  return set.get();
}

std::string TestImagesSkipReason() {
  return "the real BitLocker test volumes are not available (" + ArchivePath() +
         " is missing): clone the project beside ../shared or set LOCKBOX_TESTDATA";
}

}  // namespace lockbox::testing
