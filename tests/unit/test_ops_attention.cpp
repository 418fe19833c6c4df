// ops::compile on the attention operators (docs/attention-ops.md): linear, batched matmul over
// heads, depthwise conv1d, unfold + dynamic conv, softmax, layernorm, GELU, embedding gather,
// transpose, concat/slice over tokens. Graphs are built by hand; every expected number is
// derived in a comment from the operator's definition, not read from the program.
#include "ops/compiler.h"
#include "sim/errors.h"

#include <catch2/catch.hpp>

#include <string>

using namespace ops;

namespace {

/// Builds token graphs (int8 [T, D] tensors) with correct shapes.
struct tokens {
    workloads::graph g;
    int n = 0;
    int tensor(std::vector<std::int64_t> shape, bool constant = false,
               workloads::dtype dt = workloads::dtype::int8) {
        workloads::tensor t;
        t.name = "t" + std::to_string(n++);
        t.shape = std::move(shape);
        t.constant = constant;
        t.type = dt;
        return g.add_tensor(t);
    }
    int input(std::vector<std::int64_t> shape, workloads::dtype dt = workloads::dtype::int8) {
        int t = tensor(std::move(shape), false, dt);
        g.inputs.push_back(t);
        return t;
    }
    const std::vector<std::int64_t> &shape(int t) const { return g.tensors[t].shape; }
    int op(const std::string &type, std::vector<int> in, std::vector<std::int64_t> out_shape,
           std::map<std::string, workloads::attr_value> attrs = {}, const std::string &name = "") {
        int y = tensor(std::move(out_shape));
        workloads::op o;
        o.name = name.empty() ? type + std::to_string(g.ops.size()) : name;
        o.type = type;
        o.inputs = std::move(in);
        o.outputs = {y};
        o.attrs = std::move(attrs);
        g.ops.push_back(o);
        return y;
    }
    int linear(int x, std::int64_t n, std::int64_t groups = 1, const std::string &name = "") {
        const std::int64_t k = shape(x)[1];
        int w = tensor({n, k / groups}, true), b = tensor({n}, true);
        return op("linear", {x, w, b}, {shape(x)[0], n}, {{"groups", groups}}, name);
    }
    void output(int t) { g.outputs.push_back(t); }
};

chip_desc chip(std::uint32_t cores = 4) {
    chip_desc c;
    c.cores = cores;
    return c;
}

struct sums {
    std::uint64_t gemm_macs = 0, vec_elems = 0, load_bytes = 0, store_bytes = 0, computes = 0;
};
sums op_sums(const program &p, std::uint32_t op, vec_fn fn = vec_fn::mac) {
    sums s;
    for (const auto &st : p.streams)
        for (const auto &c : st) {
            if (c.op != op)
                continue;
            if (c.kind == cmd_kind::compute && c.unit == unit_kind::mac_array)
                s.gemm_macs += c.gemm.macs(), ++s.computes;
            if (c.kind == cmd_kind::compute && c.unit == unit_kind::vector_unit && c.vec.fn == fn)
                s.vec_elems += c.vec.elements, ++s.computes;
            if (c.kind == cmd_kind::load && c.far_space == mem_space::dram)
                s.load_bytes += c.far.bytes();
            if (c.kind == cmd_kind::store)
                s.store_bytes += c.far.bytes();
        }
    return s;
}

int op_index(const program &p, const std::string &name) {
    for (std::size_t i = 0; i < p.ops.size(); ++i)
        if (p.ops[i].name == name)
            return int(i);
    return -1;
}

/// One self-attention head group: Q, K, V projections, scores, softmax, context.
struct attention {
    tokens b;
    int scores_op = -1;
    attention(std::int64_t T, std::int64_t d, std::int64_t heads) {
        int x = b.input({T, d});
        int q = b.linear(x, d, 1, "query");
        int k = b.linear(x, d, 1, "key");
        int v = b.linear(x, d, 1, "value");
        int s = b.op("matmul", {q, k}, {T, heads * T}, {{"heads", heads}, {"transpose_b", 1}},
                     "scores");
        int p = b.op("softmax", {s}, {T, heads * T}, {{"group", T}}, "softmax");
        int c = b.op("matmul", {p, v}, {T, d}, {{"heads", heads}}, "context");
        b.output(c);
    }
};

} // namespace

TEST_CASE("linear and grouped linear run on the MAC array with T·N·K/g MACs", "[ops][attention]") {
    tokens b;
    int x = b.input({128, 768});
    int y = b.linear(x, 3072, 1, "ffn_in");
    int z = b.linear(y, 768, 2, "ffn_out"); // two independent halves: 1536 -> 384 each
    b.output(z);
    const program p = compile(b.g, chip(), "t");
    REQUIRE(p.ops.size() == 2);
    CHECK(p.ops[0].type == "linear");
    CHECK(p.ops[1].type == "grouped_linear");
    CHECK(op_sums(p, 0).gemm_macs == 128ull * 3072 * 768);
    CHECK(op_sums(p, 1).gemm_macs == 128ull * 768 * 3072 / 2);
    // Grouped: each GEMM reduces over K/g = 1536 input features and has whole groups of
    // N/g = 384 outputs per repeat.
    for (const auto &st : p.streams)
        for (const auto &c : st)
            if (c.op == 1 && c.kind == cmd_kind::compute && c.unit == unit_kind::mac_array) {
                CHECK(c.gemm.n == 384);
                CHECK(c.gemm.k % 1536 == 0); // K split blocks would divide it; here K is whole
            }
}

TEST_CASE("batched matmul: Q·Kᵀ and P·V per head with the heads along the columns",
          "[ops][attention]") {
    const std::int64_t T = 128, d = 768, heads = 12, H = d / heads;
    attention a(T, d, heads);
    const program p = compile(a.b.g, chip(), "t");
    const int s = op_index(p, "scores"), c = op_index(p, "context");
    REQUIRE(s >= 0);
    REQUIRE(c >= 0);
    CHECK(p.ops[s].type == "batch_matmul");
    // Q·Kᵀ: heads · T · H · T MACs, each GEMM M = rows, K = H, N = T (one head per repeat).
    CHECK(op_sums(p, std::uint32_t(s)).gemm_macs == std::uint64_t(heads * T * H * T));
    // P·V: heads · T · T · H MACs, K = T, N = H.
    CHECK(op_sums(p, std::uint32_t(c)).gemm_macs == std::uint64_t(heads * T * T * H));
    for (const auto &st : p.streams)
        for (const auto &cmd : st) {
            if (cmd.kind != cmd_kind::compute || cmd.unit != unit_kind::mac_array)
                continue;
            if (cmd.op == std::uint32_t(s))
                CHECK((cmd.gemm.k == std::uint64_t(H) && cmd.gemm.n == std::uint64_t(T)));
            if (cmd.op == std::uint32_t(c))
                CHECK((cmd.gemm.k == std::uint64_t(T) && cmd.gemm.n == std::uint64_t(H)));
        }
    // Softmax on the vector unit over all heads·T·T scores, in tiles of whole rows of a head.
    const int sm = op_index(p, "softmax");
    CHECK(op_sums(p, std::uint32_t(sm), vec_fn::softmax).vec_elems == std::uint64_t(heads * T * T));
    for (const auto &st : p.streams)
        for (const auto &cmd : st)
            if (cmd.op == std::uint32_t(sm) && cmd.kind == cmd_kind::compute)
                CHECK(cmd.vec.elements % T == 0);
    // K is B of Q·Kᵀ: it goes through DRAM (every core needs all of it), and each core reads
    // all T rows of it: at least T·d bytes per core that computes.
    CHECK(op_sums(p, std::uint32_t(s)).load_bytes >= std::uint64_t(p.ops[s].cores * T * d));
}

TEST_CASE("the score matrix stays on chip when it fits and is spilled when it does not",
          "[ops][attention]") {
    // 12 heads: scores are 12·T² bytes. T = 128: 196,608 B, 49,152 per core of 4 — under the
    // residency budget (0.5 · 1 MiB). T = 512: 3,145,728 B, 786,432 per core — over it.
    attention small(128, 768, 12), big(512, 768, 12);
    const program ps = compile(small.b.g, chip(), "t");
    const program pb = compile(big.b.g, chip(), "t");
    const int s1 = op_index(ps, "scores"), s2 = op_index(pb, "scores");
    CHECK(ps.ops[s1].tiling.find("output kept on chip") != std::string::npos);
    CHECK(op_sums(ps, std::uint32_t(s1)).store_bytes == 0);
    CHECK(pb.ops[s2].tiling.find("output kept on chip") == std::string::npos);
    CHECK(pb.ops[s2].tiling.find("spilled") != std::string::npos);
    // Spilled: every score byte is written to DRAM once.
    CHECK(op_sums(pb, std::uint32_t(s2)).store_bytes == 12ull * 512 * 512);
}

TEST_CASE("dynamic convolution: unfold fused (read in place) or materialised", "[ops][attention]") {
    const std::int64_t T = 128, A = 384, heads = 6, k = 9;
    auto build = [&] {
        tokens b;
        int x = b.input({T, A});
        int kern = b.input({T, heads * k});
        int u = b.op("unfold", {x}, {T, A * k}, {{"kernel", k}}, "unfold");
        int y =
            b.op("dynamic_conv1d", {u, kern}, {T, A}, {{"kernel", k}, {"heads", heads}}, "dynconv");
        b.output(y);
        return b;
    };
    tokens b = build();
    chip_desc c = chip();
    const program fused = compile(b.g, c, "t");
    REQUIRE(fused.ops.size() == 1);
    CHECK(fused.ops[0].type == "dynamic_conv1d");
    CHECK(fused.ops[0].fused == std::vector<std::string>{"unfold"});
    // T·A·k MACs on the vector unit.
    CHECK(op_sums(fused, 0).vec_elems == std::uint64_t(T * A * k));
    // Reads x once (plus halo rows at core boundaries: 3 boundaries · 2·4 rows) and the
    // kernels once: T·A + T·heads·k bytes, up to 24 halo rows of A.
    const auto ld = op_sums(fused, 0).load_bytes;
    CHECK(ld >= std::uint64_t(T * A + T * heads * k));
    CHECK(ld <= std::uint64_t(T * A + T * heads * k + 24 * A));

    c.compiler.fuse_unfold = false;
    const program mat = compile(b.g, c, "t");
    REQUIRE(mat.ops.size() == 2);
    CHECK(mat.ops[0].type == "unfold");
    // The unfolded tensor is k times x: T·A·k copies.
    CHECK(op_sums(mat, 0, vec_fn::copy).vec_elems == std::uint64_t(T * A * k));
    CHECK(op_sums(mat, 1).vec_elems == std::uint64_t(T * A * k));
}

TEST_CASE("depthwise conv1d over tokens: T·C·k MACs with a (k-1)/2 token halo",
          "[ops][attention]") {
    tokens b;
    const std::int64_t T = 128, C = 768, k = 9;
    int x = b.input({T, C});
    int w = b.tensor({C, k}, true);
    int y = b.op("depthwise_conv1d", {x, w}, {T, C}, {{"kernel", k}}, "dw");
    b.output(y);
    const program p = compile(b.g, chip(), "t");
    REQUIRE(p.ops.size() == 1);
    CHECK(op_sums(p, 0).vec_elems == std::uint64_t(T * C * k));
    chip_desc c = chip();
    c.compiler.depthwise = depthwise_policy::mac_array;
    const program pm = compile(b.g, c, "t");
    CHECK(op_sums(pm, 0).gemm_macs == std::uint64_t(T * C * k));
}

TEST_CASE("layernorm and GELU: vector functions, GELU fused into its linear", "[ops][attention]") {
    tokens b;
    int x = b.input({128, 256});
    int h = b.linear(x, 1024, 1, "fc1");
    int g = b.op("gelu", {h}, {128, 1024}, {}, "gelu");
    int y = b.linear(g, 256, 1, "fc2");
    int gamma = b.tensor({256}, true), beta = b.tensor({256}, true);
    int n = b.op("layernorm", {y, gamma, beta}, {128, 256}, {}, "norm");
    b.output(n);
    const program p = compile(b.g, chip(), "t");
    REQUIRE(p.ops.size() == 3);
    CHECK(p.ops[0].fused == std::vector<std::string>{"gelu"});
    CHECK(op_sums(p, 0, vec_fn::gelu).vec_elems == 128u * 1024);
    CHECK(op_sums(p, 2, vec_fn::layernorm).vec_elems == 128u * 256);
    // Whole rows per layernorm tile (the mean and variance are over the 256 features).
    for (const auto &st : p.streams)
        for (const auto &cmd : st)
            if (cmd.op == 2 && cmd.kind == cmd_kind::compute)
                CHECK(cmd.vec.elements % 256 == 0);
}

TEST_CASE("embedding gathers T rows of the table, sequential reads the first T",
          "[ops][attention]") {
    tokens b;
    const std::int64_t T = 128, V = 30522, E = 128;
    int ids = b.input({T}, workloads::dtype::int32);
    int table = b.tensor({V, E}, true);
    int pos = b.tensor({512, E}, true);
    int w = b.op("embedding", {ids, table}, {T, E}, {}, "word");
    int p = b.op("embedding", {ids, pos}, {T, E}, {{"sequential", 1}}, "position");
    int s = b.op("add", {w, p}, {T, E}, {}, "sum");
    b.output(s);
    const program prog = compile(b.g, chip(), "t");
    // Each gathers exactly T rows of E bytes — not the 3.9 MB table.
    CHECK(op_sums(prog, 0).load_bytes == std::uint64_t(T * E));
    CHECK(op_sums(prog, 1).load_bytes == std::uint64_t(T * E));
    // Word rows are spread over the table: consecutive gathered rows are ⌊V/T⌋ rows apart.
    for (const auto &st : prog.streams)
        for (const auto &cmd : st)
            if (cmd.op == 0 && cmd.kind == cmd_kind::load && cmd.far.rows > 1)
                CHECK(cmd.far.stride == std::uint64_t(V / T * E));
}

TEST_CASE("transpose, and concat/slice over tokens, move every element once", "[ops][attention]") {
    tokens b;
    int x = b.input({768, 196}); // a patch-embedding output, channels first
    int t = b.op("transpose", {x}, {196, 768}, {}, "tr");
    int cls = b.tensor({1, 768}, true);
    int c = b.op("concat", {cls, t}, {197, 768}, {{"axis", 0}}, "cat");
    int s = b.op("slice", {c}, {1, 768}, {{"axis", 0}, {"begin", 0}, {"end", 1}}, "cls");
    b.output(s);
    const program p = compile(b.g, chip(), "t");
    REQUIRE(p.ops.size() == 3);
    CHECK(op_sums(p, 0, vec_fn::copy).vec_elems == 196u * 768);
    CHECK(op_sums(p, 0).load_bytes == 196u * 768);
    CHECK(op_sums(p, 1, vec_fn::copy).vec_elems == 197u * 768);
    CHECK(op_sums(p, 2, vec_fn::copy).vec_elems == 768u);
}

TEST_CASE("attention operators the chip cannot run are input errors", "[ops][attention]") {
    tokens b;
    int a = b.input({2, 4, 8});
    int c = b.input({2, 8, 16});
    int y = b.op("matmul", {a, c}, {2, 4, 16}, {}, "bmm3");
    b.output(y);
    CHECK_THROWS_AS(compile(b.g, chip(), "t"), sim::input_error);
}

TEST_CASE("fused attention: Q·Kᵀ, softmax and P·V in one operator, scores never stored",
          "[ops][attention]") {
    const std::int64_t T = 512, d = 768, heads = 12, H = d / heads;
    attention a(T, d, heads);
    chip_desc c = chip();
    c.compiler.attention = attention_policy::fused;
    c.compiler.split = core_split::channels; // heads across cores: K and V read once in total
    const program p = compile(a.b.g, c, "t");
    REQUIRE(p.ops.size() == 4); // query, key, value, fused attention
    const int f = op_index(p, "context");
    REQUIRE(f == 3);
    CHECK(p.ops[f].type == "fused_attention");
    CHECK(p.ops[f].fused == std::vector<std::string>{"scores", "softmax"});
    // Q·Kᵀ + P·V = 2 · heads · T · H · T MACs, on the MAC array; softmax over heads · T² scores.
    const sums s = op_sums(p, std::uint32_t(f));
    CHECK(s.gemm_macs == std::uint64_t(2 * heads * T * H * T));
    CHECK(p.ops[f].macs == std::uint64_t(2 * heads * T * H * T));
    CHECK(op_sums(p, std::uint32_t(f), vec_fn::softmax).vec_elems == std::uint64_t(heads * T * T));
    // DRAM: Q, K and V read once each (T·d bytes), only the context written (T·d): the
    // 12·512² = 3 MiB of scores that the separate operators spill never reach DRAM.
    CHECK(s.load_bytes == std::uint64_t(3 * T * d));
    CHECK(s.store_bytes == std::uint64_t(T * d));
    // Separate operators on the same chip: the scores are spilled (written once, read back).
    c.compiler.attention = attention_policy::separate;
    const program q = compile(a.b.g, c, "t");
    REQUIRE(q.ops.size() == 6);
}
