#include "eval/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

namespace orchsim::eval {
namespace {

[[noreturn]] void fail(const char* what, const std::filesystem::path& path, int err) {
  throw std::runtime_error(fmt::format("{} '{}': {}", what, path.string(), std::strerror(err)));
}

// fsync through a fresh descriptor: fsync flushes the inode, whichever
// descriptor asks, and std::ofstream does not expose its own.
int fsync_path(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return errno;
  const int rc = ::fsync(fd);
  const int err = rc == 0 ? 0 : errno;
  ::close(fd);
  return err;
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path path) : path_(std::move(path)) {
  temp_ = path_;
  temp_ += fmt::format(".tmp-{}", static_cast<long>(::getpid()));
  // Create with open(2) first: it reports errno reliably, std::ofstream does not.
  const int fd = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create temporary file for", path_, errno);
  ::close(fd);
  out_.open(temp_, std::ios::binary | std::ios::trunc);
  if (!out_) {
    const int err = errno != 0 ? errno : EIO;
    std::error_code ignored;
    std::filesystem::remove(temp_, ignored);
    fail("cannot open temporary file for", path_, err);
  }
}

AtomicFile::~AtomicFile() {
  if (committed_) return;
  out_.close();
  std::error_code ignored;
  std::filesystem::remove(temp_, ignored);
}

void AtomicFile::commit() {
  if (committed_) throw std::logic_error("AtomicFile::commit called twice for " + path_.string());
  errno = 0;
  out_.flush();
  const bool good = out_.good();
  const int write_errno = errno != 0 ? errno : EIO;
  out_.close();
  if (!good || out_.fail()) fail("cannot write", path_, write_errno);
  if (const int err = fsync_path(temp_, O_RDONLY); err != 0) fail("cannot fsync", path_, err);
  if (::rename(temp_.c_str(), path_.c_str()) != 0)
    fail("cannot rename temporary file onto", path_, errno);
  committed_ = true;
  // Make the rename itself durable; a failure here does not undo the publish.
  const std::filesystem::path dir = path_.has_parent_path() ? path_.parent_path() : ".";
  (void)fsync_path(dir, O_RDONLY | O_DIRECTORY);
}

}  // namespace orchsim::eval
