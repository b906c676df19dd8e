// Writes a file so that it appears whole or not at all.
//
// Contract: the constructor creates `<path>.tmp-<pid>` in the target's
// directory; stream() is written to; commit() flushes, checks that every write
// succeeded, fsyncs the file, renames it over `path` and fsyncs the directory.
// Destroying an AtomicFile that was not committed (an exception, an early
// return) removes the temporary file, so a reader never finds a truncated
// report that looks complete. Failures (cannot create, a write failed, rename
// failed) throw std::runtime_error naming the path and strerror(errno).
// One thread; not copyable or movable. Cost: one extra fsync and rename.
//
//   AtomicFile out("results/report.json");
//   out.stream() << report.dump(2) << '\n';
//   out.commit();  // report.json now holds exactly this, or the old content
#pragma once

#include <filesystem>
#include <fstream>
#include <ostream>

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

  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& temp_path() const { return temp_; }

 private:
  std::filesystem::path path_;
  std::filesystem::path temp_;
  std::ofstream out_;
  bool committed_ = false;
};

}  // namespace orchsim::eval
