// `lockbox bde info [--json] IMAGE`: what the volume header and metadata say, without a key.
#include <iostream>
#include <memory>
#include <sstream>

#include "bde/block_reader.h"
#include "bde/metadata.h"
#include "cli/bde_commands.h"
#include "cli/bde_info.h"
#include "cli/exit_codes.h"
#include "recovery/key_id.h"
#include "util/text.h"

namespace lockbox::cli {
namespace {

using nlohmann::json;

std::string HexValue(uint32_t value) {
  std::ostringstream out;
  out << "0x" << std::hex;
  out.width(4);
  out.fill('0');
  out << value;
  return out.str();
}

// The description reads "HOSTNAME C: date": the computer that enabled BitLocker comes first.
std::string ComputerName(const std::string& description) {
  return description.substr(0, description.find(' '));
}

// Text from the disk may hold terminal escape sequences: show control characters as '?'.
std::string Printable(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
  }
  return text;
}

json NullIfEmpty(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

std::string CipherText(uint16_t method) {
  const auto cipher = bde::DescribeMethod(method);
  if (!cipher) return "unknown (" + HexValue(method) + ")";
  return std::string(cipher->name) + ", " + std::to_string(cipher->key_bits) + "-bit key, " +
         (cipher->diffuser ? "Elephant diffuser" : "no diffuser") + " (" + HexValue(method) + ")";
}

int RunBdeInfo(const std::string& image, bool json_output) {
  auto reader = bde::OpenBlockReader(image);
  if (!reader.ok()) return ReportError(reader.status(), json_output);
  auto volume = bde::Volume::Open(std::move(*reader));
  if (!volume.ok()) return ReportError(volume.status().WithContext(image), json_output);
  if (json_output) {
    std::cout << VolumeInfoJson(*volume).dump(2) << "\n";
  } else {
    std::cout << VolumeInfoText(*volume, image);
  }
  return kExitOk;
}

}  // namespace

json VolumeInfoJson(const bde::Volume& volume) {
  const bde::VolumeHeader& header = volume.header();
  const bde::Metadata& m = volume.metadata();
  const auto cipher = bde::DescribeMethod(m.method);

  json encryption = {{"method", m.method}, {"method_hex", HexValue(m.method)}};
  encryption["cipher"] = cipher ? json(cipher->name) : json(nullptr);
  encryption["key_bits"] = cipher ? json(cipher->key_bits) : json(nullptr);
  encryption["diffuser"] = cipher ? json(cipher->diffuser) : json(nullptr);

  json eow_offsets = json::array();
  if (header.eow) eow_offsets = header.eow_offsets;
  const json conversion = {{"current_state", bde::VolumeStateName(m.current_state)},
                           {"current_state_value", m.current_state},
                           {"next_state", bde::VolumeStateName(m.next_state)},
                           {"next_state_value", m.next_state},
                           {"eow", header.eow},
                           {"eow_offsets", eow_offsets}};

  json protectors = json::array();
  for (const bde::Protector& p : m.protectors) {
    protectors.push_back(
        {{"guid", p.guid.ToString()},
         {"key_id", recovery::ShortKeyId(p.guid)},
         {"type", bde::ProtectionTypeName(p.protection)},
         {"protection_value", p.protection},
         {"name", NullIfEmpty(p.name)},
         {"last_modified", NullIfEmpty(FiletimeToIso8601(p.last_modified_filetime))}});
  }

  json copies = json::array();
  for (size_t i = 0; i < volume.copies().size(); ++i) {
    const bde::MetadataCopyStatus& copy = volume.copies()[i];
    copies.push_back({{"offset", copy.offset},
                      {"valid", copy.valid},
                      {"in_use", static_cast<int>(i) == volume.used_copy()},
                      {"problem", NullIfEmpty(copy.problem)}});
  }

  return {{"variant", bde::VariantName(header.variant)},
          {"volume_guid", m.volume_guid.ToString()},
          {"encryption", encryption},
          {"sector_size_bytes", header.sector_size},
          {"volume_size_bytes", volume.size_bytes()},
          {"encrypted_size_bytes", m.encrypted_size_bytes},
          {"conversion", conversion},
          {"description", m.description},
          {"computer_name", NullIfEmpty(ComputerName(m.description))},
          {"created", NullIfEmpty(FiletimeToIso8601(m.creation_filetime))},
          {"protectors", protectors},
          {"metadata_copies", copies}};
}

std::string VolumeInfoText(const bde::Volume& volume, const std::string& image) {
  const bde::VolumeHeader& header = volume.header();
  const bde::Metadata& m = volume.metadata();
  std::ostringstream out;
  static constexpr const char* kVariantText[] = {"Windows 7 or later", "BitLocker To Go",
                                                 "Windows Vista"};
  out << "BitLocker volume " << image << "\n"
      << "Variant:           " << bde::VariantName(header.variant) << " ("
      << kVariantText[static_cast<int>(header.variant)] << ")\n"
      << "Volume GUID:       " << m.volume_guid.ToString() << "\n"
      << "Encryption:        " << CipherText(m.method) << "\n"
      << "Sector size:       " << header.sector_size << " bytes\n"
      << "Volume size:       " << volume.size_bytes() << " bytes\n"
      << "Encrypted size:    " << m.encrypted_size_bytes << " bytes\n"
      << "State:             " << bde::VolumeStateName(m.current_state)
      << " (next: " << bde::VolumeStateName(m.next_state) << ")\n";
  if (header.eow) {
    out << "Conversion:        encrypt-on-write GUID present (conversion in progress or paused; "
           "information at offsets "
        << header.eow_offsets[0] << ", " << header.eow_offsets[1] << ")\n";
  }
  out << "Description:       " << Printable(m.description) << "\n"
      << "Computer name:     " << Printable(ComputerName(m.description)) << "\n"
      << "Created:           " << FiletimeToIso8601(m.creation_filetime) << "\n"
      << "\nProtectors:\n";
  for (size_t i = 0; i < m.protectors.size(); ++i) {
    const bde::Protector& p = m.protectors[i];
    out << " " << i << ": " << bde::ProtectionTypeName(p.protection) << "\n"
        << "    GUID:          " << p.guid.ToString() << "\n"
        << "    Key ID:        " << recovery::ShortKeyId(p.guid) << "\n";
    if (!p.name.empty()) out << "    Name:          " << Printable(p.name) << "\n";
    out << "    Last modified: " << FiletimeToIso8601(p.last_modified_filetime) << "\n";
  }
  out << "\nMetadata copies:\n";
  for (size_t i = 0; i < volume.copies().size(); ++i) {
    const bde::MetadataCopyStatus& copy = volume.copies()[i];
    out << " " << i + 1 << ": offset " << copy.offset << ", "
        << (copy.valid ? "valid" : "INVALID: " + Printable(copy.problem))
        << (static_cast<int>(i) == volume.used_copy() ? " (in use)" : "") << "\n";
  }
  return out.str();
}

void AddBdeInfoCommand(CLI::App& bde, int* exit_code) {
  struct Options {
    std::string image;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* info = bde.add_subcommand(
      "info", "Show what a BitLocker volume's header and metadata say (no key needed)");
  info->add_option("image", options->image, "The volume: an image file or a block device")
      ->required();
  info->add_flag("--json", options->json, "Print the report as JSON (docs/bde-info.md)");
  info->callback([options, exit_code] { *exit_code = RunBdeInfo(options->image, options->json); });
}

}  // namespace lockbox::cli
