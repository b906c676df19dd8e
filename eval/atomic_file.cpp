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

// fsync through a fresh descriptor (a directory's, here).
int fsync_path(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return errno;
  const int rc = ::fsync(fd);
  const int err = rc == 0 ? 0 : errno;
  ::close(fd);
  return err;
}

}  // namespace

void AtomicFile::WritebackBuf::handed_over(std::streamsize n) {
  since_ += n;
  if (since_ < kWritebackBytes) return;
  since_ = 0;
  ++writebacks_started;
#if defined(SYNC_FILE_RANGE_WRITE)
  // Whatever the filebuf has handed to the kernel so far (0, 0: the whole
  // file); what is still in its buffer goes with the next call or the fsync.
  if (fd >= 0) (void)::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
}

// What reaches the kernel in a call: what was in the buffer before, plus
// what the call took, less what is still in the buffer after. Characters
// put one at a time go into the buffer without a virtual call; they are
// counted when it is flushed. A short xsputn flushes through overflow(),
// which then leaves the counting to it.
std::streamsize AtomicFile::WritebackBuf::xsputn(const char* s, std::streamsize n) {
  const std::streamsize before = pptr() - pbase();
  in_xsputn_ = true;
  const std::streamsize taken = std::filebuf::xsputn(s, n);
  in_xsputn_ = false;
  handed_over(before + taken - (pptr() - pbase()));
  return taken;
}

AtomicFile::WritebackBuf::int_type AtomicFile::WritebackBuf::overflow(int_type c) {
  const std::streamsize before = pptr() - pbase();
  const int_type r = std::filebuf::overflow(c);
  if (in_xsputn_) return r;
  const bool took = !traits_type::eq_int_type(c, traits_type::eof()) &&
                    !traits_type::eq_int_type(r, traits_type::eof());
  handed_over(before + (took ? 1 : 0) - (pptr() - pbase()));
  return r;
}

AtomicFile::AtomicFile(std::filesystem::path path) : path_(std::move(path)), out_(&buf_) {
  temp_ = path_;
  temp_ += fmt::format(".tmp-{}", static_cast<long>(::getpid()));
  // Create with open(2) first: it reports errno reliably, std::filebuf does
  // not. The descriptor stays open for the writeback (WritebackBuf).
  const int fd = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create temporary file for", path_, errno);
  buf_.fd = fd;
  if (!buf_.open(temp_, std::ios::out | std::ios::binary | std::ios::trunc)) {
    const int err = errno != 0 ? errno : EIO;
    ::close(fd);
    std::error_code ignored;
    std::filesystem::remove(temp_, ignored);
    fail("cannot open temporary file for", path_, err);
  }
}

AtomicFile::~AtomicFile() {
  if (buf_.fd >= 0) ::close(buf_.fd);
  if (committed_) return;
  buf_.close();
  std::error_code ignored;
  std::filesystem::remove(temp_, ignored);
}

void AtomicFile::commit() {
  if (committed_) throw std::logic_error("AtomicFile::commit called twice for " + path_.string());
  errno = 0;
  out_.flush();
  const bool good = out_.good();
  const int write_errno = errno != 0 ? errno : EIO;
  const bool closed = buf_.close() != nullptr;
  if (!good || !closed) fail("cannot write", path_, write_errno);
  if (::fsync(buf_.fd) != 0) fail("cannot fsync", path_, errno);
  if (::rename(temp_.c_str(), path_.c_str()) != 0)
    fail("cannot rename temporary file onto", path_, errno);
  committed_ = true;
  // Make the rename itself durable; a failure here does not undo the publish.
  const std::filesystem::path dir = path_.has_parent_path() ? path_.parent_path() : ".";
  (void)fsync_path(dir, O_RDONLY | O_DIRECTORY);
}

}  // namespace orchsim::eval
