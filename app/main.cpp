// qcsim: the command line. Subcommands (DESIGN.md §8):
//   qcsim run        simulate a workload on a chip and report every operator
//   qcsim workloads  list the built-in networks with their parameters, MACs and parameters
//   qcsim describe   list every chip config key with unit, default and meaning
//   qcsim trace      write a workload (generator or file) as a JSON trace
//   qcsim check      rerun the golden (chip, workload) pairs and compare (CI regression)
//   qcsim help [cmd] the usage of qcsim or of one subcommand
// Exit status: 0 success, 1 a check found a difference (or a sweep merge found runs missing),
// 2 bad input or usage, anything else a bug.

#include "app/check.h"
#include "app/chip_config.h"
#include "app/report.h"
#include "app/scenario.h"
#include "app/sweep.h"
#include "app/sweep_slurm.h"
#include "app/timeline.h"
#include "arch/simulate.h"
#include "ops/compiler.h"
#include "qcsim_version.h"
#include "sim/clock.h"
#include "sim/errors.h"
#include "sim/output.h"
#include "sim/table.h"
#include "workloads/generators.h"
#include "workloads/trace.h"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace po = boost::program_options;

namespace {

const char *default_workload = "mobilenext";

/// A command-line mistake of one subcommand: printed with that subcommand's usage, exit 2.
struct usage_error : std::runtime_error {
    usage_error(const std::string &command, const std::string &what)
        : std::runtime_error(what), command(command) {}
    std::string command;
};

// ---- Options of every subcommand, in one place for parsing and for help ----------------------

void timeline_options(po::options_description &d);

void run_options(po::options_description &d) {
    d.add_options()("help,h", "this help")(
        "chip", po::value<std::string>()->default_value(""),
        "chip config JSON (default: the built-in reference chip, = configs/questcore.json)")(
        "workload,w", po::value<std::string>()->default_value(default_workload),
        "NAME[:k=v,...] of a built-in network, a trace FILE.json, scalesim:FILE.csv, or an ONNX "
        "model FILE.onnx[:batch=N]")("set", po::value<std::vector<std::string>>()->composing(),
                                     "override a config key: --set dram.channels=2 (repeatable)")(
        "json", po::value<std::string>(), "write the JSON report to FILE ('-' = stdout)")(
        "csv", po::value<std::string>(), "write the per-operator CSV to FILE ('-' = stdout)")(
        "dump-config", po::value<std::string>(), "write the effective chip config to FILE")(
        "group-by", po::value<std::string>()->default_value("op"),
        "table and CSV rows: op (per operator, with layer subtotals), layer, or type (sums per "
        "operator type, most cycles first)")("quiet,q", "do not print the table")(
        "wide", "every per-operator column in the table (the default fits 120 columns)")(
        "times", "print the wall time of each phase (config and workload, compile, simulate, "
                 "report) to stderr");
    timeline_options(d);
}

void timeline_options(po::options_description &d) {
    d.add_options()("timeline", po::value<std::string>(),
                    "write the run's timeline to FILE: Chrome trace-event JSON for Perfetto, "
                    "chrome://tracing or scripts/timeline_viewer.html (docs/timeline.md)")(
        "timeline-detail", po::value<std::string>()->default_value("summary"),
        "summary (a slice per operator run on each unit) or tiles (a slice per command)")(
        "timeline-max-mb",
        po::value<std::string>()->default_value(std::to_string(app::default_timeline_max_mb)),
        "N: refuse (exit 2) a timeline larger than N MB, 1 to 4096");
}

void scenario_options(po::options_description &d) {
    d.add_options()("help,h", "this help")(
        "set", po::value<std::vector<std::string>>()->composing(),
        "override a scenario key: --set streams[0].count=60, --set runtime.order=fifo "
        "(repeatable)")("chip-set", po::value<std::vector<std::string>>()->composing(),
                        "override a key of the scenario's chip: --chip-set dram.channels=2 "
                        "(repeatable)")("json", po::value<std::string>(),
                                        "write the JSON report to FILE ('-' = stdout)")(
        "csv", po::value<std::string>(),
        "write the per-operator CSV (each stage's operators summed over its jobs) to FILE")(
        "find-capacity", "search the largest stream count of the first group that the scenario "
                         "sustains (no drops, no deadline misses); --json writes the search")(
        "jobs,j", po::value<std::string>(),
        "N: --find-capacity probes at once, 1 to 256 (default: the hardware threads)")(
        "quiet,q", "do not print the table");
    timeline_options(d);
}

/// Scale-out options of qcsim sweep (app/sweep_slurm.h).
void sweep_slurm_options(po::options_description &d) {
    d.add_options()("emit", po::value<std::string>(),
                    "slurm: write DIR/sweep.sbatch, a job array of --shards tasks, and prepare "
                    "DIR for it (instead of running)")(
        "shards", po::value<std::string>(),
        "K: array tasks of --emit slurm, 1 to the point count (default: min(points, 16))")(
        "shard", po::value<std::string>(),
        "i/K: run only shard i of K (the points p with p mod K = i) into "
        "DIR/shards/<i>-of-<K>.jsonl; qcsim sweep merge DIR joins the shards");
}

void sweep_options(po::options_description &d) {
    d.add_options()("help,h", "this help")("out", po::value<std::string>(),
                                           "DIR for results.jsonl, results.csv and pareto.csv "
                                           "(created; a rerun resumes from what it holds)")(
        "jobs,j", po::value<std::string>(),
        "N: runs at once, 1 to 256 (default: the hardware threads; with --emit slurm: the CPUs "
        "per array task, default 1)");
    sweep_slurm_options(d);
}

void list_options(po::options_description &d) {
    d.add_options()("help,h", "this help")("json", "print as JSON");
}

void trace_options(po::options_description &d) {
    d.add_options()("help,h", "this help")(
        "workload,w", po::value<std::string>()->default_value(default_workload),
        "NAME[:k=v,...], FILE.json, scalesim:FILE.csv or FILE.onnx[:batch=N]")(
        "out,o", po::value<std::string>()->default_value("-"), "output FILE ('-' = stdout)");
}

void check_options(po::options_description &d, app::check_options &o) {
    d.add_options()("help,h", "this help")(
        "golden", po::value<std::string>(&o.golden_dir)->default_value(o.golden_dir),
        "golden directory holding manifest.json")(
        "tolerance", po::value<double>(&o.tolerance_pct)->default_value(0.0),
        "PCT: a number passes when |after - before| <= PCT/100 * |before| (0 = exact)")(
        "only", po::value<std::string>(&o.only),
        "PATTERN: check only the pairs whose \"<chip>/<workload>\" matches this glob")(
        "update", "rewrite the goldens from this build and print what changed")(
        "jobs,j", po::value<std::string>(),
        "N: child processes at once, 1 to 256 (default: the hardware threads)")(
        "top", po::value<std::string>(), "N: moved operators listed per pair (default 10)")(
        "json", po::value<std::string>(&o.json_out),
        "write the result as JSON to FILE")("markdown", po::value<std::string>(&o.markdown_out),
                                            "write the result as a Markdown table to FILE")(
        "determinism-pair", po::value<std::string>(&o.determinism_pair),
        "PATTERN: the pair run twice to check reproducibility (default: the first selected)");
}

void check_options_for_help(po::options_description &d) {
    static app::check_options o;
    check_options(d, o);
}

struct command {
    const char *name;
    const char *summary;
    const char *synopsis;
    void (*options)(po::options_description &); ///< for parsing (run, ...) and for help
    int (*run)(const std::vector<std::string> &);
};

int cmd_run(const std::vector<std::string> &args);
int cmd_workloads(const std::vector<std::string> &args);
int cmd_describe(const std::vector<std::string> &args);
int cmd_trace(const std::vector<std::string> &args);
int cmd_check(const std::vector<std::string> &args);
int cmd_scenario(const std::vector<std::string> &args);
int cmd_sweep(const std::vector<std::string> &args);

const std::vector<command> &commands() {
    static const std::vector<command> all = {
        {"run", "simulate a workload on a chip (default: MobileNeXt-1.0 on the reference chip)",
         "qcsim run [--chip FILE] [--workload "
         "NAME[:k=v,...]|FILE.json|scalesim:FILE.csv|FILE.onnx[:batch=N]]\n"
         "          [--set key.path=value ...] [--json FILE] [--csv FILE] [--dump-config FILE]\n"
         "          [--group-by op|layer|type] [--quiet] [--wide] [--times]\n"
         "          [--timeline FILE [--timeline-detail summary|tiles] [--timeline-max-mb N]]",
         run_options, cmd_run},
        {"scenario",
         "simulate camera streams, decoders and a pipeline of networks on a chip (video "
         "analytics): how many streams it sustains and what limits it",
         "qcsim scenario FILE [--set key=value ...] [--chip-set key=value ...] [--json FILE]\n"
         "          [--csv FILE] [--find-capacity [--jobs N]] [--quiet]\n"
         "          [--timeline FILE [--timeline-detail summary|tiles] [--timeline-max-mb N]]",
         scenario_options, cmd_scenario},
        {"sweep",
         "run every point of a qcsim.sweep/1 spec (one process per run, resumable) and write "
         "its results and Pareto fronts",
         "qcsim sweep SPEC --out DIR [--jobs N] [--shard i/K]\n"
         "          [--emit slurm [--shards K]]\n"
         "       qcsim sweep merge DIR",
         sweep_options, cmd_sweep},
        {"workloads", "list built-in networks, their parameters, MACs and parameter counts",
         "qcsim workloads [--json]", list_options, cmd_workloads},
        {"describe", "list every chip config key with its unit, default and meaning",
         "qcsim describe [--json]", list_options, cmd_describe},
        {"trace", "write a workload as a JSON trace file",
         "qcsim trace [--workload NAME[:k=v,...]|FILE.json|scalesim:FILE.csv|FILE.onnx[:batch=N]] "
         "[-o FILE]",
         trace_options, cmd_trace},
        {"check", "rerun the golden chip/workload pairs and compare cycles (CI regression)",
         "qcsim check [--golden DIR] [--tolerance PCT] [--only PATTERN] [--update] [--jobs N]\n"
         "            [--top N] [--json FILE] [--markdown FILE] [--determinism-pair PATTERN]",
         check_options_for_help, cmd_check},
    };
    return all;
}

const command *find_command(const std::string &name) {
    for (const auto &c : commands())
        if (name == c.name)
            return &c;
    return nullptr;
}

std::string general_usage() {
    std::string s = "usage: qcsim <command> [options]\ncommands:\n";
    for (const auto &c : commands())
        s += fmt::format("  {:<10} {}\n", c.name, c.summary);
    return s + "run 'qcsim help <command>' (or 'qcsim <command> --help') for its options\n";
}

std::string usage_of(const command &c) {
    po::options_description d(std::string("options of qcsim ") + c.name);
    c.options(d);
    std::ostringstream ss;
    ss << "usage: " << c.synopsis << "\n" << c.summary << "\n\n" << d;
    return ss.str();
}

/// " (did you mean \"x\"?)" for the nearest of `names`, or "".
std::string did_you_mean(const std::string &word, const std::vector<std::string> &names) {
    const std::string near = sim::nearest(word, names);
    return near.empty() ? "" : " (did you mean \"" + near + "\"?)";
}

/// Parses the arguments of subcommand `cmd`; a mistake is a usage_error of `cmd`, with the
/// nearest option for an unknown one.
po::variables_map parse(const char *cmd, const po::options_description &desc,
                        const std::vector<std::string> &args) {
    po::variables_map vm;
    // No abbreviated options: "--updat" must not silently mean --update (the nearest option is
    // suggested instead), and no stray words: "qcsim describe extra" is a mistake.
    const int style =
        po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    try {
        po::store(po::command_line_parser(args)
                      .options(desc)
                      .style(style)
                      .positional(po::positional_options_description())
                      .run(),
                  vm);
        po::notify(vm);
    } catch (const po::unknown_option &e) {
        std::vector<std::string> names;
        for (const auto &o : desc.options())
            names.push_back("--" + o->long_name());
        throw usage_error(cmd, "unknown option '" + sim::brief(e.get_option_name()) + "'" +
                                   did_you_mean(e.get_option_name(), names));
    } catch (const po::error &e) {
        throw usage_error(cmd, sim::brief(e.what(), 300));
    }
    return vm;
}

/// A whole number in [lo, hi] given to `option`; anything else (a sign, a fraction, a number
/// too large) is bad input.
unsigned long count_option(const std::string &text, const char *option, unsigned long lo,
                           unsigned long hi, const char *what) {
    const bool digits =
        !text.empty() && text.size() <= 9 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    const unsigned long v = digits ? std::stoul(text) : 0;
    if (!digits || v < lo || v > hi)
        throw sim::input_error(option, "$",
                               fmt::format("expected a whole number from {} to {} ({}), found "
                                           "\"{}\"",
                                           lo, hi, what, sim::brief(text)));
    return v;
}

/// --timeline-max-mb.
std::uint64_t timeline_mb(const po::variables_map &vm) {
    return app::parse_timeline_max_mb(vm["timeline-max-mb"].as<std::string>());
}

/// The recorder --timeline asks for (its options checked), or null.
std::unique_ptr<arch::timeline_rec> make_timeline(const po::variables_map &vm) {
    const auto detail = app::parse_timeline_detail(vm["timeline-detail"].as<std::string>());
    const std::uint64_t mb = timeline_mb(vm);
    if (!vm.count("timeline"))
        return nullptr;
    return std::make_unique<arch::timeline_rec>(detail, app::timeline_max_events(mb));
}

int cmd_run(const std::vector<std::string> &args) {
    po::options_description d;
    run_options(d);
    auto vm = parse("run", d, args);
    if (vm.count("help")) {
        std::cout << usage_of(*find_command("run"));
        return 0;
    }
    std::vector<std::string> sets;
    if (vm.count("set"))
        sets = vm["set"].as<std::vector<std::string>>();
    app::grouping group_by = app::grouping::op;
    try {
        group_by = app::parse_grouping(vm["group-by"].as<std::string>());
    } catch (const std::invalid_argument &e) {
        throw sim::input_error("command line", "--group-by", e.what());
    }
    // Everything that can be wrong with the input, output paths included, is checked before
    // anything is written; then every output is written at the end, all or none.
    std::vector<std::pair<std::string, std::string>> outputs; // (option, path)
    for (const char *o : {"dump-config", "json", "csv", "timeline"})
        if (vm.count(o))
            outputs.emplace_back(std::string("--") + o, vm[o].as<std::string>());
    sim::check_outputs(outputs);
    std::unique_ptr<arch::timeline_rec> tl = make_timeline(vm);
    using clock = std::chrono::steady_clock;
    auto t0 = clock::now();
    auto ms_since = [&](clock::time_point &t) {
        const auto now = clock::now();
        const double ms = std::chrono::duration<double, std::milli>(now - t).count();
        t = now;
        return ms;
    };
    auto chip = app::load_chip(vm["chip"].as<std::string>(), sets);
    const std::string spec = vm["workload"].as<std::string>();
    workloads::graph g = workloads::build_workload(spec);
    const double t_build = ms_since(t0);
    ops::program prog = ops::compile(g, chip.chip, spec);
    const double t_compile = ms_since(t0);

    arch::run_stats st = arch::simulate(chip.chip, prog, tl.get());
    const double t_sim = ms_since(t0);
    app::run_info run;
    run.version = QCSIM_VERSION;
    run.chip_file =
        vm["chip"].as<std::string>().empty() ? chip.source : vm["chip"].as<std::string>();
    run.overrides = sets;
    run.workload_spec = spec;
    run.config_hash = app::config_hash(chip.effective);
    auto report = app::make_report(chip.chip, g, prog, st, run);
    if (vm.count("times")) // wall times vary by machine: never part of a report
        std::cerr << fmt::format("times: config+workload {:.1f} ms, compile {:.1f} ms, "
                                 "simulate {:.1f} ms, report {:.1f} ms\n",
                                 t_build, t_compile, t_sim, ms_since(t0));

    std::string timeline;
    if (tl) {
        app::timeline_meta meta;
        meta.command = "run";
        meta.chip = report["chip"]["name"].get<std::string>();
        meta.workload = g.name;
        meta.title = "qcsim run: " + meta.chip + " / " + g.name;
        meta.clock_mhz = chip.chip.clock_mhz;
        meta.end_ps = st.cycles * sim::period_ps(chip.chip.clock_mhz);
        timeline = app::render_timeline(*tl, meta, timeline_mb(vm));
        std::cerr << app::timeline_summary(*tl, timeline);
    }
    std::vector<std::pair<std::string, std::string>> files; // (path, text)
    for (const auto &[option, path] : outputs)
        files.emplace_back(path, option == "--json"       ? report.dump(2) + "\n"
                                 : option == "--csv"      ? app::render_csv(report, group_by)
                                 : option == "--timeline" ? std::move(timeline)
                                                          : chip.effective.dump(2) + "\n");
    sim::write_files_atomic(files);
    bool to_stdout = false;
    for (const auto &[option, path] : outputs)
        to_stdout = to_stdout || (option != "--dump-config" && path == "-");
    if (!vm.count("quiet") && !to_stdout)
        std::cout << app::render_table(report, group_by, vm.count("wide") > 0);
    return 0;
}

int cmd_workloads(const std::vector<std::string> &args) {
    po::options_description d;
    list_options(d);
    auto vm = parse("workloads", d, args);
    if (vm.count("help")) {
        std::cout << usage_of(*find_command("workloads"));
        return 0;
    }
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    std::string text;
    for (const auto &gen : workloads::generators()) {
        workloads::graph g = workloads::build_workload(gen.name);
        std::string ps;
        nlohmann::ordered_json pj = nlohmann::ordered_json::array();
        for (const auto &p : gen.params) {
            ps += (ps.empty() ? "" : ", ") +
                  fmt::format("{}={} {}", p.name, p.default_text(), p.range_text());
            if (p.type == workloads::gen_param::kind::choice) {
                pj.push_back({{"name", p.name},
                              {"default", p.default_choice},
                              {"choices", p.choices},
                              {"description", p.description}});
                continue;
            }
            pj.push_back({{"name", p.name},
                          {"default", p.default_value},
                          {"min", p.min},
                          {"max", p.max},
                          {"description", p.description}});
        }
        // One block per generator: name, MACs and parameters of its default, what it is, then
        // its parameters (default [min, max] or {choices}), wrapped to 120 columns.
        text += fmt::format("{}: {:.1f} M MACs, {} parameters (defaults)\n", gen.name,
                            g.total_macs() / 1e6, g.total_params());
        text += sim::wrap(gen.description, 120, "  ");
        text += sim::wrap(ps, 120, "    ") + "\n";
        all.push_back({{"name", gen.name},
                       {"description", gen.description},
                       {"params", pj},
                       {"default_spec", g.name},
                       {"macs", g.total_macs()},
                       {"parameters", g.total_params()}});
    }
    if (vm.count("json"))
        std::cout << all.dump(2) << "\n";
    else
        std::cout << text;
    return 0;
}

int cmd_describe(const std::vector<std::string> &args) {
    po::options_description d;
    list_options(d);
    auto vm = parse("describe", d, args);
    if (vm.count("help")) {
        std::cout << usage_of(*find_command("describe"));
        return 0;
    }
    auto rows = sim::describe_params<ops::chip_desc>();
    if (vm.count("json")) {
        nlohmann::ordered_json a = nlohmann::ordered_json::array();
        for (auto &r : rows)
            a.push_back({{"key", r.path},
                         {"type", r.type},
                         {"unit", r.unit},
                         {"default", r.default_value},
                         {"description", r.description}});
        std::cout << a.dump(2) << "\n";
        return 0;
    }
    sim::text_table t;
    using A = sim::text_table::align;
    t.add_column("key", A::left);
    t.add_column("type", A::left);
    t.add_column("unit", A::left);
    t.add_column("default", A::left);
    // The meaning goes on the lines below its key, wrapped to 120 columns.
    for (auto &r : rows)
        t.add_row({r.path, r.type, r.unit, r.default_value});
    std::istringstream lines(t.str());
    std::string line;
    std::size_t row = 0, header_lines = 2;
    while (std::getline(lines, line)) {
        std::cout << line << "\n";
        if (header_lines) {
            --header_lines;
            continue;
        }
        if (row < rows.size())
            std::cout << sim::wrap(rows[row++].description, 120, "      ");
    }
    return 0;
}

int cmd_trace(const std::vector<std::string> &args) {
    po::options_description d;
    trace_options(d);
    auto vm = parse("trace", d, args);
    if (vm.count("help")) {
        std::cout << usage_of(*find_command("trace"));
        return 0;
    }
    sim::check_outputs({{"--out", vm["out"].as<std::string>()}});
    workloads::graph g = workloads::build_workload(vm["workload"].as<std::string>());
    sim::write_file_atomic(vm["out"].as<std::string>(), workloads::trace_text(g));
    return 0;
}

int cmd_check(const std::vector<std::string> &args) {
    app::check_options o;
    po::options_description d;
    check_options(d, o);
    auto vm = parse("check", d, args);
    if (vm.count("help")) {
        std::cout << usage_of(*find_command("check"));
        return 0;
    }
    o.update = vm.count("update") > 0;
    if (vm.count("jobs"))
        o.jobs = unsigned(count_option(vm["jobs"].as<std::string>(), "--jobs", 1,
                                       app::max_check_jobs, "child processes at once"));
    if (vm.count("top"))
        o.top = unsigned(
            count_option(vm["top"].as<std::string>(), "--top", 0, 100000, "operators per pair"));
    return app::run_check(o);
}

int cmd_scenario(const std::vector<std::string> &args) {
    po::options_description d;
    scenario_options(d);
    // The scenario file is the one positional argument.
    std::vector<std::string> rest;
    std::string file;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        const bool takes_value = a == "--set" || a == "--chip-set" || a == "--json" ||
                                 a == "--csv" || a == "--jobs" || a == "-j" || a == "--timeline" ||
                                 a == "--timeline-detail" || a == "--timeline-max-mb";
        if (!a.empty() && a[0] != '-' && file.empty()) {
            file = a;
            continue;
        }
        rest.push_back(a);
        if (takes_value && i + 1 < args.size())
            rest.push_back(args[++i]);
    }
    auto vm = parse("scenario", d, rest);
    if (vm.count("help")) {
        std::cout << usage_of(*find_command("scenario"));
        return 0;
    }
    if (file.empty())
        throw usage_error("scenario", "missing the scenario FILE");
    app::scenario_options o;
    o.file = file;
    o.version = QCSIM_VERSION;
    if (vm.count("set"))
        o.sets = vm["set"].as<std::vector<std::string>>();
    if (vm.count("chip-set"))
        o.chip_sets = vm["chip-set"].as<std::vector<std::string>>();
    std::vector<std::pair<std::string, std::string>> outputs;
    for (const char *opt : {"json", "csv", "timeline"})
        if (vm.count(opt))
            outputs.emplace_back(std::string("--") + opt, vm[opt].as<std::string>());
    sim::check_outputs(outputs);
    std::unique_ptr<arch::timeline_rec> tl = make_timeline(vm);
    bool to_stdout = false;
    for (const auto &[option, path] : outputs)
        to_stdout = to_stdout || path == "-";
    if (vm.count("find-capacity")) {
        if (vm.count("csv"))
            throw usage_error("scenario", "--csv has no meaning with --find-capacity");
        if (tl)
            throw usage_error("scenario", "--timeline has no meaning with --find-capacity");
        unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
        if (vm.count("jobs"))
            jobs = unsigned(
                count_option(vm["jobs"].as<std::string>(), "--jobs", 1, 256, "probes at once"));
        const auto c = app::find_capacity(o, jobs, to_stdout ? std::cerr : std::cout);
        std::vector<std::pair<std::string, std::string>> files;
        if (vm.count("json"))
            files.emplace_back(vm["json"].as<std::string>(), c.dump(2) + "\n");
        sim::write_files_atomic(files);
        if (!vm.count("quiet") && !to_stdout)
            std::cout << app::render_capacity(c);
        return 0;
    }
    const auto in = app::prepare_scenario(o);
    std::uint64_t end_ps = 0;
    const auto rep = app::run_scenario_report(in, o, tl.get(), &end_ps);
    std::string timeline;
    if (tl) {
        app::timeline_meta meta;
        meta.command = "scenario";
        meta.chip = in.chip.name;
        meta.workload = in.sc.name;
        meta.title = "qcsim scenario: " + in.sc.name + " on " + in.chip.name;
        meta.clock_mhz = in.chip.clock_mhz;
        meta.end_ps = end_ps;
        timeline = app::render_timeline(*tl, meta, timeline_mb(vm));
        std::cerr << app::timeline_summary(*tl, timeline);
    }
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto &[option, path] : outputs)
        files.emplace_back(path, option == "--json"       ? rep.dump(2) + "\n"
                                 : option == "--timeline" ? std::move(timeline)
                                                          : app::render_scenario_csv(rep));
    sim::write_files_atomic(files);
    if (!vm.count("quiet") && !to_stdout)
        std::cout << app::render_scenario_table(rep);
    return 0;
}

/// `qcsim sweep merge DIR`.
int cmd_sweep_merge(const std::vector<std::string> &args) {
    std::vector<std::string> dirs;
    for (const auto &a : args) {
        if (a == "--help" || a == "-h") {
            std::cout << usage_of(*find_command("sweep"));
            return 0;
        }
        if (!a.empty() && a[0] == '-')
            throw usage_error("sweep", "sweep merge takes only DIR, found option " + sim::brief(a));
        dirs.push_back(a);
    }
    if (dirs.size() != 1)
        throw usage_error("sweep",
                          "sweep merge takes one DIR, found " + std::to_string(dirs.size()));
    return app::merge_sweep(dirs[0]);
}

/// "i/K" of --shard: 0 <= i < K <= 100000.
std::pair<unsigned, unsigned> shard_option(const std::string &text) {
    const auto slash = text.find('/');
    auto number = [](const std::string &t) {
        return !t.empty() && t.size() <= 6 &&
               std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (slash != std::string::npos && number(text.substr(0, slash)) &&
        number(text.substr(slash + 1))) {
        const unsigned long i = std::stoul(text.substr(0, slash));
        const unsigned long k = std::stoul(text.substr(slash + 1));
        if (k >= 1 && k <= 100000 && i < k)
            return {unsigned(i), unsigned(k)};
    }
    throw sim::input_error("--shard", "$",
                           "expected i/K, shard i of K with 0 <= i < K <= 100000 (0/4 is the "
                           "first of four), found \"" +
                               sim::brief(text) + "\"");
}

int cmd_sweep(const std::vector<std::string> &args) {
    if (!args.empty() && args[0] == "merge")
        return cmd_sweep_merge(std::vector<std::string>(args.begin() + 1, args.end()));
    po::options_description d;
    sweep_options(d);
    std::vector<std::string> rest;
    std::string file;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        if (!a.empty() && a[0] != '-' && file.empty()) {
            file = a;
            continue;
        }
        rest.push_back(a);
        if ((a == "--out" || a == "--jobs" || a == "-j" || a == "--emit" || a == "--shards" ||
             a == "--shard") &&
            i + 1 < args.size())
            rest.push_back(args[++i]);
    }
    auto vm = parse("sweep", d, rest);
    if (vm.count("help")) {
        std::cout << usage_of(*find_command("sweep"));
        return 0;
    }
    if (file.empty())
        throw usage_error("sweep", "missing the sweep SPEC file");
    if (!vm.count("out"))
        throw usage_error("sweep", "missing --out DIR");
    app::sweep_options o;
    o.spec_file = file;
    o.out_dir = vm["out"].as<std::string>();
    if (vm.count("jobs"))
        o.jobs =
            unsigned(count_option(vm["jobs"].as<std::string>(), "--jobs", 1, 256, "runs at once"));
    if (vm.count("shard")) {
        if (vm.count("emit"))
            throw usage_error("sweep", "--shard runs a shard, --emit slurm writes the array "
                                       "that runs them: give one of them");
        std::tie(o.shard_index, o.shard_count) = shard_option(vm["shard"].as<std::string>());
    }
    if (vm.count("shards") && !vm.count("emit"))
        throw usage_error("sweep", "--shards is the array size of --emit slurm");
    if (vm.count("emit")) {
        if (vm["emit"].as<std::string>() != "slurm")
            throw sim::input_error("--emit", "$",
                                   "expected \"slurm\" (a Slurm job array), found \"" +
                                       sim::brief(vm["emit"].as<std::string>()) + "\"");
        const unsigned shards = vm.count("shards")
                                    ? unsigned(count_option(vm["shards"].as<std::string>(),
                                                            "--shards", 1, 100000, "array tasks"))
                                    : 0;
        return app::emit_slurm(o, shards);
    }
    return app::run_sweep(o);
}

/// `qcsim help [command]`.
int cmd_help(const std::vector<std::string> &args) {
    if (args.empty()) {
        std::cout << general_usage();
        return 0;
    }
    if (args.size() > 1)
        throw usage_error("", "help takes one command, got " + std::to_string(args.size()));
    const command *c = find_command(args[0]);
    if (!c)
        throw usage_error("",
                          "no command '" + sim::brief(args[0]) + "'" + did_you_mean(args[0], [] {
                              std::vector<std::string> n;
                              for (const auto &c : commands())
                                  n.emplace_back(c.name);
                              return n;
                          }()));
    std::cout << usage_of(*c);
    return 0;
}

} // namespace

// libsystemc.so refers to sc_main. qcsim's own main() drives the kernel instead (arch::simulate
// elaborates and calls sc_start), so SystemC's entry is never used.
extern "C" int sc_main(int, char *[]) {
    return 3;
}

int main(int argc, char **argv) {
    std::vector<std::string> all(argv + 1, argv + argc);
    std::string cmd = all.empty() ? "" : all[0];
    std::vector<std::string> rest(all.size() > 1 ? all.begin() + 1 : all.end(), all.end());
    try {
        if (const command *c = find_command(cmd))
            return c->run(rest);
        if (cmd == "--version" || cmd == "version") {
            std::cout << "qcsim " << QCSIM_VERSION << "\n";
            return 0;
        }
        if (cmd == "help" || cmd == "--help" || cmd == "-h")
            return cmd_help(rest);
        std::vector<std::string> names = {"help"};
        for (const auto &c : commands())
            names.emplace_back(c.name);
        std::cerr << (cmd.empty() ? "qcsim: missing command\n"
                                  : "qcsim: unknown command '" + sim::brief(cmd) + "'" +
                                        did_you_mean(cmd, names) + "\n")
                  << general_usage();
        return sim::exit_bad_input;
    } catch (const sim::input_error &e) {
        std::cerr << "qcsim: error: " << e.what() << "\n";
        return sim::exit_bad_input;
    } catch (const usage_error &e) {
        const command *c = find_command(e.command);
        std::cerr << "qcsim" << (c ? std::string(" ") + c->name : std::string()) << ": " << e.what()
                  << "\n"
                  << (c ? usage_of(*c) : general_usage());
        return sim::exit_bad_input;
    } catch (const std::exception &e) {
        std::cerr << "qcsim: internal error (a bug, please report): " << e.what() << "\n";
        return 3;
    }
}
