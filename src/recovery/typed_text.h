// Helpers for explaining what is wrong with text a person typed (recovery passwords, key IDs).
//
// Error messages point at a character by its 1-based position as the person sees it (UTF-8
// code points, not bytes) and quote it only when it is printable ASCII: messages end up in
// JSON and terminals, so they must stay valid UTF-8 whatever bytes came in.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace lockbox::recovery::internal {

// `text` without leading and trailing spaces, tabs and line breaks.
std::string_view TrimWhitespace(std::string_view text);

// "character 14 ('x')" for the character starting at byte `byte_index` of `text`.
// Non-printable and non-ASCII characters are described instead of quoted.
std::string DescribeCharacter(std::string_view text, size_t byte_index);

// ": did you mean 0?" for letters people read as digits (O, o, I, l), "" otherwise. Appended to
// "... is not a digit" messages, since recovery passwords and key IDs are often read aloud or
// copied from print.
std::string LookalikeDigitHint(char c);

}  // namespace lockbox::recovery::internal
