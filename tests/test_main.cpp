// The test binaries' main: any gnnrec warning logged during a test is a
// failure (STYLE habit 18).
#include <gtest/gtest.h>

#include "core/log.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  gnnrec::set_warning_hook(
      [](const std::string& message) { ADD_FAILURE() << "gnnrec warning: " << message; });
  return RUN_ALL_TESTS();
}
