#include <gtest/gtest.h>

#include "adapters/email/html_text.hpp"

namespace email = madoguchi::adapters::email;

TEST(HtmlText, CharacterReferencesSpellNoControlCharacters) {
  // libxml2 turns &#x7f; into DEL (and drops &#1;): the text must be as clean as a
  // decoded text/plain part.
  EXPECT_EQ(email::html_to_text("<p>a&#x7f;b&#1;c&#x1b;d</p>"), "abcd");
}

TEST(HtmlText, PrivateUseCharacterReferencesAreMarked) {
  EXPECT_EQ(email::html_to_text("<p>&#xE000;ok&#xF8FF;</p>"), "［絵文字］ok［絵文字］");
}
