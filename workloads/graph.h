#pragma once
// The in-memory network graph every workload becomes (generator, JSON trace, later ONNX):
// tensors with a shape, a dtype and a constant flag, and operators in topological order.
// Pure C++17, no SystemC: the compiler (ops/) and scripts use it directly.

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace workloads {

enum class dtype : std::uint8_t { int8, int16, fp16, int32, fp32 };

/// Bytes per element of a dtype.
int dtype_bytes(dtype t);
/// "int8", "int16", ...; parse_dtype throws std::invalid_argument on an unknown name.
const char* dtype_name(dtype t);
dtype parse_dtype(const std::string& name);

struct tensor {
    std::string name;
    std::vector<std::int64_t> shape; ///< CHW for vision (batch 1, no N axis), [T, D] for tokens
    dtype type = dtype::int8;
    bool constant = false; ///< weights/biases: live in DRAM, never produced by an operator

    std::int64_t elements() const;
    std::int64_t bytes() const { return elements() * dtype_bytes(type); }
};

/// Operator attribute values: integers, floats, strings and integer lists.
using attr_value = std::variant<std::int64_t, double, std::string, std::vector<std::int64_t>>;

/// Operator types of the trace format (README "Trace format"). The string form is the trace's
/// "type" field; the reader rejects any other string.
///   conv2d   inputs [x, w(, b)]  attrs kernel=[kh,kw] stride=[sh,sw] pad=[t,l,b,r] groups
///            activation="none|relu|relu6|prelu|sigmoid"  batchnorm=0|1 (folded BN)
///   fc       inputs [x, w(, b)]  (x flattened)  activation
///   matmul   inputs [a, b]  a:[M,K] b:[K,N]
///   add, mul inputs [a, b]  attrs channel_begin, channel_end (optional: the sub-range of
///            a's channels that are combined with b; the other channels pass through)
///   relu, relu6, sigmoid, prelu(inputs [x, slope])
///   maxpool, avgpool  attrs kernel, stride, pad;  global_avgpool
///   concat   attrs axis;   slice  attrs axis, begin, end
struct op {
    std::string name;
    std::string type;
    std::vector<int> inputs;  ///< tensor indices
    std::vector<int> outputs; ///< tensor indices
    std::map<std::string, attr_value> attrs;

    std::int64_t attr_int(const std::string& key, std::int64_t dflt) const;
    std::vector<std::int64_t> attr_ints(const std::string& key,
                                        const std::vector<std::int64_t>& dflt) const;
    std::string attr_str(const std::string& key, const std::string& dflt) const;
};

struct graph {
    std::string name; ///< e.g. "mobilenext:width=1,identity_div=1,resolution=224"
    std::vector<tensor> tensors;
    std::vector<op> ops; ///< topological order
    std::vector<int> inputs;  ///< network input tensors
    std::vector<int> outputs; ///< network output tensors

    int add_tensor(tensor t); ///< returns its index
    /// Multiply-accumulates of one operator (conv: Hout·Wout·Cout·(Cin/groups)·kh·kw; fc: in·out;
    /// matmul: M·K·N; everything else 0).
    std::int64_t op_macs(const op& o) const;
    std::int64_t total_macs() const;
    /// Trainable parameters: elements of all constant tensors, plus 2·Cout for every operator
    /// with attribute batchnorm=1 (a BatchNorm folded into it at inference: its gamma and beta
    /// are counted as the published figures count them, but are not separate tensors).
    std::int64_t total_params() const;
};

} // namespace workloads
