// Writes a file so that it appears whole or not at all.
//
// Contract: the constructor creates `<path>.tmp-<pid>` in the target's
// directory; stream() is written to; commit() flushes, checks that every write
// succeeded, fsyncs the file, renames it over `path` and fsyncs the directory.
// Destroying an AtomicFile that was not committed (an exception, an early
// return) removes the temporary file, so a reader never finds a truncated
// report that looks complete. Failures (cannot create, a write failed, rename
// failed) throw std::runtime_error naming the path and strerror(errno).
// One thread; not copyable or movable. Cost: one extra fsync and rename. A
// large file is handed to the disk as it is written (Linux: every 8 MiB,
// sync_file_range starts the writeback of what is written so far, without
// waiting), so the fsync in commit() waits for the last piece, not all of it.
//
//   AtomicFile out("results/report.json");
//   out.stream() << report.dump(2) << '\n';
//   out.commit();  // report.json now holds exactly this, or the old content
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <streambuf>

namespace orchsim::eval {

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ostream& stream() { return out_; }
  // Publishes the content. Throws std::runtime_error on failure (the target is
  // then untouched and the temporary removed) and std::logic_error if called twice.
  void commit();

  // How many times the disk's writeback was started so far: one per
  // kWritebackBytes handed to the kernel, however the stream was written.
  std::uint64_t writebacks_started() const { return buf_.writebacks_started; }

  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& temp_path() const { return temp_; }

 private:
  std::filesystem::path path_;
  std::filesystem::path temp_;
  // A filebuf that starts the writeback of the file every kWritebackBytes
  // it hands to the kernel.
  class WritebackBuf final : public std::filebuf {
   public:
    static constexpr std::streamsize kWritebackBytes = std::streamsize{8} << 20;
    int fd = -1;  // the same file, for sync_file_range; -1: none
    std::uint64_t writebacks_started = 0;

   protected:
    std::streamsize xsputn(const char* s, std::streamsize n) override;
    int_type overflow(int_type c) override;

   private:
    void handed_over(std::streamsize n);
    std::streamsize since_ = 0;
    bool in_xsputn_ = false;  // overflow() called from xsputn(): counted there
  };

  WritebackBuf buf_;
  std::ostream out_;
  bool committed_ = false;
};

}  // namespace orchsim::eval
