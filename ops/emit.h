#pragma once
// Pass 5: per core, per op, per tile: load / compute / (epilogue) / store commands, barriers
// between ops, and dependencies derived from the scratchpad ranges each command touches.

#include "ops/chip.h"
#include "ops/command.h"
#include "ops/lower.h"
#include "ops/plan.h"
#include "workloads/graph.h"

#include <cstdint>
#include <map>
#include <vector>

namespace ops {

/// Dependencies from scratchpad hazards: a command reading a range waits for its last writer
/// (RAW); a command writing a range waits for every earlier reader and writer (WAR, WAW). With
/// ping/pong buffers this yields exactly the double-buffering pattern: load i+2 waits for
/// compute i, compute i waits for its loads and for store i-2, store i waits for compute i.
/// The MAC array is in order: it reads a tile's operands when it issues it and writes its
/// results when they leave the array, in issue order, so a MAC tile needs no WAR or WAW
/// dependency on an earlier MAC tile (only RAW: a K block reading the previous partial sums).
/// Without that rule, a kept output tracked as one strided span would make every tile wait for
/// the previous tile's skew and the array could never stream tiles back to back.
class hazard_tracker {
public:
    void add_deps(const std::vector<sram_range> &reads, const std::vector<sram_range> &writes,
                  std::vector<std::uint32_t> &deps, bool mac = false) const;
    void record(std::uint32_t cmd, const std::vector<sram_range> &reads,
                const std::vector<sram_range> &writes, bool mac = false);
    /// Forget commands before `cmd` (all ordered before a barrier every later command waits on).
    void forget_before(std::uint32_t cmd);

private:
    struct rec {
        sram_range range;
        std::uint32_t cmd;
        bool write;
        bool mac; ///< recorded by a MAC-array compute
    };
    std::vector<rec> m_recs;
};

/// Which DMA engines carry a core's loads and stores (docs/compiler.md §5). One engine carries
/// both. With E >= 2 engines, loads use engines [0, L) and stores [L, E), L = ceil(E / 2): two
/// engines are one load and one store engine; each doubling of E doubles both groups.
struct dma_engine_groups {
    std::uint32_t load_first = 0, loads = 1;   ///< first engine and count of the load group
    std::uint32_t store_first = 0, stores = 1; ///< first engine and count of the store group
};
dma_engine_groups dma_groups(std::uint32_t engines);

/// One piece of a striped transfer: its far region, its scratchpad range and its engine.
struct dma_stripe {
    region far;
    sram_range local;
    std::uint32_t engine = 0;
};

/// Cuts a transfer (far region -> packed scratchpad range `local`) into pieces for engines
/// first_engine, first_engine + 1, ... (at most `engines`): a 2-D region deals its rows round
/// robin (row k to engine k mod n); a single row with both ends burst-aligned deals its bursts
/// round robin (each engine's share is a 2-D region of one burst per row, n bursts apart); an
/// unaligned single row is cut into n contiguous runs of whole bursts. The engines thus walk
/// the same DRAM rows together, no piece crosses a cut the DMA would not make (bytes and bursts
/// are unchanged), a one-burst transfer stays whole, and the pieces' scratchpad ranges are
/// disjoint, packed in piece order. With `rotation`, a transfer of fewer pieces than engines
/// (a bias, a short row) starts on engine first_engine + *rotation and advances it, so such
/// transfers take turns instead of all landing on the group's first engines: an engine runs one
/// command at a time to its last burst's completion, and on DeiT-Tiny (reference chip) the
/// 32-byte bias loads alone made 4 engines 7.9 % slower than 2.
std::vector<dma_stripe> stripe_transfer(const region &far, const sram_range &local,
                                        std::uint32_t first_engine, std::uint32_t engines,
                                        std::uint32_t burst_bytes,
                                        std::uint32_t *rotation = nullptr);

class emitter {
public:
    emitter(const workloads::graph &g, const lowering &low, const residency_plan &res,
            const chip_desc &chip, program &prog);
    /// Emits op j on every core and returns its row of the report (without tiling text).
    void emit_op(std::size_t j, const tile_choice &t, const buffer_layout &b, op_info &info);

private:
    struct core_state {
        hazard_tracker hz;
        /// First command since the last barrier (incl. the prefetch before it): the next
        /// barrier waits for the sinks from here on.
        std::uint32_t op_start = 0;
        int last_barrier = -1;
        /// Stores to DRAM since the last barrier, per tensor (command, far range): a later
        /// load of an overlapping range on this core waits for them (RAW through DRAM, which
        /// the barrier ordered when there was one before every operator).
        std::map<int, std::vector<std::pair<std::uint32_t, sram_range>>> stores;
        /// Rotation of stripe_transfer for transfers with fewer pieces than their engine group,
        /// loads [0] and stores [1].
        std::uint32_t next_engine[2] = {0, 0};
    };
    const workloads::graph &m_g;
    const lowering &m_low;
    const residency_plan &m_res;
    const chip_desc &m_chip;
    program &m_prog;
    std::vector<core_state> m_cores;
    std::vector<std::vector<std::size_t>> m_writers; ///< per tensor: ops that wrote it
    std::size_t m_sync_op = 0; ///< ops before this one completed at the last barrier
    bool m_prev_cross = false; ///< the previous op read data another core wrote

    /// Some core of op j reads bytes that another core wrote since the last barrier (a
    /// conservative test on the row and channel ranges of the cores' shares).
    bool reads_across_cores(std::size_t j) const;

    std::uint32_t push(std::uint32_t core, command c, const std::vector<sram_range> &reads,
                       const std::vector<sram_range> &writes, int barrier);
    /// Pushes a load or store striped over its engine group; returns the commands pushed.
    std::uint32_t push_transfer(std::uint32_t core, const command &c, int barrier);
};

} // namespace ops
