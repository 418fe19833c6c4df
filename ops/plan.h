#pragma once
// Decisions of compiler passes 3-4 (core shares, residency, tiling, addresses) that the emitter
// turns into commands. Not part of the public interface.

#include "ops/chip.h"
#include "ops/lowered_op.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ops {

/// The part of an op's output one core computes: rows [r0, r1) x op channels [q0, q1).
struct core_share {
    std::int64_t r0 = 0, r1 = 0, q0 = 0, q1 = 0;
    bool empty() const { return r1 <= r0 || q1 <= q0; }
};

/// Balanced split of [0, n) over `parts`, chunks multiples of `granule` (the last may be short);
/// the first cores get the extra granules.
std::vector<std::pair<std::int64_t, std::int64_t>> split_range(std::int64_t n, std::uint32_t parts,
                                                               std::int64_t granule);
std::vector<core_share> core_shares(const lowered_op &op, std::uint32_t cores);

/// Input rows [a, b) operand k of `op` needs for output rows [y0, y1) (clipped to the tensor).
std::pair<std::int64_t, std::int64_t> input_rows(const lowered_op &op, std::size_t k,
                                                 std::int64_t y0, std::int64_t y1);

/// Where tensors live (pass 4).
struct residency_plan {
    std::vector<bool> resident; ///< per root tensor: kept in the scratchpads
    /// Per root tensor that could be kept but was not: why it goes to DRAM (report text).
    std::vector<std::string> spill_reason;
    std::vector<std::uint64_t> sram_addr; ///< resident: slot base (same on every core)
    std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> own_rows; ///< per core
    std::vector<std::uint64_t> dram_addr;       ///< per root tensor stored in DRAM
    std::vector<std::uint64_t> resident_extent; ///< per op: bytes at the top of each scratchpad
                                                ///< used by resident tensors live during it
    std::vector<std::vector<std::int64_t>> halo_rows; ///< per op, per operand: rows a core reads
                                                      ///< from peers (resident operands)
    std::vector<std::uint64_t> slot_bytes;            ///< per root tensor: resident slot size
    std::vector<std::vector<int>> uses; ///< per root tensor: producer and reader ops, sorted
    std::uint64_t dram_end = 0;
    /// Kept tensors whose slot is live at op j (producer <= j <= last reader).
    std::vector<int> live_at(int j) const;
};

/// The loop order of an op's tiles on a core: which operand stays in the scratchpad across the
/// inner loop. `weights_outer`: channel blocks outer, row blocks (then K blocks) inner — a weight
/// block is loaded once and the inputs are re-read per channel block (unless there is a single
/// row block). `inputs_outer`: row blocks outer, channel blocks inner — an input row block is
/// loaded once and the weights are re-read per row block.
enum class loop_order : std::uint8_t { weights_outer, inputs_outer };

/// The compiler's estimate of one op on its busiest core (cycles), for the mapper's ranking and
/// the report's estimated-vs-simulated comparison.
struct op_estimate {
    std::uint64_t cycles = 0;      ///< max(startup + max(array, vector), dma)
    std::uint64_t array = 0;       ///< MAC-array cycles of the tile sequence (ops/mac_cost.h)
    std::uint64_t vector = 0;      ///< vector-unit cycles (main function and epilogues)
    std::uint64_t dma = 0;         ///< DRAM bytes of the core over its share of the bandwidth
    std::uint64_t startup = 0;     ///< first tile's operand bytes over that bandwidth
    std::uint64_t stream_rows = 0; ///< rows a full tile streams through the array per fold
    std::uint64_t load_bytes = 0;  ///< DRAM bytes the busiest core loads (inputs, weights)
};

/// Tiling of one op (pass 3), the same on every core.
struct tile_choice {
    std::int64_t rows = 1, oc = 1; ///< output rows x output channels per tile
    std::int64_t oc_blocks = 1;    ///< channel blocks on the busiest core
    std::int64_t kc = 0;           ///< input channels per K block (== op.cin: K not split)
    std::int64_t k_blocks = 1;     ///< K blocks per output tile (> 1: partial sums accumulate)
    std::vector<std::uint64_t> in_bytes;      ///< per operand: one tile buffer (0: read in place)
    std::vector<std::uint64_t> in_runs;       ///< per operand: contiguous DRAM runs of one tile
    std::uint64_t w_runs = 0;                 ///< contiguous DRAM runs of one weight block
    std::uint64_t w_bytes = 0, out_bytes = 0; ///< out: accumulator-wide when k_blocks > 1
    std::uint64_t scratch_bytes = 0;          ///< fused attention: one tile's scores (x2 buffers)
    std::uint64_t footprint = 0;              ///< 2·Σin + 2·out + (1|2)·w + resident extent
    loop_order order = loop_order::weights_outer;
    std::int64_t max_rows = 0; ///< tallest row tile that fits with this oc and kc (try_tiling)
    /// K split with the tile's partial sums held in the array's accumulator SRAM
    /// (rows·W·oc·accumulator_bytes <= mac_array.accumulator_kib): K blocks chain in the array
    /// with no write-back; otherwise they accumulate in an accumulator-wide scratchpad buffer.
    bool acc_in_array = false;
    std::uint64_t traffic = 0; ///< DRAM bytes the busiest core loads (inputs and weights)
    op_estimate est;           ///< filled by try_tiling
    bool k_split() const { return k_blocks > 1; }
    bool weights_once() const { return oc_blocks == 1 && k_blocks == 1; }
};

/// Inputs of the footprint formula that do not depend on the tile size.
struct tile_env {
    std::uint64_t scratchpad = 0;
    std::uint64_t cols = 1;
    std::uint64_t array_rows = 1;        ///< K blocks hold at least this many reduction elements
    std::uint64_t accumulator_bytes = 4; ///< bytes of one partial sum (K-split output buffer)
    std::int64_t rows_core = 1, oc_core = 1; ///< the busiest core's share
    std::vector<bool> in_resident;           ///< per operand
    std::vector<std::int64_t> halo_rows;     ///< per operand (resident ones)
    bool out_resident = false;
    std::uint64_t resident_extent = 0;
    const chip_desc *chip = nullptr; ///< array, vector unit and bandwidths for the estimate
    std::uint32_t cores_used = 1;    ///< cores that share DRAM during the op
    /// Operand k is kept on chip (not loaded per tile).
    bool resident(std::size_t k) const { return k < in_resident.size() && in_resident[k]; }
};

/// The MAC-array GEMMs of one tile of `rows` output rows x `oc` channels x `kcur` reduction
/// channels (op.cin unless K is split): two for a fused attention (Q·Kᵀ, P·V), else one.
/// Convolutions follow mac_array.conv_lowering (im2col: k = C·kh·kw; per_tap: k = C, taps).
struct tile_gemm_set {
    gemm_tile g[2];
    int n = 0;
};
tile_gemm_set tile_gemms(const lowered_op &op, const mac_array_params &p, std::uint64_t rows,
                         std::uint64_t oc, std::uint64_t kcur);

/// Footprint of a (rows, oc, kc) tile: 2·(Σ input tiles incl. halo + output tile + scores of a
/// fused attention) + weight buffers (one when the core's weights fit a single block, else two)
/// + resident extent.
/// kc < op.cin splits K: all-channel inputs and the weight matrix hold kc input channels and the
/// output buffer holds accumulator-wide partial sums. kc <= 0 means op.cin.
tile_choice tile_footprint(const lowered_op &op, const tile_env &env, std::int64_t rows,
                           std::int64_t oc, std::int64_t kc = 0);
/// The same, written over `t` (its per-operand vectors keep their capacity): the mapper's
/// search calls it thousands of times per network.
void tile_footprint_into(tile_choice &t, const lowered_op &op, const tile_env &env,
                         std::int64_t rows, std::int64_t oc, std::int64_t kc = 0);
/// Operand k of `op` is read by a strided 1×1 convolution (ResNet's downsample): only every
/// sh-th row of its tile's input rows is used, and a channel-major operand is then loaded one
/// needed row at a time (each row's runs over the channels) instead of the whole row range.
bool skips_rows(const lowered_op &op, std::size_t k);
/// Input channels per K block granule: enough for `env.array_rows` reduction elements, or 0 if
/// the op's K cannot be split (not a dense GEMM on the MAC array, or K fits one granule).
/// With `whole_bursts` (and a chip), a K block of an [N, K] weight matrix also holds at least
/// one DMA burst per output channel.
std::int64_t k_granule(const lowered_op &op, const tile_env &env, bool whole_bursts = true);
/// Operand k of a tiling with `row_blocks` row blocks per core is loaded once and reused by
/// every channel block: an all-channel operand, K not split, one row block.
bool input_reused(const lowered_op &op, std::size_t k, const tile_choice &t,
                  std::uint64_t row_blocks);
/// Estimated cycles of `op` tiled as `t` on its busiest core (env.chip must be set).
op_estimate estimate(const lowered_op &op, const tile_env &env, const tile_choice &t);
/// The tiling that fits with the least estimated time (MAC-array ops; then the least DRAM
/// traffic) or the least traffic (other ops), preferring an unsplit K; nullopt if none fits.
std::optional<tile_choice> try_tiling(const lowered_op &op, const tile_env &env);
/// try_tiling, or throws sim::input_error(source, path, ...) naming the smallest tile's bytes.
tile_choice choose_tiling(const lowered_op &op, const tile_env &env, const std::string &source,
                          const std::string &path);

/// Byte addresses of one op's tile buffers in each core's scratchpad (same on every core).
struct buffer_layout {
    std::vector<std::uint64_t> in[2]; ///< per operand, ping/pong
    std::uint64_t w[2] = {0, 0}, out[2] = {0, 0};
    std::uint64_t scratch[2] = {0, 0}; ///< fused attention scores, ping/pong
    std::uint64_t end = 0;             ///< first byte above the buffers
    bool bank_aligned = false;
};
buffer_layout layout_buffers(const tile_choice &t, const scratchpad_params &sp,
                             std::uint64_t resident_extent);

} // namespace ops
