#include "sim/dir_update.h"

#include "sim/errors.h"
#include "sim/output.h"

#include <nlohmann/json.hpp>

#include <csignal>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sim {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char *plan_schema = "qcsim.dir-update/1";
// The staging folder's files: who started the update, the plan (present only while files are
// being swapped), and the marker that the swap finished. The old and new files live under
// old/ and new/ with their paths relative to the root.
constexpr const char *owner_file = "owner";
constexpr const char *plan_file = "plan.json";
constexpr const char *done_file = "committed";
constexpr const char *rolled_back_file = "rolled-back";

/// Path components without the empty one a trailing '/' leaves.
std::vector<std::string> parts(const fs::path &p) {
    std::vector<std::string> out;
    for (const auto &c : p)
        if (!c.empty() && c != ".")
            out.push_back(c.string());
    return out;
}

/// A relative path that stays inside its root: no absolute path, no "..", no empty name.
void check_rel(const std::string &rel, const std::string &file) {
    const fs::path p(rel);
    bool ok = !rel.empty() && p.is_relative();
    for (const auto &c : p)
        ok = ok && c != ".." && c != "." && !c.empty();
    if (!ok)
        throw input_error(file, "$",
                          "expected a relative path inside the directory, found \"" + brief(rel) +
                              "\"");
}

void rename_or_throw(const fs::path &from, const fs::path &to) {
    std::error_code ec;
    fs::rename(from, to, ec);
    if (ec)
        throw input_error(to.string(), "$",
                          "cannot move " + from.string() + " here: " + ec.message());
}

bool process_alive(int pid) {
    return pid > 0 && pid != ::getpid() && (::kill(pid, 0) == 0 || errno == EPERM);
}

} // namespace

void require_inside(const fs::path &root, const fs::path &p, const std::string &what) {
    const auto r = parts(fs::weakly_canonical(fs::absolute(root)));
    const auto q = parts(fs::weakly_canonical(fs::absolute(p)));
    bool inside = q.size() > r.size() && std::equal(r.begin(), r.end(), q.begin());
    if (!inside)
        throw input_error(what, "$",
                          "refusing to write " + brief(p.string()) + ": it is not inside " +
                              root.string() + " (after resolving \"..\" and symbolic links)");
}

dir_update::dir_update(fs::path root, std::string staging_name)
    : m_root(std::move(root)), m_staging(m_root / staging_name) {
    std::error_code ec;
    if (!fs::create_directory(m_staging, ec) || ec)
        throw input_error(m_staging.string(), "$",
                          ec ? "cannot create the staging folder: " + ec.message()
                             : std::string("a staging folder is already there (an update in "
                                           "progress, or one that was interrupted)"));
    write_file_atomic((m_staging / owner_file).string(), std::to_string(::getpid()) + "\n");
}

dir_update::~dir_update() {
    if (m_done)
        return;
    // Nothing was swapped in unless commit() got past writing the plan; if it did and then
    // failed, the plan stays and the next recover_dir_update() rolls back.
    if (fs::exists(m_staging / plan_file))
        return;
    std::error_code ec;
    fs::remove_all(m_staging, ec);
}

void dir_update::step() {
    ++m_steps;
    if (on_step)
        on_step(m_steps);
}

void dir_update::write(const std::string &rel, const std::string &text) {
    check_rel(rel, m_root.string());
    const fs::path target = m_root / rel;
    require_inside(m_root, target, m_root.string());
    // Folders the commit will create, outermost first.
    fs::path dir;
    const fs::path parent = fs::path(rel).parent_path();
    for (const auto &c : parent) {
        dir /= c;
        if (!fs::exists(m_root / dir) &&
            std::find(m_new_dirs.begin(), m_new_dirs.end(), dir.string()) == m_new_dirs.end())
            m_new_dirs.push_back(dir.string());
    }
    const fs::path staged = m_staging / "new" / rel;
    fs::create_directories(staged.parent_path());
    write_file_atomic(staged.string(), text);
    m_entries.push_back({rel, true, fs::exists(target)});
    step();
}

void dir_update::remove(const std::string &rel) {
    check_rel(rel, m_root.string());
    const fs::path target = m_root / rel;
    require_inside(m_root, target, m_root.string());
    if (!fs::is_regular_file(fs::symlink_status(target)))
        throw input_error(target.string(), "$", "expected a regular file to delete");
    m_entries.push_back({rel, false, true});
}

void dir_update::commit() {
    json plan = {{"schema", plan_schema}, {"new_dirs", m_new_dirs}};
    json entries = json::array();
    for (const auto &e : m_entries)
        entries.push_back({{"file", e.rel}, {"write", e.write}, {"had_old", e.had_old}});
    plan["entries"] = entries;
    write_file_atomic((m_staging / plan_file).string(), plan.dump(1) + "\n");
    step();
    // From here on an interruption is rolled back by the next recover_dir_update().
    for (const auto &d : m_new_dirs)
        fs::create_directories(m_root / d);
    for (const auto &e : m_entries) {
        if (e.had_old) {
            const fs::path old = m_staging / "old" / e.rel;
            fs::create_directories(old.parent_path());
            rename_or_throw(m_root / e.rel, old);
            step();
        }
        if (e.write) {
            rename_or_throw(m_staging / "new" / e.rel, m_root / e.rel);
            step();
        }
    }
    // The new state is complete: mark it so that no later recovery rolls it back, then tidy.
    rename_or_throw(m_staging / plan_file, m_staging / done_file);
    m_done = true;
    std::error_code ec;
    for (const auto &e : m_entries)
        if (!e.write) // a folder left empty by a deletion goes too (never the root)
            for (fs::path d = fs::path(e.rel).parent_path(); !d.empty(); d = d.parent_path())
                if (!fs::remove(m_root / d, ec))
                    break;
    fs::remove_all(m_staging, ec);
}

std::string dir_recovery::text() const {
    const std::string who = pid > 0 ? fmt::format(" (process {})", pid) : std::string();
    if (finished)
        return "an update" + who + " had finished but not removed its staging folder: removed it";
    if (!had_plan)
        return "an interrupted update" + who +
               " had not changed any file yet: removed its staging folder";
    return fmt::format("rolled back an interrupted update{}: {} file{} restored, {} new file{} "
                       "taken out; the files are as they were before it",
                       who, restored, restored == 1 ? "" : "s", withdrawn,
                       withdrawn == 1 ? "" : "s");
}

dir_recovery recover_dir_update(const fs::path &root, const std::string &staging_name) {
    dir_recovery r;
    const fs::path staging = root / staging_name;
    if (!fs::exists(fs::symlink_status(staging)))
        return r;
    r.found = true;
    if (!fs::is_directory(fs::symlink_status(staging)))
        throw input_error(staging.string(), "$",
                          "expected the staging folder of an interrupted update, found another "
                          "kind of file: inspect and delete it");
    try {
        r.pid = std::stoi(read_file((staging / owner_file).string()));
    } catch (const std::exception &) {
        r.pid = 0; // killed before it wrote its owner file: it staged nothing
    }
    if (process_alive(r.pid))
        throw input_error(staging.string(), "$",
                          fmt::format("an update by process {} is in progress; if no such update "
                                      "is running (the process id was reused), delete this folder",
                                      r.pid));
    const fs::path plan_path = staging / plan_file;
    r.finished = fs::exists(staging / done_file);
    if (fs::exists(plan_path)) {
        r.had_plan = true;
        const std::string file = plan_path.string();
        json plan;
        std::vector<std::string> new_dirs;
        struct entry {
            std::string rel;
            bool write;
        };
        std::vector<entry> entries;
        try {
            plan = parse_json_text(read_file(file), file);
            if (plan.at("schema") != plan_schema)
                throw input_error(file, "schema", std::string("expected ") + plan_schema);
            for (const auto &d : plan.at("new_dirs")) {
                check_rel(d.get<std::string>(), file);
                new_dirs.push_back(d.get<std::string>());
            }
            for (const auto &e : plan.at("entries")) {
                check_rel(e.at("file").get<std::string>(), file);
                entries.push_back({e.at("file").get<std::string>(), e.at("write").get<bool>()});
            }
        } catch (const std::exception &e) {
            throw input_error(file, "$",
                              std::string("cannot roll back an interrupted update, its plan is "
                                          "unreadable (") +
                                  e.what() +
                                  "): compare the files with version control, then delete " +
                                  staging.string());
        }
        for (const auto &e : entries) {
            const fs::path here = root / e.rel, fresh = staging / "new" / e.rel,
                           old = staging / "old" / e.rel;
            // A new file that reached its place goes back to the staging folder (a rename, so
            // that a second rollback never mistakes the restored old file for a new one).
            if (e.write && !fs::exists(fresh) && fs::exists(here)) {
                fs::create_directories(fresh.parent_path());
                rename_or_throw(here, fresh);
                ++r.withdrawn;
            }
            if (fs::exists(old)) {
                fs::create_directories(here.parent_path());
                rename_or_throw(old, here);
                ++r.restored;
            }
        }
        std::error_code ec;
        for (auto it = new_dirs.rbegin(); it != new_dirs.rend(); ++it)
            fs::remove(root / *it, ec); // only when empty
        rename_or_throw(plan_path, staging / rolled_back_file);
    }
    std::error_code ec;
    fs::remove_all(staging, ec);
    if (ec)
        throw input_error(staging.string(), "$",
                          "cannot remove the staging folder of an interrupted update: " +
                              ec.message());
    return r;
}

} // namespace sim
