#include "ldap/dn.h"

#include <gtest/gtest.h>

namespace lockbox::ldap {
namespace {

TEST(DnTest, SplitsAtCommasThatAreNeitherEscapedNorQuoted) {
  const auto rdns = SplitDn("CN=PC\\,01, OU=\"Berlin, Mitte\",DC=corp,DC=example");
  ASSERT_EQ(rdns.size(), 4u);
  EXPECT_EQ(rdns[0], "CN=PC\\,01");
  EXPECT_EQ(rdns[1], "OU=\"Berlin, Mitte\"");
  EXPECT_EQ(rdns[3], "DC=example");
  EXPECT_TRUE(SplitDn("").empty());
}

TEST(DnTest, ParentDropsTheFirstRdn) {
  EXPECT_EQ(ParentDn("CN=2019-02-28T10:31:05-08:00{X},CN=PC-01,OU=W,DC=corp"),
            "CN=PC-01,OU=W,DC=corp");
  EXPECT_EQ(ParentDn("CN=a\\,b,DC=corp"), "DC=corp");
  EXPECT_EQ(ParentDn("DC=corp"), "");
  EXPECT_EQ(ParentDn("CN=trailing\\"), "");  // a lone backslash at the end reads nothing past it
}

TEST(DnTest, DnsDomainComesFromTheDcParts) {
  EXPECT_EQ(DnsDomainOf("CN=PC-01,OU=W,DC=corp,DC=example,dc=test"), "corp.example.test");
  EXPECT_EQ(DnsDomainOf("CN=PC-01,OU=W"), "");
}

TEST(DnTest, KeysCompareIgnoringCaseAndSpaces) {
  EXPECT_EQ(DnKey("CN=PC-01, OU=Work,DC=Corp"), DnKey("cn=pc-01,ou=work,dc=corp"));
  EXPECT_NE(DnKey("CN=PC-01,DC=corp"), DnKey("CN=PC-02,DC=corp"));
}

TEST(DnTest, FilterValuesMatchLiterally) {
  EXPECT_EQ(EscapeFilterValue("CN=a*(b)\\c"), "CN=a\\2a\\28b\\29\\5cc");
  EXPECT_EQ(EscapeFilterValue(std::string("x\0y", 3)), "x\\00y");
  EXPECT_EQ(EscapeFilterValue("M\xc3\xbcller"), "M\\c3\\bcller");
}

}  // namespace
}  // namespace lockbox::ldap
