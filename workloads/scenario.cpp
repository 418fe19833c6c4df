#include "workloads/scenario.h"

#include "sim/errors.h"
#include "sim/output.h"
#include "workloads/generators.h"

#include <algorithm>

namespace workloads {

namespace {

std::string stage_path(std::size_t i, const char *key) {
    return "pipeline[" + std::to_string(i) + "]." + key;
}

/// The rules one key's range cannot say.
void check(const scenario &s, const std::string &file) {
    if (s.schema != "qcsim.scenario/1")
        throw sim::input_error(
            file, "schema", "expected \"qcsim.scenario/1\", got \"" + sim::brief(s.schema) + "\"");
    if (s.streams.empty())
        throw sim::input_error(file, "streams", "missing; expected at least one stream group");
    if (s.pipeline.empty())
        throw sim::input_error(file, "pipeline", "missing; expected at least one stage");
    for (std::size_t g = 0; g < s.streams.size(); ++g) {
        const stream_group &sg = s.streams[g];
        const std::string p = "streams[" + std::to_string(g) + "]";
        if (sg.b_frames >= sg.gop_length)
            throw sim::input_error(file, p + ".b_frames",
                                   "expected fewer B frames than the GOP length (" +
                                       std::to_string(sg.gop_length) + ")");
        for (std::size_t h = 0; h < g; ++h)
            if (s.streams[h].name == sg.name)
                throw sim::input_error(file, p + ".name",
                                       "\"" + sim::brief(sg.name) +
                                           "\" names an earlier group too");
    }
    bool frame_driven = false;
    for (std::size_t i = 0; i < s.pipeline.size(); ++i) {
        const pipeline_stage &st = s.pipeline[i];
        if (st.name.empty())
            throw sim::input_error(file, stage_path(i, "name"), "missing; expected a stage name");
        if (st.network.empty())
            throw sim::input_error(file, stage_path(i, "network"),
                                   "missing; expected a --workload spec such as \"ssdlite\"");
        for (std::size_t j = 0; j < i; ++j)
            if (s.pipeline[j].name == st.name)
                throw sim::input_error(file, stage_path(i, "name"),
                                       "\"" + sim::brief(st.name) +
                                           "\" names an earlier stage too");
        if (!st.after.empty()) {
            // A crop-driven stage feeds on an earlier stage's results.
            std::vector<std::string> earlier;
            for (std::size_t j = 0; j < i; ++j)
                earlier.push_back(s.pipeline[j].name);
            if (std::find(earlier.begin(), earlier.end(), st.after) == earlier.end()) {
                const std::string near = sim::nearest(st.after, earlier);
                throw sim::input_error(
                    file, stage_path(i, "after"),
                    "\"" + sim::brief(st.after) + "\" is not an earlier stage" +
                        (near.empty() ? "" : " (did you mean \"" + near + "\"?)"));
            }
        } else {
            frame_driven = true;
        }
        // The network must build: its errors name the stage.
        try {
            (void)build_workload(st.network);
        } catch (const sim::input_error &e) {
            throw sim::input_error(file, stage_path(i, "network"), e.what());
        }
    }
    for (std::size_t i = 0; i < s.pipeline.size(); ++i) {
        const pipeline_stage &st = s.pipeline[i];
        const bool part = s.runtime.cores == core_sharing::partitioned;
        if (part && st.partition_cores == 0)
            throw sim::input_error(file, stage_path(i, "partition_cores"),
                                   "missing; a partitioned runtime needs each stage's cores");
        if (!part && (st.partition_cores || st.partition_first))
            throw sim::input_error(file, stage_path(i, "partition_cores"),
                                   "expected no partition in a shared runtime "
                                   "(runtime.cores = \"shared\")");
        if (part && st.partition_cores % st.cores)
            throw sim::input_error(file, stage_path(i, "partition_cores"),
                                   "expected a multiple of the stage's cores per job (" +
                                       std::to_string(st.cores) + ")");
        for (std::size_t j = 0; part && j < i; ++j) {
            const pipeline_stage &o = s.pipeline[j];
            if (st.partition_first < o.partition_first + o.partition_cores &&
                o.partition_first < st.partition_first + st.partition_cores)
                throw sim::input_error(file, stage_path(i, "partition_first"),
                                       "expected cores no other stage owns; they overlap \"" +
                                           sim::brief(o.name) + "\"'s");
        }
    }
    if (!frame_driven)
        throw sim::input_error(file, "pipeline",
                               "expected a frame-driven stage (one without \"after\")");
}

} // namespace

scenario scenario_from_json(const nlohmann::json &j, const std::string &file) {
    scenario s = sim::read_params<scenario>(j, file);
    check(s, file);
    return s;
}

scenario parse_scenario(const std::string &text, const std::string &file) {
    return scenario_from_json(sim::parse_json_text(text, file), file);
}

scenario read_scenario(const std::string &path) {
    return parse_scenario(sim::read_file(path), path);
}

} // namespace workloads
