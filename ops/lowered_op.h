#pragma once
// The compiler's internal form of one operator after lowering and fusion (ops/compiler.h passes
// 1-3): every operator is described as "produce an output tile of rows [y0,y1) x channels
// [o0,o1) from operand tiles", so one tiler and one emitter serve convolutions, GEMMs, pooling,
// element-wise and data-movement operators. Not part of the public interface.

#include "ops/command.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ops {

/// How an operand's channels relate to the op's output channels.
enum class chan_mode : std::uint8_t {
    all,   ///< every input channel feeds every output channel (dense/pointwise conv, fc, matmul)
    same,  ///< output channel o reads input channel o - lo + off, for o in [lo, hi)
    group, ///< grouped conv: output channel o reads the input channels of its group
};

/// Where a tensor's elements live: C x H x W, either CHW (vision) or HWC ([M, K] matrices).
struct tensor_view {
    int tensor = -1; ///< graph tensor index (the alias root: storage owner)
    std::int64_t c = 1, h = 1, w = 1;
    bool hwc = false; ///< row-major [H][W][C] instead of [C][H][W]
    std::int64_t elem_bytes = 1;
    std::int64_t row_bytes() const { return c * w * elem_bytes; } ///< one row, all channels
    std::int64_t bytes() const { return c * h * w * elem_bytes; }
};

/// An activation operand of a lowered op.
struct operand {
    tensor_view view;
    chan_mode mode = chan_mode::all;
    std::int64_t lo = 0, hi = 0; ///< chan_mode::same: op channels this operand covers
    std::int64_t off = 0;        ///< chan_mode::same: tensor channel of op channel `lo`
    bool spatial = true;         ///< rows map through the op's kernel/stride/pad (else row 0 only:
                                 ///< a broadcast [C,1,1] operand)
    /// Rows map one to one, ignoring the op's kernel: output row y reads operand row
    /// (y - row_off) * row_step (clipped to the tensor; concat/slice over tokens, per-token
    /// kernels of the dynamic convolution, embedding gathers).
    bool identity_rows = false;
    std::int64_t row_off = 0;
    std::int64_t row_step = 1; ///< identity rows: 0 = every row reads row 0; >1 = a gather
    std::int64_t groups = 0;   ///< chan_mode::group: group count of this operand (0: op.groups)
    /// rs_out > 0: a resampled operand (resize from rs_in to rs_out rows): output row y reads
    /// the rs_taps operand rows from floor(y·rs_in/rs_out) - rs_before on (nearest 1 tap, linear
    /// 2 from 0, cubic 4 from 1 before), clipped to the tensor, so output rows [y0,y1) read
    /// [floor(y0·rs_in/rs_out) - rs_before, floor((y1-1)·rs_in/rs_out) - rs_before + rs_taps):
    /// ceil((rows-1)·rs_in/rs_out) + rs_taps at most (the tile budget). Upsampling by a whole
    /// factor f in linear mode is [y0/f, (y1-1)/f + 2).
    std::int64_t rs_in = 0, rs_out = 0, rs_before = 0, rs_taps = 1;
    /// Transposed operand (transpose): output rows [y0,y1) x channels [o0,o1) read operand rows
    /// [o0,o1) x channels [y0,y1).
    bool transposed = false;
    /// Plain row mapping a kept (resident) producer can serve.
    bool plain_rows() const {
        return spatial && !transposed && row_step == 1 && row_off == 0 && rs_out == 0;
    }
};

/// A constant operand (weights, bias, PReLU slope), loaded per output-channel block.
struct weight_operand {
    int tensor = -1;
    std::int64_t bytes_per_oc = 0; ///< bytes per output channel
    bool k_major = false;          ///< [K, N] layout (matmul B): an oc block is K strided runs
    std::int64_t k = 1;            ///< rows of a k_major tensor
    std::int64_t n = 1;            ///< columns (= output channels) of a k_major tensor
    bool reduced = false;          ///< the weight matrix (indexed by K too): a K block loads
                                   ///< bytes_per_oc·kc/cin per channel; else (bias) K-invariant
    /// k_major: output channels [o0,o1) read columns [o0/oc_per_group·cols_per_group,
    /// ceil(o1/oc_per_group)·cols_per_group) of all k rows. 1/1 = plain [K, N]; for Q·Kᵀ with
    /// heads interleaved, oc_per_group = T (keys per head), cols_per_group = H.
    std::int64_t oc_per_group = 1, cols_per_group = 1;
};

enum class op_kind : std::uint8_t { conv, gemm, vector };

struct lowered_op {
    int graph_op = -1; ///< index of the graph op whose name the result carries
    std::string name, type;
    op_kind kind = op_kind::conv;
    unit_kind unit = unit_kind::mac_array;
    vec_fn fn = vec_fn::copy; ///< main function of a vector-unit op
    std::vector<operand> inputs;
    std::vector<weight_operand> weights;
    tensor_view out;            ///< output view (its tensor is the alias root)
    std::int64_t out_c_off = 0; ///< output channel of op channel 0 (in-place partial add)
    std::int64_t cout = 0, hout = 1, wout = 1; ///< op output geometry (channels it computes)
    std::int64_t kh = 1, kw = 1, sh = 1, sw = 1, pt = 0, pl = 0; ///< spatial map of inputs
    /// Dilation: the window's kh x kw taps are dh rows and dw columns apart (conv2d, pools).
    std::int64_t dh = 1, dw = 1;
    /// > 0: a transposed convolution of a tkh-row kernel, run in its stride-phase form
    /// (docs/compiler.md): output row y reads the input rows i with i·sh + t·dh - pt = y for a
    /// tap t < tkh; kh x kw are then the taps of the largest phase (what one output costs).
    std::int64_t tkh = 0;
    /// Input rows one output row's window spans (the dilated extent).
    std::int64_t window_rows() const { return ((tkh > 0 ? tkh : kh) - 1) * dh + 1; }
    std::int64_t cin = 0;        ///< reduction channels per output (conv: Cin/groups; gemm: K)
    std::int64_t groups = 1;     ///< grouped conv: output channels per group = cout/groups
    std::int64_t oc_granule = 1; ///< output-channel tiles are multiples of this
    // Epilogue, done by the vector unit after each compute tile.
    bool epi_act = false; ///< a fused sigmoid/PReLU costs a vector pass
    vec_fn epi_fn = vec_fn::relu;
    int shortcut = -1; ///< index into inputs of the fused residual operand, or -1
    vec_fn res_fn = vec_fn::add;
    std::int64_t res_lo = 0, res_hi = 0;   ///< op channels the residual combines
    std::int64_t copy_lo = 0, copy_hi = 0; ///< vector add/mul: op channels passed through by copy
    bool split_rows = true;                ///< cores split output rows (else output channels)
    /// With split_rows false: > 1 = a grid of row_groups x (cores / row_groups) cores, rows
    /// split over the row groups and channels over the cores of a group (chosen by the mapper's
    /// estimate, compiler.cpp); 1 = channels alone.
    std::uint32_t row_groups = 1;
    bool no_ksplit = false; ///< K may not be split (activation B of a batched matmul)
    /// Fused attention (compiler.attention = fused): per tile, S = Q·Kᵀ (gemm k = head_size,
    /// n = keys) into a scratch buffer, softmax over it, then S·V (k = keys, n = head_size).
    /// weights = {K, V}; output channel o belongs to head o / head_size.
    bool fused_attention = false;
    std::int64_t keys = 0, head_size = 0;
    std::vector<std::string> fused;
    std::uint64_t macs = 0; ///< graph MACs
    std::string shapes;
};

} // namespace ops
