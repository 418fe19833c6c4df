#pragma once
// Child processes of qcsim itself (`qcsim check`, `qcsim sweep`): SystemC elaborates once per
// process, so every simulation a command runs besides its own is a child. Started with
// posix_spawn from an argument vector (never a shell string built from user input).

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace app {

/// The running qcsim binary (/proc/self/exe); throws std::runtime_error if it cannot be found.
std::string self_exe();

/// Starts `exe` with `args` (args[0] is the program name), standard input and output on
/// /dev/null and standard error into `err`; throws std::runtime_error if it cannot start.
pid_t spawn(const std::string &exe, const std::vector<std::string> &args,
            const std::filesystem::path &err);

/// "exit status 2", "signal Killed", ... of a waitpid status.
std::string exit_text(int status);

/// A temporary directory (mkdtemp under the system's temporary directory), removed with its
/// contents when destroyed.
struct temp_dir {
    std::filesystem::path path;
    explicit temp_dir(const std::string &prefix = "qcsim");
    /// The directory `parent`/`name`, created afresh (a leftover of that name is removed first).
    temp_dir(const std::filesystem::path &parent, const std::string &name);
    ~temp_dir();
    temp_dir(const temp_dir &) = delete;
    temp_dir &operator=(const temp_dir &) = delete;
};

} // namespace app
