#pragma once
// Division by a divisor fixed at construction (a bank size, a channel count, a burst length),
// on the simulator's per-transaction paths. Every such divisor of the bundled chips is a power
// of two, so it becomes a shift and a mask; any other divisor falls back to the hardware divide.
// A 64-bit divide costs tens of cycles on common x86 cores, and the DRAM, DMA and SRAM paths
// do several per burst: replacing them cut the simulation of MobileNeXt by about a tenth
// (README, Speed). The results are exact in both cases.

#include <cstdint>

namespace sim {

class fastdiv {
public:
    fastdiv() = default;
    explicit fastdiv(std::uint64_t d) : m_d(d ? d : 1) {
        if ((m_d & (m_d - 1)) == 0)
            while ((std::uint64_t(1) << m_shift) != m_d)
                ++m_shift;
        else
            m_shift = -1;
    }
    std::uint64_t value() const { return m_d; }
    std::uint64_t div(std::uint64_t x) const { return m_shift >= 0 ? x >> m_shift : x / m_d; }
    std::uint64_t mod(std::uint64_t x) const { return m_shift >= 0 ? x & (m_d - 1) : x % m_d; }
    /// ceil(x / d)
    std::uint64_t div_up(std::uint64_t x) const { return x == 0 ? 0 : div(x - 1) + 1; }

private:
    std::uint64_t m_d = 1;
    int m_shift = 0;
};

} // namespace sim
