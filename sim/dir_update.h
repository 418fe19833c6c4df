#pragma once
// All-or-nothing replacement of a set of files inside one directory (qcsim check --update's
// golden set). Every new file is first written into a staging folder inside the directory; a
// plan naming every file to write or delete is written last, atomically; only then are the
// files swapped in with renames, the old ones moved into the staging folder. A process killed
// at any point leaves the staging folder behind, and the next recover_dir_update() rolls the
// directory back to the state before the interrupted update:
//   - no plan yet (killed while staging): nothing in the directory changed; the folder goes;
//   - a plan (killed while swapping): the new files that reached their place go back to the
//     staging folder, the old ones return to their place, then the folder goes.
// Every rollback step is a rename that is checked before it is made, so a rollback that is
// itself interrupted is finished by the next one. Paths are relative to the directory, use
// '/', and may not leave it (no "..", no absolute paths).

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace sim {

class dir_update {
public:
    /// `root` must exist; `staging_name` is the staging folder's name inside it (one path
    /// component, e.g. ".qcsim-update-staging"). Throws input_error when a staging folder is
    /// already there (recover_dir_update() first) or cannot be created.
    dir_update(std::filesystem::path root, std::string staging_name);
    /// Removes the staging folder unless commit() succeeded: nothing in `root` was changed.
    ~dir_update();
    dir_update(const dir_update &) = delete;
    dir_update &operator=(const dir_update &) = delete;

    /// Stages `text` as the new content of `rel` (written into the staging folder now).
    void write(const std::string &rel, const std::string &text);
    /// Stages the deletion of `rel`, which must be a regular file.
    void remove(const std::string &rel);
    /// Writes the plan, swaps every file in, deletes the staged deletions, removes parent folders
    /// of deleted files that became empty and the staging folder.
    void commit();

    /// Called after each step that changes the disk (staging a file, writing the plan, one
    /// rename): its number, from 1. Tests use it to interrupt an update at a chosen step.
    std::function<void(int)> on_step;

private:
    struct entry {
        std::string rel;
        bool write = false; ///< else a deletion
        bool had_old = false;
    };
    void step();
    std::filesystem::path m_root, m_staging;
    std::vector<entry> m_entries;
    std::vector<std::string> m_new_dirs;
    int m_steps = 0;
    bool m_done = false;
};

/// What recover_dir_update() found and did.
struct dir_recovery {
    bool found = false;        ///< a staging folder was there
    bool had_plan = false;     ///< it was interrupted while swapping files: rolled back
    bool finished = false;     ///< it had swapped every file and was removing its folder
    std::size_t restored = 0;  ///< old files put back in place
    std::size_t withdrawn = 0; ///< new files taken out again
    int pid = 0;               ///< the process that had started the update (0 when unknown)
    std::string text() const;  ///< one sentence for the user
};

/// Rolls back an interrupted dir_update of `root` (see the top of this file). Throws
/// input_error when the staging folder belongs to a process that is still running, or when its
/// plan is unreadable (then it touches nothing and the message says what to inspect).
dir_recovery recover_dir_update(const std::filesystem::path &root, const std::string &staging_name);

/// Throws input_error(`what`, ...) unless `p`, with symbolic links and ".." resolved, lies inside
/// `root`.
void require_inside(const std::filesystem::path &root, const std::filesystem::path &p,
                    const std::string &what);

} // namespace sim
