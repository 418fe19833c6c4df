#include "ops/lower.h"

#include "sim/errors.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace ops {

namespace {

std::string dims(const std::vector<std::int64_t> &s) {
    std::string r;
    for (std::size_t i = 0; i < s.size(); ++i)
        r += (i ? "x" : "") + std::to_string(s[i]);
    return r.empty() ? "1" : r;
}

class lowerer {
public:
    lowerer(const workloads::graph &g, const chip_desc &chip, const std::string &source)
        : m_g(g), m_chip(chip), m_source(source) {
        m_out.root.resize(g.tensors.size());
        m_out.reshaped.assign(g.tensors.size(), false);
        for (std::size_t t = 0; t < g.tensors.size(); ++t)
            m_out.root[t] = int(t);
        m_consumers.assign(g.tensors.size(), 0);
        m_is_output.assign(g.tensors.size(), false);
        m_producer.assign(g.tensors.size(), -1);
        m_b_only.assign(g.tensors.size(), true);
        for (const auto &o : g.ops)
            for (std::size_t k = 0; k < o.inputs.size(); ++k) {
                const int t = o.inputs[k];
                check_tensor(t), ++m_consumers[t];
                if (k != 1 || (o.type != "add" && o.type != "mul") || general_broadcast(o))
                    m_b_only[t] = false;
            }
        for (int t : g.outputs)
            check_tensor(t), m_is_output[t] = true;
    }

    lowering run() {
        for (std::size_t i = 0; i < m_g.ops.size(); ++i)
            lower_op(int(i));
        return std::move(m_out);
    }

private:
    const workloads::graph &m_g;
    const chip_desc &m_chip;
    const std::string &m_source;
    lowering m_out;
    std::vector<int> m_consumers;  // graph ops reading each tensor
    std::vector<bool> m_is_output; // network outputs
    std::vector<int> m_producer;   // lowered op producing each tensor (-1: none)
    std::vector<bool> m_b_only;    // read only as input b of add/mul ops
    std::map<int, std::pair<int, std::int64_t>> m_slice; // elided channel slice: (source, begin)
    int m_cur = 0;

    /// An add/mul in a broadcast form beyond the three of the first lowering (b of a's shape, a
    /// scalar, [C,1,1] over [C,H,W], [1,D] over [T,D], which keep their code path): the output
    /// is not a's shape, or b broadcasts along other axes ([1,H,W], [T,1], [C,1,W], ...).
    bool general_broadcast(const workloads::op &o) const {
        if (o.inputs.size() != 2 || o.outputs.size() != 1 || o.attrs.count("channel_begin") ||
            o.attrs.count("channel_end"))
            return false;
        const auto &a = m_g.tensors[o.inputs[0]].shape, &b = m_g.tensors[o.inputs[1]].shape,
                   &y = m_g.tensors[o.outputs[0]].shape;
        if (a != y)
            return true;
        if (b == a || std::all_of(b.begin(), b.end(), [](std::int64_t e) { return e == 1; }))
            return false;
        if (b.size() == 3 && a.size() == 3 && b[0] == a[0] && b[1] == 1 && b[2] == 1)
            return false;
        if (b.size() == 2 && a.size() == 2 && b[0] == 1 && b[1] == a[1])
            return false;
        return true;
    }

    void check_tensor(int t) const {
        if (t < 0 || t >= int(m_g.tensors.size()))
            throw sim::input_error(m_source, "ops",
                                   "tensor index " + std::to_string(t) + " out of range");
    }
    [[noreturn]] void fail(const std::string &what) const {
        const auto &o = m_g.ops[m_cur];
        throw sim::input_error(m_source, "ops[" + std::to_string(m_cur) + "]",
                               "operator \"" + o.name + "\" of type \"" + o.type + "\": " + what);
    }
    const workloads::tensor &tin(int k) const {
        const auto &o = m_g.ops[m_cur];
        if (k >= int(o.inputs.size()))
            fail("expected at least " + std::to_string(k + 1) + " inputs");
        return m_g.tensors[o.inputs[k]];
    }
    const workloads::tensor &tout() const {
        const auto &o = m_g.ops[m_cur];
        if (o.outputs.size() != 1)
            fail("expected exactly one output");
        return m_g.tensors[o.outputs[0]];
    }

    /// View of a tensor: rank 3 = CHW, rank 2 [M, K] = HWC with H = M, rank 1 [N] = N x 1 x 1.
    tensor_view view(int t) const {
        const auto &x = m_g.tensors[t];
        tensor_view v;
        v.tensor = m_out.root[t];
        v.elem_bytes = workloads::dtype_bytes(x.type);
        if (x.shape.size() == 3)
            v.c = x.shape[0], v.h = x.shape[1], v.w = x.shape[2];
        else if (x.shape.size() == 2)
            v.c = x.shape[1], v.h = x.shape[0], v.hwc = true;
        else if (x.shape.size() == 1)
            v.c = x.shape[0];
        else
            fail("tensor \"" + x.name + "\" has rank " + std::to_string(x.shape.size()) +
                 ", expected 1 (N), 2 (M x K) or 3 (C x H x W)");
        if (v.c <= 0 || v.h <= 0 || v.w <= 0)
            fail("tensor \"" + x.name + "\" has an empty shape");
        return v;
    }
    tensor_view view3(int t) const {
        if (m_g.tensors[t].shape.size() != 3)
            fail("tensor \"" + m_g.tensors[t].name + "\" must be C x H x W");
        return view(t);
    }

    operand same_operand(int t, std::int64_t lo, std::int64_t hi, std::int64_t off) const {
        operand a;
        a.view = view(t);
        a.mode = chan_mode::same;
        a.lo = lo, a.hi = hi, a.off = off;
        return a;
    }

    lowered_op base(unit_kind u, op_kind k) const {
        const auto &o = m_g.ops[m_cur];
        lowered_op l;
        l.graph_op = m_cur;
        l.name = o.name;
        l.type = o.type;
        l.unit = u;
        l.kind = k;
        l.macs = std::uint64_t(m_g.op_macs(o));
        std::string in;
        for (int t : o.inputs)
            if (!m_g.tensors[t].constant)
                in += (in.empty() ? "" : ", ") + dims(m_g.tensors[t].shape);
        l.shapes = in + " -> " + (o.outputs.empty() ? "?" : dims(m_g.tensors[o.outputs[0]].shape));
        return l;
    }

    void set_output(lowered_op &l, int t) {
        l.out = view(t);
        if (!l.cout)
            l.cout = l.out.c;
        l.hout = l.out.h;
        l.wout = l.out.w;
    }

    /// Output rows split across cores unless the op has too few rows (or is a GEMM with a short
    /// M, or a global pool): then output channels. `auto` decides per op (auto_rows).
    void place(lowered_op &l, bool has_rows) {
        const bool can = has_rows && l.hout >= std::int64_t(m_chip.cores);
        const auto policy = m_chip.compiler.split;
        // A vector op's channel tiles are whole granules (a softmax group, a layernorm row):
        // with fewer granules than cores a channel split would idle cores, so rows it is.
        // (MAC ops keep the policy: their weights may only fit when split by channels.)
        const std::int64_t gran = std::max<std::int64_t>(1, l.oc_granule);
        const bool few_granules =
            l.kind == op_kind::vector && (l.cout + gran - 1) / gran < std::int64_t(m_chip.cores);
        l.split_rows = can && (policy == core_split::rows || few_granules ||
                               (policy == core_split::automatic && auto_rows(l)));
    }

    /// core_split = auto, for an op that can split rows. An op without an all-channel (or
    /// grouped) operand and weights -- depthwise, pooling, element-wise, copies -- follows the
    /// producer of its first input, so a kept input stays kept. Otherwise the cheaper of two
    /// estimates of DRAM + peer bytes (docs/compiler.md §3), ties to rows:
    ///   rows     = cores·W + halo + (input on chip ? 0 : I)
    ///   channels = W + cores'·I + (input on chip ? I : 0) + 2·O
    /// W weight bytes, I input bytes, O output bytes, halo = (cores−1)·max(0, ekh−sh) input rows
    /// (ekh the dilated extent (kh−1)·dh+1; a transposed conv: ceil((kh−1)·dh/sh)),
    /// cores' = cores holding channels. "On chip" = the producer splits rows and keep_on_chip.
    /// With a multicast buffer, cores·W and cores'·I count once (W and I).
    bool auto_rows(const lowered_op &l) const {
        const auto &o = m_g.ops[m_cur];
        const int p = o.inputs.empty() ? -1 : m_producer[o.inputs[0]];
        const bool prod_rows = p < 0 || m_out.ops[std::size_t(p)].split_rows;
        if (l.weights.empty() || l.inputs.empty() || l.inputs[0].mode == chan_mode::same)
            return prod_rows;
        const auto cores = std::int64_t(m_chip.cores);
        const bool on_chip = p >= 0 && prod_rows && m_chip.compiler.keep_on_chip;
        std::int64_t w = 0;
        for (const auto &wo : l.weights)
            w += wo.bytes_per_oc * l.cout;
        const auto &in = l.inputs[0].view;
        const std::int64_t i = in.bytes(), out = l.cout * l.hout * l.wout * l.out.elem_bytes;
        // Input rows two neighbouring cores both read: the window's extent beyond the stride
        // (a transposed conv: the taps of one input row span (tkh-1)·dh output rows, so
        // ceil((tkh-1)·dh / sh) input rows).
        const std::int64_t shared = l.tkh > 0 ? ((l.tkh - 1) * l.dh + l.sh - 1) / l.sh
                                              : std::max<std::int64_t>(0, l.window_rows() - l.sh);
        const std::int64_t halo = (cores - 1) * shared * in.row_bytes();
        const std::int64_t gran = std::max<std::int64_t>(1, l.oc_granule);
        const std::int64_t ch_cores = std::min(cores, (l.cout + gran - 1) / gran);
        // With a multicast buffer (interconnect.multicast_kib) the weights of a row split and the
        // input of a channel split cross DRAM once for all cores. Counted so only where a row
        // split balances (at least 4 rows per core): on MobileNeXt's 7×7 and 14×14 maps the
        // bytes it saves cost more in imbalance and halos (measured: 4 cores, 64 KiB buffer,
        // 370,989 -> 393,272 cycles when counted there too).
        const bool mc = m_chip.interconnect.multicast_kib > 0 && l.hout >= 4 * cores;
        const std::int64_t rows = (mc ? 1 : cores) * w + halo + (on_chip ? 0 : i);
        const std::int64_t chans = w + (mc ? 1 : ch_cores) * i + (on_chip ? i : 0) + 2 * out;
        return rows <= chans;
    }

    void push(lowered_op l) {
        const int idx = int(m_out.ops.size());
        m_out.ops.push_back(std::move(l));
        m_producer[m_out.ops.back().out.tensor] = idx;
        for (int t : m_g.ops[m_cur].outputs)
            m_producer[t] = idx;
    }

    void weights_of(lowered_op &l, std::size_t first, std::int64_t oc) {
        const auto &o = m_g.ops[m_cur];
        for (std::size_t k = first; k < o.inputs.size(); ++k) {
            const auto &w = m_g.tensors[o.inputs[k]];
            weight_operand wo;
            wo.tensor = o.inputs[k];
            wo.bytes_per_oc = (w.bytes() + oc - 1) / oc;
            l.weights.push_back(wo);
        }
    }

    /// A tensor that only `this` graph op reads and that is not a network output can be
    /// fused away.
    bool private_tensor(int t) const { return m_consumers[t] == 1 && !m_is_output[t]; }

    void lower_op(int i) {
        m_cur = i;
        const auto &o = m_g.ops[i];
        for (int t : o.inputs)
            check_tensor(t);
        for (int t : o.outputs)
            check_tensor(t);
        const std::string &ty = o.type;
        // The timing and energy models are INT8's (MAC rates, pJ per MAC, vector costs per
        // element): an operator computing on another type is refused rather than silently run
        // at INT8 speed. The embedding's token ids are indices, not computed on.
        for (std::size_t k = 0; k < o.inputs.size() + o.outputs.size(); ++k) {
            const bool in = k < o.inputs.size();
            if (ty == "embedding" && in && k == 0)
                continue;
            const auto &x = m_g.tensors[in ? o.inputs[k] : o.outputs[k - o.inputs.size()]];
            if (x.type != workloads::dtype::int8)
                fail("tensor \"" + x.name + "\" is " + workloads::dtype_name(x.type) +
                     ": qcsim models INT8 compute only (MAC rates, energies and vector costs "
                     "are INT8's); quantise the trace to int8");
        }
        if (ty == "reshape" || ty == "flatten")
            return lower_alias();
        if (ty == "conv2d" || ty == "conv_transpose2d")
            return lower_conv();
        if (ty == "fc")
            return lower_fc();
        if (ty == "matmul")
            return lower_matmul();
        if (ty == "relu" || ty == "relu6" || ty == "sigmoid" || ty == "prelu")
            return lower_act();
        if (ty == "add" || ty == "mul")
            return lower_eltwise();
        if (ty == "maxpool" || ty == "avgpool" || ty == "global_avgpool")
            return lower_pool();
        if (ty == "concat" || ty == "slice")
            return lower_move();
        if (ty == "resize")
            return lower_resize();
        if (ty == "linear")
            return lower_linear();
        if (ty == "depthwise_conv1d")
            return lower_dwconv1d();
        if (ty == "unfold")
            return lower_unfold();
        if (ty == "dynamic_conv1d")
            return lower_dynconv();
        if (ty == "softmax" || ty == "layernorm")
            return lower_norm();
        if (ty == "gelu")
            return lower_act();
        if (ty == "embedding")
            return lower_embedding();
        if (ty == "transpose")
            return lower_permute();
        if (ty == "pad")
            return lower_pad();
        fail("this chip has no unit that runs it (supported: conv2d, fc, matmul, linear, "
             "depthwise_conv1d, unfold, dynamic_conv1d, softmax, layernorm, gelu, embedding, "
             "transpose, add, mul, relu, relu6, sigmoid, prelu, maxpool, avgpool, "
             "global_avgpool, resize, pad, concat, slice, reshape, flatten)");
    }

    /// Fused activation of a MAC-array producer: relu/relu6 are free in the output stage,
    /// sigmoid/PReLU/GELU cost a vector pass.
    void set_activation(lowered_op &l, const std::string &act) {
        if (act == "sigmoid" || act == "prelu" || act == "gelu") {
            l.epi_act = true;
            l.epi_fn = act == "sigmoid" ? vec_fn::sigmoid
                       : act == "prelu" ? vec_fn::prelu
                                        : vec_fn::gelu;
        } else if (act != "none" && act != "relu" && act != "relu6") {
            fail("unknown activation \"" + act + "\"");
        }
        m_act_of_next = act != "none";
    }

    /// Rank-2 token tensor [T, D] (rows = tokens).
    tensor_view view2(int t) const {
        if (m_g.tensors[t].shape.size() != 2)
            fail("tensor \"" + m_g.tensors[t].name + "\" must be [tokens, features]");
        return view(t);
    }

    /// linear: x [T,K] · w [N,K/g]ᵀ (+ b), grouped when g > 1 (group i of the output reads
    /// only group i of the input, ConvBERT's grouped FFN). A pointwise convolution over tokens.
    void lower_linear() {
        const auto &o = m_g.ops[m_cur];
        if (o.inputs.size() < 2 || !m_g.tensors[o.inputs[1]].constant)
            fail("linear needs a constant weight tensor as its second input");
        const auto vx = view2(o.inputs[0]);
        const std::int64_t groups = o.attr_int("groups", 1);
        lowered_op l = base(unit_kind::mac_array, op_kind::conv);
        l.type = groups > 1 ? "grouped_linear" : "linear";
        l.fn = vec_fn::mac;
        set_output(l, o.outputs[0]);
        if (groups < 1 || vx.c % groups || l.cout % groups)
            fail("groups must divide the input and output features");
        l.groups = groups;
        l.cin = vx.c / groups;
        operand in;
        in.view = vx;
        in.mode = groups == 1 ? chan_mode::all : chan_mode::group;
        in.hi = vx.c;
        l.inputs.push_back(in);
        l.oc_granule = groups > 1 ? l.cout / groups : 1;
        weights_of(l, 1, l.cout);
        if (groups == 1)
            l.weights[0].reduced = true;
        set_activation(l, o.attr_str("activation", "none"));
        emit(std::move(l), true);
    }

    /// Batched matmul over heads interleaved along the columns (docs/attention-ops.md):
    /// a [M, h·K] · b [K, h·N] (or b [N, h·K] with transpose_b) -> [M, h·N]. Lowered as a
    /// grouped GEMM (one group per head) whose B operand is an activation read from DRAM.
    void lower_batched_matmul(std::int64_t heads, bool tb) {
        const auto &o = m_g.ops[m_cur];
        const auto &a = tin(0);
        const auto &b = tin(1);
        const auto &y = tout();
        if (a.shape.size() != 2 || b.shape.size() != 2 || y.shape.size() != 2)
            fail("batched matmul needs rank-2 operands with the heads along the columns");
        if (heads < 1 || a.shape[1] % heads || b.shape[1] % heads || y.shape[1] % heads)
            fail("heads must divide the columns of a, b and the output");
        const std::int64_t K = a.shape[1] / heads;
        const std::int64_t N = y.shape[1] / heads;
        if ((tb ? b.shape[1] / heads : b.shape[0]) != K ||
            (tb ? b.shape[0] : b.shape[1] / heads) != N)
            fail("operand shapes do not agree with heads and transpose_b");
        if (tb && fuse_attention_from(heads, K, N))
            return; // Q·Kᵀ becomes part of the fused attention at its P·V
        if (!tb && m_attn.count(o.inputs[0]))
            return lower_fused_attention(m_attn.at(o.inputs[0]), heads, N);
        lowered_op l = base(unit_kind::mac_array, op_kind::conv);
        l.type = "batch_matmul";
        l.fn = vec_fn::mac;
        set_output(l, o.outputs[0]);
        l.groups = heads;
        l.cin = K;
        l.no_ksplit = true;
        l.oc_granule = N; // whole heads per tile
        operand in;
        in.view = view2(o.inputs[0]);
        in.mode = heads > 1 ? chan_mode::group : chan_mode::all;
        in.hi = in.view.c;
        l.inputs.push_back(in);
        weight_operand w;
        w.tensor = m_out.root[o.inputs[1]];
        const auto eb = workloads::dtype_bytes(b.type);
        w.k_major = true;
        w.k = b.shape[0]; // stored rows: K, or N (keys) when transposed
        w.n = b.shape[1];
        if (tb) {
            // Output channel h·N + j reads row j of b, columns [h·K, (h+1)·K).
            w.oc_per_group = N;
            w.cols_per_group = K;
            w.bytes_per_oc = K * eb;
        } else {
            w.bytes_per_oc = K * eb; // column o of b, all K rows
        }
        l.weights.push_back(w);
        emit_plain(std::move(l));
    }

    /// Depthwise conv1d over tokens: x [T,C], w [C,k]; the depthwise path of conv2d with the
    /// tokens as rows.
    void lower_dwconv1d() {
        const auto &o = m_g.ops[m_cur];
        if (o.inputs.size() < 2 || !m_g.tensors[o.inputs[1]].constant)
            fail("depthwise_conv1d needs a constant weight tensor as its second input");
        const auto vx = view2(o.inputs[0]);
        const bool vec = m_chip.compiler.depthwise == depthwise_policy::vector_unit;
        lowered_op l = base(vec ? unit_kind::vector_unit : unit_kind::mac_array, op_kind::conv);
        l.type = "depthwise_conv1d";
        l.fn = vec_fn::mac;
        l.kh = o.attr_int("kernel", 1);
        l.pt = o.attr_int("pad", (l.kh - 1) / 2);
        if (l.kh < 1 || l.pt < 0)
            fail("kernel must be >= 1 and pad >= 0");
        l.groups = vx.c;
        l.cin = 1;
        l.inputs.push_back(same_operand(o.inputs[0], 0, vx.c, 0));
        set_output(l, o.outputs[0]);
        weights_of(l, 1, l.cout);
        emit_plain(std::move(l));
    }

    // Unfolds elided into their dynamic convolution: unfolded tensor -> (x, k, pad).
    struct unfold_info {
        int x;
        std::int64_t k, pad;
    };
    std::map<int, unfold_info> m_unfold;

    /// unfold: x [T,C] -> [T, C·k], column c·k + j = x[t + j - pad][c]. Elided (read in place
    /// by the dynamic convolution) when that is its only reader and compiler.fuse_unfold.
    void lower_unfold() {
        const auto &o = m_g.ops[m_cur];
        const auto vx = view2(o.inputs[0]);
        const std::int64_t k = o.attr_int("kernel", 1), pad = o.attr_int("pad", (k - 1) / 2);
        if (k < 1 || pad < 0)
            fail("kernel must be >= 1 and pad >= 0");
        const int out = o.outputs[0];
        bool only_dynconv = private_tensor(out);
        for (auto [i, q] : readers_of(out))
            if (m_g.ops[i].type != "dynamic_conv1d" || q != 0)
                only_dynconv = false;
        if (m_chip.compiler.fuse_unfold && only_dynconv) {
            m_unfold[out] = {o.inputs[0], k, pad};
            return;
        }
        lowered_op l = base(unit_kind::vector_unit, op_kind::vector);
        l.fn = vec_fn::copy;
        l.kh = k;
        l.pt = pad;
        operand in;
        in.view = vx;
        in.mode = chan_mode::all; // an output tile of any columns reads whole token rows
        in.hi = vx.c;
        l.inputs.push_back(in);
        set_output(l, out);
        emit_plain(std::move(l));
    }

    /// ConvBERT's lightweight convolution with per-token kernels (vector unit, T·C·k MACs):
    /// y[t][c] = Σ_j x[t][c·k+j] · kern[t][head(c)·k+j].
    void lower_dynconv() {
        const auto &o = m_g.ops[m_cur];
        if (o.inputs.size() != 2)
            fail("expected inputs [x, kernels]");
        const std::int64_t k = o.attr_int("kernel", 1), heads = o.attr_int("heads", 1);
        lowered_op l = base(unit_kind::vector_unit, op_kind::conv);
        l.type = "dynamic_conv1d";
        l.fn = vec_fn::mac;
        set_output(l, o.outputs[0]);
        const std::int64_t C = l.cout;
        if (k < 1 || heads < 1 || C % heads)
            fail("kernel must be >= 1 and heads must divide the channels");
        l.kh = k;
        l.cin = 1;
        l.groups = C;
        if (auto it = m_unfold.find(o.inputs[0]); it != m_unfold.end()) {
            // Fused unfold: read x with a k-token halo, channel c for output channel c.
            l.pt = it->second.pad;
            l.inputs.push_back(same_operand(it->second.x, 0, C, 0));
            l.fused.push_back(m_g.ops[std::size_t(m_producer_graph(o.inputs[0]))].name);
            l.shapes = dims(m_g.tensors[it->second.x].shape) + ", " +
                       l.shapes.substr(l.shapes.find(", ") + 2);
        } else {
            operand x;
            x.view = view2(o.inputs[0]);
            if (x.view.c != C * k)
                fail("input x must be the unfolded [T, C·k] tensor");
            x.mode = chan_mode::group;
            x.groups = C; // output channel c reads columns [c·k, (c+1)·k)
            x.identity_rows = true;
            l.inputs.push_back(x);
        }
        operand kern;
        kern.view = view2(o.inputs[1]);
        if (kern.view.c != heads * k)
            fail("kernels must be [T, heads·k]");
        kern.mode = chan_mode::group;
        kern.groups = heads;
        kern.identity_rows = true;
        l.inputs.push_back(kern);
        emit_plain(std::move(l));
    }

    /// Graph op producing tensor t (for names of elided operators), or -1.
    int m_producer_graph(int t) const {
        for (std::size_t i = 0; i < m_g.ops.size(); ++i)
            for (int q : m_g.ops[i].outputs)
                if (q == t)
                    return int(i);
        return -1;
    }

    // Fused attention in progress: scores or probabilities tensor -> what the P·V needs.
    struct attn_info {
        int q, k;                       // Q [T, h·H] and K [T, h·H] tensors
        std::int64_t head_size;         // H
        std::int64_t keys;              // T of the keys
        std::vector<std::string> names; // the graph ops folded so far (scores, softmax)
    };
    std::map<int, attn_info> m_attn;

    /// Graph ops after the current one reading tensor t, as (op, input slot).
    std::vector<std::pair<std::size_t, std::size_t>> readers_of(int t) const {
        std::vector<std::pair<std::size_t, std::size_t>> r;
        for (std::size_t i = std::size_t(m_cur) + 1; i < m_g.ops.size(); ++i)
            for (std::size_t q = 0; q < m_g.ops[i].inputs.size(); ++q)
                if (m_g.ops[i].inputs[q] == t)
                    r.emplace_back(i, q);
        return r;
    }

    /// compiler.attention = fused, at a Q·Kᵀ (the current op) whose scores are read only by a
    /// softmax over each head's keys, whose probabilities are read only as input a of a P·V
    /// with the same heads: record it and return true (the three become one operator).
    bool fuse_attention_from(std::int64_t heads, std::int64_t head_size, std::int64_t keys) {
        if (m_chip.compiler.attention != attention_policy::fused)
            return false;
        const auto &o = m_g.ops[m_cur];
        const int s = o.outputs[0];
        if (!private_tensor(s))
            return false;
        const auto rs = readers_of(s);
        if (rs.size() != 1 || rs[0].second != 0)
            return false;
        const auto &sm = m_g.ops[rs[0].first];
        if (sm.type != "softmax" || sm.attr_int("group", m_g.tensors[s].shape[1]) != keys ||
            sm.outputs.size() != 1 || !private_tensor(sm.outputs[0]))
            return false;
        const auto rp = readers_of(sm.outputs[0]);
        if (rp.size() != 1 || rp[0].second != 0)
            return false;
        const auto &pv = m_g.ops[rp[0].first];
        if (pv.type != "matmul" || pv.attr_int("heads", 1) != heads ||
            pv.attr_int("transpose_b", 0) != 0)
            return false;
        m_attn[s] = {o.inputs[0], o.inputs[1], head_size, keys, {o.name}};
        return true;
    }

    /// The fused attention, built at the P·V (the current op): output rows are query tokens,
    /// output channels the context's h·H columns in whole heads; Q is read per head (group
    /// mode), K and V like weights (all keys of the tile's heads, from DRAM).
    void lower_fused_attention(const attn_info &at, std::int64_t heads, std::int64_t n) {
        const auto &o = m_g.ops[m_cur];
        if (n != at.head_size)
            fail("fused attention needs P·V with the head size of Q·Kᵀ");
        lowered_op l = base(unit_kind::mac_array, op_kind::conv);
        l.type = "fused_attention";
        l.fn = vec_fn::mac;
        for (const auto &name : at.names)
            l.fused.push_back(name);
        // MACs of the three graph ops: P·V (base) plus Q·Kᵀ, rows·H·keys per head; the
        // softmax has none.
        l.macs += std::uint64_t(tin(0).shape[0] * at.head_size * at.keys * heads);
        l.shapes = dims(m_g.tensors[at.q].shape) + ", " + dims(m_g.tensors[at.k].shape) + ", " +
                   dims(tin(1).shape) + " -> " + dims(tout().shape);
        set_output(l, o.outputs[0]);
        l.groups = heads;
        l.cin = at.head_size;
        l.no_ksplit = true;
        l.fused_attention = true;
        l.keys = at.keys;
        l.head_size = at.head_size;
        l.oc_granule = at.head_size;
        operand q;
        q.view = view2(at.q);
        q.mode = heads > 1 ? chan_mode::group : chan_mode::all;
        q.hi = q.view.c;
        l.inputs.push_back(q);
        for (int t : {at.k, o.inputs[1]}) {
            const auto &x = m_g.tensors[t];
            weight_operand w;
            w.tensor = m_out.root[t];
            w.k_major = true; // all T rows, the tile's heads' columns
            w.k = x.shape[0];
            w.n = x.shape[1];
            w.bytes_per_oc = x.shape[0] * workloads::dtype_bytes(x.type);
            l.weights.push_back(w);
        }
        emit_plain(std::move(l));
    }

    /// softmax over runs of `group` columns, layernorm over the columns of each row.
    void lower_norm() {
        const auto &o = m_g.ops[m_cur];
        if (auto it = m_attn.find(o.inputs[0]); it != m_attn.end()) {
            attn_info at = it->second; // the softmax of a fused attention
            at.names.push_back(o.name);
            m_attn[o.outputs[0]] = at;
            return;
        }
        const auto vx = view2(o.inputs[0]);
        const bool sm = o.type == "softmax";
        lowered_op l = base(unit_kind::vector_unit, op_kind::vector);
        l.fn = sm ? vec_fn::softmax : vec_fn::layernorm;
        l.inputs.push_back(same_operand(o.inputs[0], 0, vx.c, 0));
        set_output(l, o.outputs[0]);
        const std::int64_t group = sm ? o.attr_int("group", vx.c) : vx.c;
        if (group < 1 || vx.c % group)
            fail("group must divide the columns");
        l.oc_granule = group; // a tile holds whole rows of the normalisation
        if (!sm)
            weights_of(l, 1, l.cout);
        emit_plain(std::move(l));
    }

    /// embedding: output row t = table row id(t). The ids are data: the model spreads them
    /// evenly over the table (row t·⌊V/T⌋); `sequential` reads rows 0..T-1 (positions).
    void lower_embedding() {
        const auto &o = m_g.ops[m_cur];
        if (o.inputs.size() != 2 || !m_g.tensors[o.inputs[1]].constant)
            fail("expected inputs [ids, table] with a constant table");
        lowered_op l = base(unit_kind::vector_unit, op_kind::vector);
        l.fn = vec_fn::copy;
        set_output(l, o.outputs[0]);
        operand t = same_operand(o.inputs[1], 0, l.cout, 0);
        if (t.view.c != l.cout || t.view.h < 1)
            fail("table must be [V, E] with E the output's columns");
        t.identity_rows = true;
        t.row_step = o.attr_int("sequential", 0) ? 1 : t.view.h / l.hout;
        l.inputs.push_back(t);
        emit_plain(std::move(l));
    }

    /// transpose [M, N] -> [N, M]: a vector-unit copy reading the input's columns as rows.
    void lower_transpose() {
        const auto &o = m_g.ops[m_cur];
        const auto vx = view2(o.inputs[0]);
        lowered_op l = base(unit_kind::vector_unit, op_kind::vector);
        l.fn = vec_fn::copy;
        operand in;
        in.view = vx;
        in.mode = chan_mode::all;
        in.transposed = true;
        in.hi = vx.c;
        l.inputs.push_back(in);
        set_output(l, o.outputs[0]);
        if (l.hout != vx.c || l.cout != vx.h)
            fail("output must be [N, M] for an input [M, N]");
        emit_plain(std::move(l));
    }

    /// transpose with perm: the 2-D [1,0] is lower_transpose (a transposed operand), the
    /// identity a view. Any other permutation is a vector-unit copy that reads every input
    /// element once and writes every output element once: tiles of the output (as [C,H,W],
    /// rank >= 4 collapsed to [d0, d1·...·d(n-2), d(n-1)]) each read as many input bytes from
    /// the input seen with the output's geometry. The permutation itself happens in the
    /// scratchpad, as the 2-D transpose's does; which input elements a tile needs (strided runs
    /// in DRAM) is not modelled, only their count.
    void lower_permute() {
        const auto &o = m_g.ops[m_cur];
        const auto &x = tin(0);
        const auto &y = tout();
        std::vector<std::int64_t> perm = o.attr_ints("perm", {});
        if (perm.empty())
            for (std::size_t a = x.shape.size(); a-- > 0;)
                perm.push_back(std::int64_t(a));
        if (perm.size() != x.shape.size() || x.elements() != y.elements())
            fail("perm must have the rank of the input and keep its elements");
        bool identity = true;
        for (std::size_t a = 0; a < perm.size(); ++a)
            identity = identity && perm[a] == std::int64_t(a);
        if (identity)
            return lower_alias();
        if (perm == std::vector<std::int64_t>{1, 0})
            return lower_transpose();
        lowered_op l = base(unit_kind::vector_unit, op_kind::vector);
        l.fn = vec_fn::copy;
        l.out = flat_view(o.outputs[0]);
        l.cout = l.out.c, l.hout = l.out.h, l.wout = l.out.w;
        tensor_view in = l.out;
        in.tensor = m_out.root[o.inputs[0]];
        in.elem_bytes = workloads::dtype_bytes(x.type);
        // The input seen with another geometry than its own: never kept on chip in its
        // producer's layout (as a reshape).
        m_out.reshaped[in.tensor] = true;
        if (y.shape.size() > 3)
            m_out.reshaped[l.out.tensor] = true;
        operand a;
        a.view = in;
        a.mode = chan_mode::same;
        a.lo = 0, a.hi = in.c, a.off = 0;
        a.identity_rows = true;
        l.inputs.push_back(a);
        emit_plain(std::move(l));
    }

    /// The view of tensor t: its own for rank <= 3, else [d0, d1·...·d(n-2), d(n-1)] (CHW).
    tensor_view flat_view(int t) const {
        const auto &x = m_g.tensors[t];
        if (x.shape.size() <= 3)
            return view(t);
        tensor_view v;
        v.tensor = m_out.root[t];
        v.elem_bytes = workloads::dtype_bytes(x.type);
        v.c = x.shape.front();
        v.w = x.shape.back();
        v.h = 1;
        for (std::size_t a = 1; a + 1 < x.shape.size(); ++a)
            v.h *= x.shape[a];
        return v;
    }

    /// pad: a vector-unit copy that reads every input element once and writes every output
    /// element once (the border too: zeros, or the edge or mirrored elements, which the vector
    /// unit takes from the rows it read). As a 1x1 window over [C,H,W] with the top and left
    /// padding, and the channels of the input at an offset: a tile of the border alone reads
    /// nothing. Rank 2 [T,D] pads rows and columns; rank 1 its elements; rank >= 4 is
    /// collapsed to three axes, each a padded axis with the unpadded axes after it (a padding
    /// of more than three such groups is refused).
    void lower_pad() {
        const auto &o = m_g.ops[m_cur];
        const auto &x = tin(0);
        const auto &y = tout();
        const std::size_t r = x.shape.size();
        const auto pads = o.attr_ints("pads", {});
        if (pads.size() != 2 * r)
            fail("pads must have 2 values per axis of the input");
        tensor_view vin, vout;
        std::int64_t cb = 0, hb = 0, wb = 0; // begin padding of C, H (rows), W
        if (r == 3) {
            vin = view(o.inputs[0]), vout = view(o.outputs[0]);
            cb = pads[0], hb = pads[1], wb = pads[2];
        } else if (r == 2) { // [T, D]: rows T, channels D
            vin = view(o.inputs[0]), vout = view(o.outputs[0]);
            hb = pads[0], cb = pads[1];
        } else if (r == 1) {
            vin = view(o.inputs[0]), vout = view(o.outputs[0]);
            cb = pads[0];
        } else {
            struct group {
                std::int64_t in = 1, out = 1, begin = 0;
            };
            std::vector<group> gs;
            for (std::size_t a = 0; a < r; ++a) {
                const bool padded = pads[a] != 0 || pads[a + r] != 0;
                if (a == 0 || padded)
                    gs.push_back({1, 1, pads[a]});
                else
                    gs.back().begin *= x.shape[a];
                gs.back().in *= x.shape[a];
                gs.back().out *= y.shape[a];
            }
            if (gs.size() > 3)
                fail("pads on " + std::to_string(gs.size()) +
                     " groups of axes (a padded axis and the unpadded axes after it): at most 3 "
                     "are mapped to C x H x W");
            while (gs.size() < 3)
                gs.insert(gs.begin(), group{});
            vin.tensor = m_out.root[o.inputs[0]];
            vout.tensor = m_out.root[o.outputs[0]];
            vin.elem_bytes = workloads::dtype_bytes(x.type);
            vout.elem_bytes = workloads::dtype_bytes(y.type);
            vin.c = gs[0].in, vin.h = gs[1].in, vin.w = gs[2].in;
            vout.c = gs[0].out, vout.h = gs[1].out, vout.w = gs[2].out;
            cb = gs[0].begin, hb = gs[1].begin, wb = gs[2].begin;
            m_out.reshaped[vin.tensor] = true;
            m_out.reshaped[vout.tensor] = true;
        }
        lowered_op l = base(unit_kind::vector_unit, op_kind::vector);
        l.fn = vec_fn::copy;
        l.out = vout;
        l.cout = vout.c, l.hout = vout.h, l.wout = vout.w;
        l.pt = hb, l.pl = wb;
        operand a;
        a.view = vin;
        a.mode = chan_mode::same;
        a.lo = cb, a.hi = cb + vin.c, a.off = 0;
        l.inputs.push_back(a);
        emit_plain(std::move(l));
    }

    void lower_alias() {
        const auto &x = tin(0);
        const auto &y = tout();
        if (x.elements() != y.elements())
            fail("reshape changes the element count");
        const int out = m_g.ops[m_cur].outputs[0];
        const int r = m_out.root[m_g.ops[m_cur].inputs[0]];
        m_out.root[out] = r;
        if (x.shape != y.shape)
            m_out.reshaped[r] = true;
        m_producer[out] = m_producer[m_g.ops[m_cur].inputs[0]];
    }

    /// conv2d and conv_transpose2d. A transposed convolution runs in its stride-phase form
    /// (docs/compiler.md): the sh·sw phases of the output are ordinary convolutions over the
    /// input with ceil(kh / (sh/gcd(sh,dh))) x ceil(kw / (sw/gcd(sw,dw))) taps at most (kh, kw
    /// here; a phase with fewer taps runs them padded with zero taps), so one output costs the
    /// taps of the largest phase and reads the input rows its taps land on (tkh).
    void lower_conv() {
        const auto &o = m_g.ops[m_cur];
        const auto &x = tin(0);
        const auto &y = tout();
        const bool transposed = o.type == "conv_transpose2d";
        if (x.shape.size() != 3 || y.shape.size() != 3)
            fail(o.type + " needs C x H x W tensors");
        if (o.inputs.size() < 2 || !m_g.tensors[o.inputs[1]].constant)
            fail(o.type + " needs a constant weight tensor as its second input");
        auto k = o.attr_ints("kernel", {1, 1});
        auto s = o.attr_ints("stride", {1, 1});
        auto p = o.attr_ints("pad", {0, 0, 0, 0});
        auto d = o.attr_ints("dilation", {1, 1});
        const std::int64_t groups = o.attr_int("groups", 1);
        const std::int64_t cin = x.shape[0], cout = y.shape[0];
        if (groups < 1 || cin % groups || cout % groups)
            fail("groups " + std::to_string(groups) + " must divide Cin " + std::to_string(cin) +
                 " and Cout " + std::to_string(cout));
        const bool depthwise = groups > 1 && groups == cin && groups == cout;
        const bool pointwise = groups == 1 && k[0] == 1 && k.back() == 1;
        const bool dw_vec = depthwise && m_chip.compiler.depthwise == depthwise_policy::vector_unit;
        lowered_op l = base(dw_vec ? unit_kind::vector_unit : unit_kind::mac_array, op_kind::conv);
        l.type = transposed   ? "conv_transpose2d"
                 : depthwise  ? "depthwise_conv2d"
                 : pointwise  ? "pointwise_conv2d"
                 : groups > 1 ? "grouped_conv2d"
                              : "conv2d";
        l.fn = vec_fn::mac;
        l.kh = k[0], l.kw = k.size() > 1 ? k[1] : k[0];
        l.sh = s[0], l.sw = s.size() > 1 ? s[1] : s[0];
        l.pt = p[0], l.pl = p.size() > 1 ? p[1] : p[0];
        l.dh = d[0], l.dw = d.size() > 1 ? d[1] : d[0];
        if (l.sh < 1 || l.sw < 1 || l.kh < 1 || l.kw < 1 || l.dh < 1 || l.dw < 1)
            fail("kernel, stride and dilation must be >= 1");
        if (transposed) {
            // Taps of phase r along an axis: the t < k with t·d ≡ r (mod s). t·d mod s repeats
            // with period s' = s / gcd(s, d), one residue per class of t mod s', so the largest
            // phase has ceil(k / s') taps (1 when k = s, d = 1: no overlap).
            auto phase_taps = [](std::int64_t kk, std::int64_t ss, std::int64_t dd) {
                const std::int64_t sp = ss / std::gcd(ss, dd);
                return (kk + sp - 1) / sp;
            };
            l.tkh = l.kh;
            l.kh = phase_taps(l.kh, l.sh, l.dh);
            l.kw = phase_taps(l.kw, l.sw, l.dw);
        }
        l.groups = groups;
        l.cin = cin / groups;
        operand in;
        in.view = view3(o.inputs[0]);
        in.mode = groups == 1 ? chan_mode::all : depthwise ? chan_mode::same : chan_mode::group;
        in.hi = cin;
        l.inputs.push_back(in);
        set_output(l, o.outputs[0]);
        // Channel tiles hold whole groups; depthwise groups are single channels.
        l.oc_granule = groups > 1 && !depthwise ? cout / groups : 1;
        weights_of(l, 1, cout);
        // [Cout, Cin, kh, kw]: K = Cin·kh·kw. A transposed conv's [Cin, Cout/g, kh, kw] is
        // stored by the compiler output-channel-major per phase (a constant: re-laid offline).
        if (groups == 1)
            l.weights[0].reduced = true;
        set_activation(l, o.attr_str("activation", "none"));
        emit(std::move(l), true);
    }

    void lower_fc() {
        const auto &o = m_g.ops[m_cur];
        const auto &x = tin(0);
        const auto &y = tout();
        if (o.inputs.size() < 2 || !m_g.tensors[o.inputs[1]].constant)
            fail("fc needs a constant weight tensor as its second input");
        lowered_op l = base(unit_kind::mac_array, op_kind::gemm);
        operand in;
        in.view.tensor = m_out.root[o.inputs[0]];
        in.view.c = x.elements(); // flattened: the whole input is the reduction dimension
        in.view.elem_bytes = workloads::dtype_bytes(x.type);
        in.mode = chan_mode::all;
        l.inputs.push_back(in);
        l.cin = x.elements();
        l.out.tensor = m_out.root[o.outputs[0]];
        l.out.c = y.elements();
        l.out.elem_bytes = workloads::dtype_bytes(y.type);
        l.cout = l.out.c;
        l.oc_granule = 1;
        weights_of(l, 1, l.cout);
        l.weights[0].reduced = true; // [N, K]
        set_activation(l, o.attr_str("activation", "none"));
        emit(std::move(l), false);
    }

    void lower_matmul() {
        const auto &o = m_g.ops[m_cur];
        const auto &a = tin(0);
        const auto &b = tin(1);
        const auto &y = tout();
        const std::int64_t heads = o.attr_int("heads", 1);
        const bool tb = o.attr_int("transpose_b", 0) != 0;
        if (heads != 1 || tb)
            return lower_batched_matmul(heads, tb);
        if (a.shape.size() != 2 || b.shape.size() != 2 || y.shape.size() != 2 ||
            a.shape[1] != b.shape[0])
            fail("matmul needs a:[M,K] and b:[K,N]; batch over heads along the columns with "
                 "attrs heads and transpose_b (leading batch dimensions are not supported)");
        lowered_op l = base(unit_kind::mac_array, op_kind::gemm);
        operand in;
        in.view = view(o.inputs[0]);
        in.mode = chan_mode::all;
        l.inputs.push_back(in);
        l.cin = a.shape[1];
        set_output(l, o.outputs[0]);
        weight_operand w;
        w.tensor = m_out.root[o.inputs[1]];
        w.k_major = true;
        w.k = b.shape[0];
        w.n = b.shape[1];
        w.bytes_per_oc = w.k * workloads::dtype_bytes(b.type);
        w.reduced = true;
        l.weights.push_back(w);
        emit_plain(std::move(l));
    }

    // Which lowered ops already carry an activation (a second one does not fuse).
    bool m_act_of_next = false;
    std::vector<bool> m_op_has_act;
    void mark_act() {
        m_op_has_act.resize(m_out.ops.size(), false);
        m_op_has_act.back() = m_act_of_next;
    }
    /// Places op l (has_rows: as place()), appends it and records whether an activation was
    /// fused into it (m_act_of_next, set by set_activation).
    void emit(lowered_op l, bool has_rows) {
        place(l, has_rows);
        push(std::move(l));
        mark_act();
    }
    /// emit() for an op with no activation fused into it.
    void emit_plain(lowered_op l, bool has_rows = true) {
        m_act_of_next = false;
        emit(std::move(l), has_rows);
    }

    void lower_act() {
        const auto &o = m_g.ops[m_cur];
        const int x = o.inputs[0];
        const auto &ty = o.type;
        const vec_fn fn = ty == "sigmoid" ? vec_fn::sigmoid
                          : ty == "prelu" ? vec_fn::prelu
                          : ty == "gelu"  ? vec_fn::gelu
                                          : vec_fn::relu;
        const int p = m_producer[x];
        m_op_has_act.resize(m_out.ops.size(), false);
        if (m_chip.compiler.fuse_activations && p >= 0 && private_tensor(x) && m_out.root[x] == x &&
            m_out.ops[p].out.tensor == x && m_out.ops[p].kind != op_kind::vector &&
            m_out.ops[p].shortcut < 0 && !m_op_has_act[p] &&
            tout().elements() == m_g.tensors[x].elements()) {
            auto &l = m_out.ops[p];
            l.fused.push_back(o.name);
            if (fn != vec_fn::relu)
                l.epi_act = true, l.epi_fn = fn;
            if (fn == vec_fn::prelu && o.inputs.size() > 1)
                weights_of(l, 1, l.cout);
            l.shapes = l.shapes.substr(0, l.shapes.find(" -> ")) + " -> " + dims(tout().shape);
            l.out = view(o.outputs[0]);
            m_producer[o.outputs[0]] = p;
            m_op_has_act[p] = true;
            return;
        }
        lowered_op l = base(unit_kind::vector_unit, op_kind::vector);
        l.fn = fn;
        const auto v = view(x);
        l.inputs.push_back(same_operand(x, 0, v.c, 0));
        set_output(l, o.outputs[0]);
        if (fn == vec_fn::prelu)
            weights_of(l, 1, l.cout);
        emit_plain(std::move(l));
    }

    void lower_eltwise() {
        const auto &o = m_g.ops[m_cur];
        if (o.inputs.size() != 2)
            fail("expected two inputs");
        if (general_broadcast(o))
            return lower_broadcast();
        const int a = o.inputs[0];
        int b = o.inputs[1];
        const auto va = view(a), vb = view(b), vy = view(o.outputs[0]);
        // b may be an elided channel slice of another tensor: read that tensor at an offset.
        std::int64_t slice_off = 0;
        if (auto it = m_slice.find(b); it != m_slice.end())
            b = it->second.first, slice_off = it->second.second;
        const std::int64_t C = va.c;
        const std::int64_t cb = o.attr_int("channel_begin", 0), ce = o.attr_int("channel_end", C);
        if (cb < 0 || ce > C || cb >= ce)
            fail("channel range [" + std::to_string(cb) + ", " + std::to_string(ce) +
                 ") outside 0.." + std::to_string(C));
        if (vy.c != C || vy.h != va.h || vy.w != va.w)
            fail("output shape must equal input a's");
        // A broadcast b ([C,1,1], [1,D] or a scalar) is not spatial: each tile reads its row 0
        // once, its own small size, whatever the tile's rows (docs/compiler.md).
        const bool scalar = vb.c == 1 && vb.h == 1 && vb.w == 1 && (C > 1 || va.h > 1 || va.w > 1);
        const bool bcast = scalar || (vb.h == 1 && vb.w == 1 && (va.h > 1 || va.w > 1));
        if (!bcast && (vb.h != va.h || vb.w != va.w))
            fail("inputs a and b differ in H or W");
        // b holds either all of a's channels (its range [cb, ce) is used) or just the range.
        std::int64_t boff = 0;
        if (scalar)
            boff = 0;
        else if (vb.c == C)
            boff = cb;
        else if (vb.c != ce - cb)
            fail("input b has " + std::to_string(vb.c) + " channels, expected " +
                 std::to_string(C) + " or " + std::to_string(ce - cb));
        boff += slice_off;
        const bool partial = cb != 0 || ce != C;
        const vec_fn fn = o.type == "mul" ? vec_fn::mul : vec_fn::add;

        // Fused residual: the op just before produces one input, read by nobody else.
        if (m_chip.compiler.residual == residual_policy::fused && fn == vec_fn::add && !bcast &&
            !m_out.ops.empty()) {
            const int p = int(m_out.ops.size()) - 1;
            auto &l = m_out.ops[p];
            int main = -1, sc = -1;
            for (int cand : {a, o.inputs[1]}) {
                if (m_producer[cand] == p && l.out.tensor == cand && private_tensor(cand) &&
                    m_out.root[cand] == cand) {
                    main = cand;
                    sc = cand == a ? b : a;
                    if (cand != a)
                        slice_off = 0;
                    break;
                }
            }
            if (partial && main != a)
                main = -1; // the range is of a's channels
            if (main >= 0 && l.kind == op_kind::conv && l.shortcut < 0 && l.cout == C &&
                l.hout == va.h && l.wout == va.w) {
                operand s = same_operand(sc, cb, ce, main == a ? boff : cb);
                l.shortcut = int(l.inputs.size());
                l.inputs.push_back(s);
                l.res_fn = vec_fn::add;
                l.res_lo = cb, l.res_hi = ce;
                l.fused.push_back(o.name);
                l.shapes = l.shapes.substr(0, l.shapes.find(" -> ")) + ", " +
                           std::to_string(ce - cb) + "x" + std::to_string(va.h) + "x" +
                           std::to_string(va.w) + " -> " + dims(tout().shape);
                l.out = view(o.outputs[0]);
                m_producer[o.outputs[0]] = p;
                m_op_has_act.resize(m_out.ops.size(), false);
                m_op_has_act[p] = true; // an activation after the add stays separate
                return;
            }
        }

        lowered_op l = base(unit_kind::vector_unit, op_kind::vector);
        l.fn = fn;
        const bool in_place =
            partial && m_producer[a] >= 0 && private_tensor(a) && !m_out.reshaped[m_out.root[a]];
        if (in_place) {
            // Only the combined channels are touched: the output is a's storage, and channels
            // outside [cb, ce) stay where the producer of a put them (MobileNeXt's point).
            m_out.root[o.outputs[0]] = m_out.root[a];
            l.cout = ce - cb;
            l.out_c_off = cb;
            l.inputs.push_back(same_operand(a, 0, ce - cb, cb));
            operand sb = same_operand(b, 0, ce - cb, boff);
            if (scalar)
                sb.mode = chan_mode::all, sb.lo = sb.hi = sb.off = 0;
            sb.spatial = !bcast;
            l.inputs.push_back(sb);
            l.res_lo = 0, l.res_hi = ce - cb;
            set_output(l, o.outputs[0]);
            l.out.c = C;
            l.cout = ce - cb;
        } else {
            l.inputs.push_back(same_operand(a, 0, C, 0));
            operand sb = same_operand(b, cb, ce, boff);
            if (scalar) // one element for every channel: read whole, as a channel-less operand
                sb.mode = chan_mode::all, sb.lo = sb.hi = sb.off = 0;
            sb.spatial = !bcast;
            l.inputs.push_back(sb);
            l.res_lo = cb, l.res_hi = ce;
            set_output(l, o.outputs[0]);
        }
        emit_plain(std::move(l));
    }

    /// add/mul with general NumPy broadcasting (general_broadcast): each operand is read once
    /// per tile at its own size. An operand with the output's channels is read per channel
    /// (chan_mode::same), one of a single channel whole (all its channels: 1, reused across
    /// the channel tiles of the same rows); one with the output's rows is read for the tile's
    /// rows (spatial), one of a single row as row 0 (not spatial); its columns are its own (W
    /// or 1). Every output element is computed on the vector unit, as in the other forms.
    void lower_broadcast() {
        const auto &o = m_g.ops[m_cur];
        const auto vy = view(o.outputs[0]);
        lowered_op l = base(unit_kind::vector_unit, op_kind::vector);
        l.fn = o.type == "mul" ? vec_fn::mul : vec_fn::add;
        for (int k = 0; k < 2; ++k) {
            const int t = o.inputs[k];
            const auto v = view(t);
            if (v.hwc != vy.hwc || (v.c != vy.c && v.c != 1) || (v.h != vy.h && v.h != 1) ||
                (v.w != vy.w && v.w != 1))
                fail("input " + std::to_string(k) + " (" + dims(m_g.tensors[t].shape) +
                     ") does not broadcast to the output " + dims(tout().shape));
            operand x;
            if (v.c == vy.c) {
                x = same_operand(t, 0, vy.c, 0);
            } else {
                x.view = v;
                x.mode = chan_mode::all;
            }
            x.spatial = v.h == vy.h;
            l.inputs.push_back(x);
        }
        l.res_lo = 0, l.res_hi = vy.c;
        set_output(l, o.outputs[0]);
        emit_plain(std::move(l));
    }

    void lower_pool() {
        const auto &o = m_g.ops[m_cur];
        const auto vx = view3(o.inputs[0]);
        lowered_op l = base(unit_kind::vector_unit, op_kind::vector);
        l.fn = vec_fn::pool;
        l.inputs.push_back(same_operand(o.inputs[0], 0, vx.c, 0));
        set_output(l, o.outputs[0]);
        bool rows = true;
        if (o.type == "global_avgpool") {
            l.kh = vx.h, l.kw = vx.w;
            rows = false;
        } else {
            auto k = o.attr_ints("kernel", {2, 2});
            auto s = o.attr_ints("stride", k);
            auto p = o.attr_ints("pad", {0, 0, 0, 0});
            auto d = o.attr_ints("dilation", {1, 1});
            l.kh = k[0], l.kw = k.size() > 1 ? k[1] : k[0];
            l.dh = d[0], l.dw = d.size() > 1 ? d[1] : d[0];
            l.sh = s[0], l.sw = s.size() > 1 ? s[1] : s[0];
            l.pt = p[0], l.pl = p.size() > 1 ? p[1] : p[0];
        }
        if (l.out.c != vx.c)
            fail("pooling must keep the channel count");
        emit_plain(std::move(l), rows);
    }

    /// resize to any size (up, down, fractional): a vector-unit pass. Each output element
    /// interpolates t x t input elements, t = 1 (nearest), 2 (linear) or 4 (cubic), priced as
    /// t·t pooling taps (kh = kw = t, a multiply-add per tap). Output rows [y0,y1) read the
    /// input rows their taps fall on (operand rs_*: from floor(y0·H/Hout) - before to
    /// floor((y1-1)·H/Hout) - before + t, before = 1 for cubic), all W columns.
    void lower_resize() {
        const auto &o = m_g.ops[m_cur];
        const auto vx = view3(o.inputs[0]);
        const auto vy = view(o.outputs[0]);
        const std::string mode = o.attr_str("mode", "linear");
        const std::int64_t taps = mode == "nearest" ? 1 : mode == "linear" ? 2 : 4;
        if (mode != "nearest" && mode != "linear" && mode != "cubic")
            fail("mode \"" + mode + "\": expected nearest, linear or cubic");
        if (vy.c != vx.c)
            fail("resize must keep the channel count");
        lowered_op l = base(unit_kind::vector_unit, op_kind::vector);
        l.fn = vec_fn::pool;
        operand in = same_operand(o.inputs[0], 0, vx.c, 0);
        in.rs_in = vx.h, in.rs_out = vy.h;
        in.rs_taps = taps, in.rs_before = mode == "cubic" ? 1 : 0;
        l.inputs.push_back(in);
        set_output(l, o.outputs[0]);
        l.kh = taps, l.kw = taps;
        emit_plain(std::move(l));
    }

    void lower_move() {
        const auto &o = m_g.ops[m_cur];
        const std::size_t rank = m_g.tensors[o.outputs.empty() ? 0 : o.outputs[0]].shape.size();
        const std::int64_t axis = o.attr_int("axis", 0);
        // The channel axis: axis 0 of C x H x W, axis 1 of [tokens, features]; axis 0 of a
        // rank-2 tensor is the token (row) axis.
        const bool chan = (rank == 2 && axis == 1) || (rank != 2 && axis == 0);
        const bool rows = rank == 2 && axis == 0;
        if (!chan && !rows)
            fail("only the channel axis (0 of C x H x W, 1 of [tokens, features]) or the token "
                 "axis (0 of [tokens, features]) is supported");
        lowered_op l = base(unit_kind::vector_unit, op_kind::vector);
        l.fn = vec_fn::copy;
        const auto vy = view(o.outputs[0]);
        if (o.type == "concat") {
            std::int64_t off = 0;
            for (int t : o.inputs) {
                const auto v = view(t);
                if (rows) {
                    if (v.c != vy.c)
                        fail("concat inputs differ in columns");
                    operand a = same_operand(t, 0, vy.c, 0);
                    a.identity_rows = true;
                    a.row_off = off;
                    l.inputs.push_back(a);
                    off += v.h;
                    continue;
                }
                if (v.h != vy.h || v.w != vy.w)
                    fail("concat inputs differ in H or W");
                l.inputs.push_back(same_operand(t, off, off + v.c, 0));
                off += v.c;
            }
            if (off != (rows ? vy.h : vy.c))
                fail("output extent differs from the sum of the inputs'");
        } else {
            const auto vx = view(o.inputs[0]);
            const std::int64_t ext = rows ? vx.h : vx.c;
            const std::int64_t b = o.attr_int("begin", 0), e = o.attr_int("end", ext);
            if (b < 0 || e > ext || b >= e || e - b != (rows ? vy.h : vy.c))
                fail("bad slice range");
            const int out = o.outputs[0];
            if (rows) {
                operand a = same_operand(o.inputs[0], 0, vy.c, 0);
                a.identity_rows = true;
                a.row_off = -b;
                l.inputs.push_back(a);
            } else if (m_b_only[out] && !m_is_output[out] && !vx.hwc) {
                // A channel slice read only as a shortcut operand is a view: the add reads the
                // source's channels [b, e) in place (no copy, no command).
                m_slice[out] = {o.inputs[0], b};
                return;
            } else {
                l.inputs.push_back(same_operand(o.inputs[0], 0, e - b, b));
            }
        }
        set_output(l, o.outputs[0]);
        emit_plain(std::move(l));
    }
};

} // namespace

lowering lower_graph(const workloads::graph &g, const chip_desc &chip, const std::string &source) {
    return lowerer(g, chip, source).run();
}

} // namespace ops
