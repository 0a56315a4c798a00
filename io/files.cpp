#include "io/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace gnnrec::io {
namespace {

std::string errno_text() { return std::strerror(errno); }

void write_all(int fd, const std::string& bytes, const std::string& path) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string reason = errno_text();
      ::close(fd);
      ::unlink(path.c_str());
      GNNREC_FAIL(path << ": cannot write (" << reason << ")");
    }
    written += static_cast<std::size_t>(n);
  }
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  GNNREC_CHECK(fd >= 0, tmp << ": cannot create (" << errno_text() << ")");
  write_all(fd, bytes, tmp);
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::string reason = errno_text();
    ::unlink(tmp.c_str());
    GNNREC_FAIL(tmp << ": cannot flush to disk (" << reason << ")");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string reason = errno_text();
    ::unlink(tmp.c_str());
    GNNREC_FAIL(path << ": cannot rename the finished file into place (" << reason << ")");
  }
  // Make the rename itself durable.
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  GNNREC_CHECK(in, path << ": cannot open (" << errno_text() << ")");
  std::ostringstream contents;
  contents << in.rdbuf();
  GNNREC_CHECK(!in.bad(), path << ": read error");
  return contents.str();
}

bool file_exists(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

void make_directories(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  GNNREC_CHECK(!error, dir << ": cannot create the directory (" << error.message() << ")");
}

int remove_unfinished_writes(const std::string& dir) {
  int removed = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    const auto tmp = name.rfind(".tmp.");
    if (tmp == std::string::npos || !entry.is_regular_file(error)) continue;
    const std::string pid = name.substr(tmp + 5);
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (std::filesystem::remove(entry.path(), error)) ++removed;
  }
  return removed;
}

}  // namespace gnnrec::io
