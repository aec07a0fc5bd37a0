// Internal to the store: the words the computer directory searches (the search_words table).
//
// A computer's whole name is one word; each word (separated by white space) of a volume's
// description is another, so "PC-07 BACKUP 6/7/2023" is found by "backup" as well as by "pc-0".
// A drive letter ("C:"), in nearly every description, is not a word.
// Words are ASCII-lower-cased and kept as hex digits: a prefix p is then the range
// word_hex >= hex(p) AND word_hex < hex(p) || 'g' of the index, whatever the database's
// collation (a linguistic one does not sort text by its bytes, and a word may hold any
// character, unlike a key ID).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/database.h"
#include "store/records.h"

namespace lockbox::store::internal {

// The hex form of `word`, ASCII-lower-cased: what word_hex holds and a prefix is compared as.
std::string SearchWordHex(std::string_view word);

// Replace the search words of a computer's name / of a volume's description. The words of
// what was stored before (`before`: nullopt or null when nothing was) are deleted first, each
// by its own key: search_words' only index is by word. A volume's words carry the ID of the
// computer it was on when they were written, `before->computer_id`.
Status WriteComputerWords(Transaction& tx, const Guid& computer_id, std::string_view name,
                          std::optional<std::string_view> before);
Status WriteVolumeWords(Transaction& tx, const Volume& volume, const Volume* before);

// Fills search_words for every stored computer and volume (the schema migration that made it).
Status BackfillSearchWords(Transaction& tx);
// Deletes the volumes' words that are drive letters, "a:" to "z:", which stores written before
// drive letters stopped being words still hold (schema migration 12).
Status DeleteDriveLetterWords(Transaction& tx);

}  // namespace lockbox::store::internal
