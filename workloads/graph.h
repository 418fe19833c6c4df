#pragma once
// The in-memory network graph every workload becomes (generator, JSON trace, later ONNX):
// tensors with a shape, a dtype and a constant flag, and operators in topological order.
// Pure C++17, no SystemC: the compiler (ops/) and scripts use it directly.

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace workloads {

enum class dtype : std::uint8_t { int8, int16, fp16, int32, fp32 };

// Size limits of a graph (docs/workloads.md "Limits"), checked by validate() with overflow-safe
// arithmetic, so that no shape can overflow 64 bits or make a run take hours: the largest
// operator allowed (a 2^40-MAC linear) simulates in about 30 s, a relu over 2^32 elements in 7 s.
/// Elements of one tensor (also bounds every dimension and every integer attribute).
constexpr std::int64_t max_tensor_elements = std::int64_t(1) << 32;
/// resize: each output extent (size) is at most this multiple of the input extent.
constexpr std::int64_t resize_max_factor = 64;
/// Multiply-accumulates of one operator.
constexpr std::int64_t max_op_macs = std::int64_t(1) << 40;
/// Multiply-accumulates of the whole graph.
constexpr std::int64_t max_graph_macs = std::int64_t(1) << 42;
/// Elements of all tensors of the graph together.
constexpr std::int64_t max_graph_elements = std::int64_t(1) << 36;

/// Bytes per element of a dtype.
int dtype_bytes(dtype t);
/// "int8", "int16", ...; parse_dtype throws std::invalid_argument on an unknown name.
const char *dtype_name(dtype t);
dtype parse_dtype(const std::string &name);

struct tensor {
    std::string name;
    std::vector<std::int64_t> shape; ///< CHW for vision (batch 1, no N axis), [T, D] for tokens
    dtype type = dtype::int8;
    bool constant = false; ///< weights/biases: live in DRAM, never produced by an operator

    /// Product of the dimensions; INT64_MAX when it does not fit 64 bits.
    std::int64_t elements() const;
    std::int64_t bytes() const { return elements() * dtype_bytes(type); }
};

/// Operator attribute values: integers, floats, strings and integer lists.
using attr_value = std::variant<std::int64_t, double, std::string, std::vector<std::int64_t>>;

/// Operator types of the trace format (README "Trace format"). The string form is the trace's
/// "type" field; the reader rejects any other string.
///   conv2d   inputs [x, w(, b)]  attrs kernel=[kh,kw] stride=[sh,sw] pad=[t,l,b,r] groups
///            dilation=[dh,dw] activation="none|relu|relu6|prelu|sigmoid"  batchnorm=0|1
///            (folded BN)
///   conv_transpose2d  inputs [x, w [C,Cout/groups,kh,kw](, b)]  attrs as conv2d plus
///            output_padding=[oh,ow] (ONNX ConvTranspose)
///   fc       inputs [x, w(, b)]  (x flattened)  activation
///   matmul   inputs [a, b]  a:[M,heads·K] b:[K,heads·N] (or [N,heads·K] with transpose_b=1);
///            rank >= 3: a:[..,M,K] b:[..,K,N]
///   add, mul inputs [a, b]  same rank, NumPy broadcasting (per axis equal or 1; b a scalar,
///            [C,1,1], [1,H,W], [1,D], [T,1], or both broadcast: [C,1,1] + [1,H,W] ->
///            [C,H,W]); attrs channel_begin, channel_end (optional: the
///            sub-range of a's channels that are combined with b; the other channels pass
///            through)
///   relu, relu6, sigmoid, prelu(inputs [x, slope])
///   maxpool, avgpool  attrs kernel, stride, pad, dilation;  global_avgpool
///   resize   attrs size=[Hout,Wout] (any, up to 64x) mode="nearest|linear|cubic" (1, 4, 16 taps)
///   concat   attrs axis;   slice  attrs axis, begin, end
///   pad      attrs pads (begins then ends, every axis), mode="constant|edge|reflect"
///   transpose  attrs perm (any rank; default the axes reversed: [M,N] -> [N,M])
/// Token operators on [T,D] tensors (docs/attention-ops.md): linear (groups, activation
/// none|relu|gelu), depthwise_conv1d, unfold, dynamic_conv1d (kernel, pad, heads), softmax
/// (group), layernorm, gelu, embedding (sequential).
struct op {
    std::string name;
    std::string type;
    std::vector<int> inputs;  ///< tensor indices
    std::vector<int> outputs; ///< tensor indices
    std::map<std::string, attr_value> attrs;

    std::int64_t attr_int(const std::string &key, std::int64_t dflt) const;
    std::vector<std::int64_t> attr_ints(const std::string &key,
                                        const std::vector<std::int64_t> &dflt) const;
    std::string attr_str(const std::string &key, const std::string &dflt) const;
};

struct graph {
    std::string name; ///< e.g. "mobilenext:width=1,identity_div=1,resolution=224"
    std::vector<tensor> tensors;
    std::vector<op> ops;      ///< topological order
    std::vector<int> inputs;  ///< network input tensors
    std::vector<int> outputs; ///< network output tensors

    int add_tensor(tensor t); ///< returns its index
    /// Multiply-accumulates of one operator (conv: Hout·Wout·Cout·(Cin/groups)·kh·kw, whatever
    /// the dilation; conv_transpose2d: Hin·Win·Cin·(Cout/groups)·kh·kw; fc: in·out;
    /// matmul: M·K·N·heads; linear: T·N·K/groups; depthwise_conv1d, dynamic_conv1d: T_out·C·k;
    /// everything else 0). INT64_MAX when the product does not fit 64 bits.
    std::int64_t op_macs(const op &o) const;
    std::int64_t total_macs() const; ///< INT64_MAX when the sum does not fit

    /// Trainable parameters: elements of all constant tensors, plus 2·Cout for every operator
    /// with attribute batchnorm=1 (a BatchNorm folded into it at inference: its gamma and beta
    /// are counted as the published figures count them, but are not separate tensors).
    std::int64_t total_params() const;
};

// ---- Operator rules: one table for the trace reader, the validator and docs/workloads.md ------

/// How an attribute's value is typed in the trace and in op::attrs.
enum class attr_kind : std::uint8_t {
    integer,  ///< std::int64_t, a JSON integer
    integers, ///< std::vector<std::int64_t>, a JSON array of integers
    string    ///< std::string, a JSON string
};

struct attr_rule {
    const char *name;
    attr_kind kind;
    const char *description; ///< meaning, allowed values and default
};

/// A violation found inside one operator. `where` is relative to the operator, in trace-path
/// form ("inputs[1]", "attrs.stride", "outputs[0]"), so that validate() can name the JSON path.
struct op_error : std::runtime_error {
    op_error(std::string where_, const std::string &what)
        : std::runtime_error(what), where(std::move(where_)) {}
    std::string where;
};

struct op_rule {
    const char *type;
    int min_inputs, max_inputs;
    const char *inputs; ///< documentation: "x, w(, b)"
    std::vector<attr_rule> attrs;
    const char *shape_rule; ///< documentation of the shape rule
    /// Checks inputs and attributes of `o` in `g` and returns its output shape; throws op_error.
    std::vector<std::int64_t> (*infer)(const graph &g, const op &o);
};

/// Every operator type the trace format accepts, in documentation order.
const std::vector<op_rule> &op_rules();
/// The rule of `type`, or nullptr when the type is unknown.
const op_rule *find_op_rule(const std::string &type);
std::vector<std::string> op_type_names();

/// Output shape of `o` (its single output) from its inputs and attributes, after checking the
/// input count, attribute kinds and every shape rule; throws op_error.
std::vector<std::int64_t> infer_output_shape(const graph &g, const op &o);

/// Index of the tensor named `name`, or -1.
int find_tensor(const graph &g, const std::string &name);

/// "[3,224,224]"
std::string shape_str(const std::vector<std::int64_t> &shape);

/// Checks a whole graph: unique non-empty names, positive dims, valid tensor indices, network
/// inputs non-constant, every non-constant tensor produced once before it is used, every
/// operator against its rule and its declared output shape against the inferred one.
/// Throws sim::input_error(file, path, ...) with a trace path ("ops[3].attrs.stride",
/// "tensors[5].shape[1]") so the same check serves traces and generated graphs. Also checks the
/// size limits above: a tensor's elements (at "tensors[i].shape"), an integer attribute (at
/// "ops[i].attrs.key"), an operator's MACs (at "ops[i]"), and the graph's MACs and elements.
void validate(const graph &g, const std::string &file);

} // namespace workloads
