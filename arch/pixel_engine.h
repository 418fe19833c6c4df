#pragma once
// One engine of a fixed-function pixel block: a video decoder engine or an image
// (pre-processing) unit engine. A job is `rows` steps of equal compute (the decoder's rows of
// macroblocks or CTUs, the image unit's bands of output rows); each step reads its share of
// every read span and writes its share of every write span through the interconnect, as
// transactions of at most `transaction_bytes`, paced at the port's bytes per engine cycle with
// at most `outstanding` in flight. The engine prefetches one step ahead: step r+1's reads are
// issued when step r starts computing, a step computes once its reads are in and the previous
// step is done, and its writes are posted when it is done. So a job takes the longer of its
// compute time and its memory time (plus one step of the other), and its traffic contends with
// the NN cores' DMA for the interconnect and the DRAM channels and banks. Transactions are sent
// within one quantum of kernel time, like the DMA engines' bursts (arch/dma.h).

#include "arch/op_ledger.h"
#include "arch/txn_ext.h"
#include "sim/fastdiv.h"
#include "sim/sc/block.h"

#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <vector>

namespace arch {

/// A DRAM range a job reads or writes: `bytes` in total, taken from [addr, addr + wrap) in
/// order and wrapping around (a motion-compensation fetch larger than its reference frame
/// reads some of it again). wrap = 0: no wrap (wrap = bytes).
struct pixel_span {
    std::uint64_t addr = 0, bytes = 0, wrap = 0;
};

struct pixel_job {
    std::uint64_t compute_ps = 0; ///< total compute time of the job
    std::uint32_t rows = 1;       ///< steps the job is cut into
    std::vector<pixel_span> reads, writes;
    std::uint32_t op = 0; ///< ledger operator charged with its traffic
};

struct pixel_engine_params {
    std::uint64_t period_ps = 2000; ///< the engine's clock
    std::uint32_t bytes_per_cycle = 32;
    std::uint32_t outstanding = 8;
    std::uint32_t transaction_bytes = 4096;
    std::uint64_t quantum_ps = 4000; ///< temporal-decoupling quantum (the chip's sim.quantum)
};

class pixel_engine : public sim::block {
public:
    tlm_utils::simple_initiator_socket<pixel_engine> isock;

    struct stats {
        std::uint64_t jobs = 0;
        std::uint64_t busy_ps = 0;    ///< Σ job durations
        std::uint64_t compute_ps = 0; ///< Σ compute time of the jobs
        std::uint64_t bytes_read = 0, bytes_written = 0;
        std::uint64_t transactions = 0;
        std::uint64_t memory_bound_jobs = 0; ///< jobs that took longer than their compute
    };

    pixel_engine(const sc_core::sc_module_name &name, const sim::clock_domain &clk,
                 const pixel_engine_params &p, op_ledger &ledger);
    ~pixel_engine() override;

    /// Runs one job from now to its completion (its last write acknowledged); call from a
    /// thread. Returns the job's duration in ps.
    std::uint64_t run(const pixel_job &j);
    const stats &stat() const { return m_stats; }
    /// Its timeline track (when the ledger has a recorder).
    void set_track(std::uint32_t t) { m_track = t; }

private:
    /// Sends `len` bytes at `addr` no earlier than `at` (ps); returns the completion.
    std::uint64_t send(std::uint64_t at, std::uint64_t addr, std::uint64_t len, bool write);
    /// Issues step `r` of `spans` (their r-th of `rows` shares) from `at`; returns the last
    /// completion (or `at` when nothing was sent).
    std::uint64_t issue_step(const std::vector<pixel_span> &spans, std::uint32_t r,
                             std::uint32_t rows, std::uint64_t at, bool write);

    pixel_engine_params m_p;
    op_ledger &m_ledger;
    stats m_stats;
    tlm::tlm_generic_payload m_pl;
    txn_ext *m_ext;
    unsigned char m_dummy = 0;
    std::vector<std::uint64_t> m_inflight;
    std::uint64_t m_n = 0;      ///< transactions sent (window slot index)
    std::uint64_t m_issue = 0;  ///< the port is free from here (ps)
    sim::decoupled_time m_time; ///< this engine's time and the kernel's
    std::uint32_t m_track = 0;
};

} // namespace arch
