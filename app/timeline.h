#pragma once
// `--timeline FILE` of qcsim run and qcsim scenario: a recorded run (arch/timeline_rec.h) as
// Chrome trace-event JSON, which Perfetto (ui.perfetto.dev), chrome://tracing and
// scripts/timeline_viewer.html open. docs/timeline.md defines the tracks, the events and the
// size cap.

#include "arch/timeline_rec.h"

#include <cstdint>
#include <string>

namespace app {

/// The schema name written in the file's "otherData".
inline constexpr const char *timeline_schema = "qcsim.timeline/1";
/// Default cap on the timeline file (--timeline-max-mb): larger traces load slowly or not at all
/// in the trace viewers.
inline constexpr std::uint64_t default_timeline_max_mb = 256;

/// "summary" | "tiles"; throws sim::input_error naming --timeline-detail otherwise.
arch::timeline_rec::detail parse_timeline_detail(const std::string &s);
/// --timeline-max-mb: a whole number of MB (10^6 bytes) from 1 to 4096; throws sim::input_error.
std::uint64_t parse_timeline_max_mb(const std::string &s);

/// Events the recorder may store for a file of at most `max_mb` MB: no event is written in
/// fewer than 40 bytes, so a run with more could never fit.
std::uint64_t timeline_max_events(std::uint64_t max_mb);

struct timeline_meta {
    std::string title;   ///< the trace's process name ("qcsim run: <chip> / <workload>")
    std::string command; ///< "run" | "scenario"
    std::string chip, workload;
    double clock_mhz = 0;     ///< NN-core clock (cycles = µs · clock_mhz)
    std::uint64_t end_ps = 0; ///< end of the run (every slice lies in [0, end_ps])
};

/// The trace as JSON text (deterministic). Throws sim::input_error naming --timeline when the
/// text would exceed `max_mb` MB, with its expected size.
std::string render_timeline(const arch::timeline_rec &tl, const timeline_meta &meta,
                            std::uint64_t max_mb);

/// One line for stderr: events and size of a rendered timeline.
std::string timeline_summary(const arch::timeline_rec &tl, const std::string &text);

} // namespace app
