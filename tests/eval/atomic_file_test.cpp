#include "eval/atomic_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace orchsim::eval::atomic_file_test {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("orchsim_atomic_file_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(dir_);
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }
  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  fs::path dir_;
};

TEST_F(AtomicFileTest, CommitPublishesTheContent) {
  const fs::path target = dir_ / "report.json";
  {
    AtomicFile f(target);
    EXPECT_EQ(f.temp_path().parent_path(), dir_);
    EXPECT_EQ(f.temp_path().filename(), "report.json.tmp-" + std::to_string(::getpid()));
    f.stream() << "{\"ok\":true}\n";
    EXPECT_FALSE(fs::exists(target));  // nothing visible before commit
    f.commit();
  }
  EXPECT_EQ(read(target), "{\"ok\":true}\n");
  EXPECT_EQ(entries(), std::vector<std::string>{"report.json"});
}

// A file many times the writeback step (8 MiB), written by characters and
// in large blocks, is published byte for byte; no descriptor stays open,
// committed or not.
TEST_F(AtomicFileTest, ALargeFileIsPublishedWholeAndLeavesNoDescriptorOpen) {
  const auto open_descriptors = [] {
    return std::distance(fs::directory_iterator("/proc/self/fd"), fs::directory_iterator{});
  };
  const auto before = open_descriptors();
  const fs::path target = dir_ / "trace.json";
  std::string expected;
  {
    AtomicFile f(target);
    std::string block(std::size_t{3} << 20, 'x');
    for (int i = 0; i < 7; ++i) {
      for (int c = 0; c < 1000; ++c) {
        const char ch = static_cast<char>('a' + (i + c) % 26);
        f.stream().put(ch);
        expected += ch;
      }
      block.front() = static_cast<char>('0' + i);
      block.back() = static_cast<char>('A' + i);
      f.stream().write(block.data(), static_cast<std::streamsize>(block.size()));
      expected += block;
    }
    f.commit();
  }
  const std::string published = read(target);
  EXPECT_EQ(published.size(), expected.size());
  EXPECT_TRUE(published == expected);
  EXPECT_EQ(open_descriptors(), before);
  {
    AtomicFile abandoned(dir_ / "other.json");
    abandoned.stream() << "never committed";
  }
  EXPECT_EQ(open_descriptors(), before);
  EXPECT_EQ(entries(), std::vector<std::string>{"trace.json"});
}

// The writeback starts once per 8 MiB handed to the kernel, whether the
// bytes come one character at a time (no virtual call until the buffer
// fills), as short strings (flushed through overflow inside xsputn) or as
// blocks larger than the buffer (written around it).
TEST_F(AtomicFileTest, TheWritebackStartsEvery8MiBHoweverTheStreamIsWritten) {
  constexpr std::size_t kTotal = std::size_t{20} << 20;  // 2.5 writebacks' worth
  static_assert(kTotal / (std::size_t{8} << 20) == 2);
  const auto writebacks = [&](auto write_some) {
    AtomicFile f(dir_ / "big.json");
    for (std::size_t written = 0; written < kTotal;) written += write_some(f.stream());
    f.commit();
    return f.writebacks_started();
  };
  EXPECT_EQ(writebacks([](std::ostream& out) {
              out.put('c');
              return std::size_t{1};
            }),
            2u);
  const std::string line(100, 'l');
  EXPECT_EQ(writebacks([&](std::ostream& out) {
              out << line;
              return line.size();
            }),
            2u);
  const std::string block(std::size_t{3} << 20, 'b');
  EXPECT_EQ(writebacks([&](std::ostream& out) {
              out.write(block.data(), static_cast<std::streamsize>(block.size()));
              return block.size();
            }),
            2u);
}

TEST_F(AtomicFileTest, CommitReplacesAnExistingFile) {
  const fs::path target = dir_ / "report.json";
  std::ofstream(target) << "old";
  AtomicFile f(target);
  f.stream() << "new";
  f.commit();
  EXPECT_EQ(read(target), "new");
  EXPECT_THROW(f.commit(), std::logic_error);
}

TEST_F(AtomicFileTest, NoCommitLeavesNoFileAndNoTemp) {
  const fs::path target = dir_ / "report.json";
  {
    AtomicFile f(target);
    f.stream() << "half a repo";
    EXPECT_TRUE(fs::exists(f.temp_path()));
  }
  EXPECT_FALSE(fs::exists(target));
  EXPECT_TRUE(entries().empty());
}

TEST_F(AtomicFileTest, NoCommitKeepsTheOldContent) {
  const fs::path target = dir_ / "report.json";
  std::ofstream(target) << "old";
  {
    AtomicFile f(target);
    f.stream() << "new but abandoned";
  }
  EXPECT_EQ(read(target), "old");
  EXPECT_EQ(entries(), std::vector<std::string>{"report.json"});
}

TEST_F(AtomicFileTest, MissingDirectoryThrowsNamingThePath) {
  const fs::path target = dir_ / "no" / "such" / "dir" / "report.json";
  try {
    AtomicFile f(target);
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(target.string()), std::string::npos) << what;
    EXPECT_NE(what.find("No such file or directory"), std::string::npos) << what;
  }
}

TEST_F(AtomicFileTest, UnwritableDirectoryThrowsNamingThePath) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec);
  const fs::path target = dir_ / "report.json";
  try {
    AtomicFile f(target);
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(target.string()), std::string::npos) << what;
    EXPECT_NE(what.find("Permission denied"), std::string::npos) << what;
  }
}

TEST_F(AtomicFileTest, ParentThatIsAFileThrowsNamingThePath) {
  // Works as root too, unlike directory permissions.
  std::ofstream(dir_ / "plain") << "x";
  const fs::path target = dir_ / "plain" / "report.json";
  try {
    AtomicFile f(target);
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(target.string()), std::string::npos) << what;
    EXPECT_NE(what.find("Not a directory"), std::string::npos) << what;
  }
}

TEST_F(AtomicFileTest, FailedWriteThrowsAndPublishesNothing) {
  const fs::path target = dir_ / "report.json";
  {
    AtomicFile f(target);
    f.stream() << "partial";
    f.stream().setstate(std::ios::badbit);  // as a full disk would
    try {
      f.commit();
      FAIL() << "expected an exception";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(target.string()), std::string::npos) << e.what();
    }
  }
  EXPECT_FALSE(fs::exists(target));
  EXPECT_TRUE(entries().empty());
}

TEST_F(AtomicFileTest, FailedRenameThrowsAndRemovesTheTemp) {
  const fs::path target = dir_ / "report.json";
  fs::create_directories(target / "occupied");  // a non-empty directory cannot be replaced
  {
    AtomicFile f(target);
    f.stream() << "content";
    try {
      f.commit();
      FAIL() << "expected an exception";
    } catch (const std::runtime_error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(target.string()), std::string::npos) << what;
      EXPECT_NE(what.find("rename"), std::string::npos) << what;
    }
  }
  EXPECT_EQ(entries(), std::vector<std::string>{"report.json"});
  EXPECT_TRUE(fs::is_directory(target));
}

}  // namespace
}  // namespace orchsim::eval::atomic_file_test
