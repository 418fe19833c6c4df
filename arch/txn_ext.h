#pragma once
// The TLM extension every DMA burst carries: the operator it is charged to and where its far
// side lives (DRAM, or the scratchpad of a peer core). The interconnect routes on `space`
// (not on the address), so DRAM and each core's scratchpad keep their own address spaces.

#include "ops/command.h"

#include <tlm>

#include <cstdint>

namespace arch {

struct txn_ext : tlm::tlm_extension<txn_ext> {
    std::uint32_t op = 0;                        ///< operator id (statistics)
    ops::mem_space space = ops::mem_space::dram; ///< target address space
    std::uint32_t peer_core = 0;                 ///< target core when space == peer_sram
    /// Kernel time (ps) of the call, set by the initiator before each b_transport (the call is
    /// blocking, so it holds throughout): targets read it instead of asking the kernel again.
    /// ~0 = not set.
    std::uint64_t now_ps = ~std::uint64_t(0);
    /// A burst group (docs/timing-model.md, "Burst groups"): `bursts` > 0 says the transaction
    /// carries that many bursts of one command, sent in one call: burst i is `len[i]` bytes at
    /// `addr[i]` (the bursts need not be contiguous: a group may span rows of a 2-D region);
    /// t_ps[i] is its arrival at the target (absolute ps) on the way in, and its completion on
    /// the way back. 0 = one request whose bytes arrive together.
    static constexpr std::uint32_t max_bursts = 64;
    std::uint32_t bursts = 0;
    std::uint64_t t_ps[max_bursts] = {};
    std::uint64_t addr[max_bursts] = {};
    std::uint32_t len[max_bursts] = {};
    /// The kernel time of this transaction: now_ps when the initiator set it.
    static std::uint64_t now_of(const txn_ext *e, std::uint64_t (*kernel_now)()) {
        return e && e->now_ps != ~std::uint64_t(0) ? e->now_ps : kernel_now();
    }

    tlm::tlm_extension_base *clone() const override { return new txn_ext(*this); }
    void copy_from(const tlm::tlm_extension_base &e) override {
        *this = static_cast<const txn_ext &>(e);
    }
};

} // namespace arch
