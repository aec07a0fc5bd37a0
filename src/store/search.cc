#include "store/search.h"

#include "util/text.h"

namespace lockbox::store::internal {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Inserts or deletes (`insert` false) one word of `computer_id` (volume_id '' for the word of
// the computer's name).
Status WriteWord(Transaction& tx, bool insert, std::string_view word, const Guid& computer_id,
                 const std::string& volume_id) {
  const Value row[] = {SearchWordHex(word), computer_id.ToString(), volume_id};
  return tx.Exec(insert ? "INSERT INTO search_words (word_hex, computer_id, volume_id)"
                          " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
                        : "DELETE FROM search_words WHERE word_hex = $1 AND computer_id = $2"
                          " AND volume_id = $3",
                 row);
}

// The words of `volume`'s description, each inserted or deleted. Windows puts the drive letter
// in every volume's description ("PC-07 C: 6/7/2023"): as a word it would find every computer,
// and cost each volume an index entry (a page written per report), so it is none.
Status WriteWordsOf(Transaction& tx, bool insert, const Volume& volume) {
  const std::string volume_id = volume.id.ToString();
  const std::string_view text = volume.description;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    if (i > start && !IsDriveLetter(text.substr(start, i - start))) {
      LOCKBOX_RETURN_IF_ERROR(
          WriteWord(tx, insert, text.substr(start, i - start), volume.computer_id, volume_id));
    }
  }
  return Status::Ok();
}

}  // namespace

std::string SearchWordHex(std::string_view word) {
  std::string lower(word);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return ToHex({reinterpret_cast<const uint8_t*>(lower.data()), lower.size()});
}

Status WriteComputerWords(Transaction& tx, const Guid& computer_id, std::string_view name,
                          std::optional<std::string_view> before) {
  // A computer's own word has no volume: volume_id ''.
  if (before && !before->empty()) {
    LOCKBOX_RETURN_IF_ERROR(WriteWord(tx, false, *before, computer_id, ""));
  }
  return name.empty() ? Status::Ok() : WriteWord(tx, true, name, computer_id, "");
}

Status WriteVolumeWords(Transaction& tx, const Volume& volume, const Volume* before) {
  if (before != nullptr) LOCKBOX_RETURN_IF_ERROR(WriteWordsOf(tx, false, *before));
  return WriteWordsOf(tx, true, volume);
}

Status BackfillSearchWords(Transaction& tx) {
  LOCKBOX_ASSIGN_OR_RETURN(auto computers, tx.Query("SELECT id, name FROM computers"));
  for (const Row& row : computers) {
    LOCKBOX_ASSIGN_OR_RETURN(const Guid id, Guid::Parse(row.Text(0)));
    LOCKBOX_RETURN_IF_ERROR(WriteComputerWords(tx, id, row.Text(1), std::nullopt));
  }
  LOCKBOX_ASSIGN_OR_RETURN(auto volumes,
                           tx.Query("SELECT id, computer_id, description FROM volumes"));
  for (const Row& row : volumes) {
    Volume volume;
    LOCKBOX_ASSIGN_OR_RETURN(volume.id, Guid::Parse(row.Text(0)));
    LOCKBOX_ASSIGN_OR_RETURN(volume.computer_id, Guid::Parse(row.Text(1)));
    volume.description = row.Text(2);
    LOCKBOX_RETURN_IF_ERROR(WriteVolumeWords(tx, volume, nullptr));
  }
  return Status::Ok();
}

Status DeleteDriveLetterWords(Transaction& tx) {
  for (char letter = 'a'; letter <= 'z'; ++letter) {
    const Value word[] = {SearchWordHex(std::string{letter, ':'})};
    LOCKBOX_RETURN_IF_ERROR(
        tx.Exec("DELETE FROM search_words WHERE word_hex = $1 AND volume_id <> ''", word));
  }
  return Status::Ok();
}

}  // namespace lockbox::store::internal
