#include "cli/secret_output.h"

#include <string>

namespace lockbox::cli {

void PrintSecret(std::ostream& out, const crypto::SecretBytes& secret) {
  out.write(reinterpret_cast<const char*>(secret.data()),
            static_cast<std::streamsize>(secret.size()));
}

void PrintJsonWithSecret(std::ostream& out, const nlohmann::json& object, std::string_view name,
                         const crypto::SecretBytes& secret) {
  std::string text = object.dump(2);
  text.resize(text.size() - 2);  // "\n}"
  out << text << ",\n  " << nlohmann::json(name).dump() << ": \"";
  PrintSecret(out, secret);
  out << "\"\n}\n";
}

}  // namespace lockbox::cli
