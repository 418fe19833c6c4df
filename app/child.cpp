#include "app/child.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace app {

namespace fs = std::filesystem;

std::string self_exe() {
    std::error_code ec;
    fs::path p = fs::read_symlink("/proc/self/exe", ec);
    if (ec)
        throw std::runtime_error("cannot find the qcsim binary via /proc/self/exe: " +
                                 ec.message());
    return p.string();
}

pid_t spawn(const std::string &exe, const std::vector<std::string> &args, const fs::path &err) {
    posix_spawn_file_actions_t fa;
    ::posix_spawn_file_actions_init(&fa);
    ::posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    const std::string err_path = err.string();
    ::posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                       0644);
    std::vector<char *> argv;
    for (const auto &a : args)
        argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv.data(), environ);
    ::posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        throw std::runtime_error("cannot start " + exe + ": " + std::strerror(rc));
    return pid;
}

std::string exit_text(int status) {
    if (WIFEXITED(status))
        return "exit status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return std::string("signal ") + ::strsignal(WTERMSIG(status));
    return "status " + std::to_string(status);
}

temp_dir::temp_dir(const std::string &prefix) {
    std::string t = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (!::mkdtemp(t.data()))
        throw std::runtime_error("cannot create a temporary directory: " +
                                 std::string(std::strerror(errno)));
    path = t;
}

temp_dir::temp_dir(const fs::path &parent, const std::string &name) : path(parent / name) {
    std::error_code ec;
    fs::remove_all(path, ec);
    if (!fs::create_directory(path, ec) || ec)
        throw std::runtime_error("cannot create the directory " + path.string() + ": " +
                                 ec.message());
}

temp_dir::~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
}

} // namespace app
