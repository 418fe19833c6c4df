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

    tlm::tlm_extension_base *clone() const override { return new txn_ext(*this); }
    void copy_from(const tlm::tlm_extension_base &e) override {
        *this = static_cast<const txn_ext &>(e);
    }
};

} // namespace arch
