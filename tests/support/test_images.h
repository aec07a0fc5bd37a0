// Access to the real Windows-made BitLocker volumes in ../shared/testdata.
//
// The archive is extracted once per test process into a temporary folder (removed at exit),
// unless LOCKBOX_TEST_IMAGES_DIR names a folder where it was already extracted (the test
// runner does that once, since CTest runs every test case in a process of its own).
// When it is absent (a user's clone has no ../shared), TestImages() returns nullptr and the
// tests GTEST_SKIP with the message from TestImagesSkipReason().
#pragma once

#include <map>
#include <string>
#include <vector>

namespace lockbox::testing {

// One [section] of images.conf: keys as written there (GUID, PW, RP, RP_VMK_GUID, ...).
struct TestImage {
  std::string name;  // section name, e.g. "bitlk-aes-xts-128"
  std::string path;  // the extracted image file
  std::map<std::string, std::string> fields;

  // The field's value, or "" when absent.
  std::string Get(const std::string& key) const;
};

struct TestImageSet {
  std::string folder;  // where the archive was extracted
  std::vector<TestImage> images;

  const TestImage* Find(const std::string& name) const;
  // Path of a file extracted beside the images (e.g. the .BEK file).
  std::string FilePath(const std::string& file_name) const;
};

// The extracted set, or nullptr when the archive is not available.
const TestImageSet* TestImages();
std::string TestImagesSkipReason();

}  // namespace lockbox::testing
