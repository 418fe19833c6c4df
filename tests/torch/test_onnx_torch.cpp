// torchvision's mobilenet_v2 and resnet50 (and the script's MobileNeXt), exported by
// scripts/export_onnx.py with Debian's python3-torch, imported by workloads::import_onnx: their
// MACs and parameters must equal the generators' exactly, and the published figures (networks.md:
// MobileNetV2-1.0 3,504,872 parameters, torchvision's count; ResNet-50 4,089,184,256 MACs and
// 25,557,032 parameters, torchvision's figures). Also networks with dilated and transposed
// convolutions (torchvision's DeepLabV3-MobileNetV3 and FCN-ResNet50 segmentation models, the
// script's `upsampler` of nn.ConvTranspose2d layers, its 1-D `conv1d` and its `resampler` of
// F.interpolate down, fractional and bicubic) and torchvision's shufflenet_v2_x1_0 and
// densenet121, which have no generator: their MACs and parameters must equal PyTorch's own
// counts (forward hooks and sum(p.numel()), printed by export_onnx.py). Without PyTorch the test
// exits 77, which ctest reports as skipped.

#include "sim/errors.h"
#include "workloads/generators.h"
#include "workloads/onnx_import.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <utility>

#include <unistd.h>

namespace {

int failures = 0;

void expect(const std::string &what, std::int64_t got, std::int64_t want) {
    const bool ok = got == want;
    std::cout << (ok ? "ok   " : "FAIL ") << what << ": " << got << (ok ? " == " : " != ") << want
              << "\n";
    failures += !ok;
}

/// Runs `cmd`, returns its standard output (empty on failure).
std::string run(const std::string &cmd, int &status) {
    std::string out;
    FILE *f = ::popen(cmd.c_str(), "r");
    if (!f) {
        status = -1;
        return out;
    }
    char buf[4096];
    while (std::fgets(buf, sizeof buf, f))
        out += buf;
    status = ::pclose(f);
    return out;
}

/// The integer just before `unit` (" parameters", " MACs") in `s`, or -1.
std::int64_t number_before(const std::string &s, const std::string &unit) {
    const auto e = s.find(unit);
    if (e == std::string::npos)
        return -1;
    auto b = s.rfind(' ', e - 1);
    b = b == std::string::npos ? 0 : b + 1;
    return std::strtoll(s.substr(b, e - b).c_str(), nullptr, 10);
}

} // namespace

int main() {
    const std::string py = QCSIM_PYTHON3;
    if (std::system((py + " -c 'import torch, torchvision' >/dev/null 2>&1").c_str()) != 0) {
        std::cout << "skipped: " << py
                  << " cannot import torch and torchvision (install Debian's python3-torch and "
                     "python3-torchvision: scripts/setup.sh --with-torch)\n";
        return 77;
    }
    const auto dir =
        std::filesystem::temp_directory_path() / ("qcsim_onnx_torch_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    struct net {
        const char *model, *generator;                 ///< export_onnx.py model, generator spec
        std::int64_t published_params, published_macs; ///< 0: not published exactly
    };
    // The script's own MobileNeXt module (mnext.py structure) too: networks.md §2.2 gives
    // 3,535,416 parameters; and its BERT-Small (multi-head attention with 4-D transposes, GELU's
    // Erf form, LayerNorm decomposed at opset 13, position embeddings): 28,763,648 parameters
    // (KerasHub bert_small_en_uncased, docs/workloads.md).
    const net nets[] = {{"torchvision:mobilenet_v2", "mobilenetv2", 3504872, 0},
                        {"torchvision:resnet50", "resnet50", 25557032, 4089184256},
                        {"mobilenext", "mobilenext", 3535416, 0},
                        {"bert:small", "bert:preset=small", 28763648, 0}};
    // Exports `t` to `file`; PyTorch's own count (export_onnx.py prints "N parameters, M MACs":
    // sum of parameter elements, conv and linear MACs by forward hooks), or {-1, -1}.
    auto export_model = [&](const std::string &t,
                            const std::string &file) -> std::pair<std::int64_t, std::int64_t> {
        const std::string cmd =
            py + " " + QCSIM_SOURCE_DIR + "/scripts/export_onnx.py " + t + " -o " + file + " 2>&1";
        std::string out;
        if (FILE *p = ::popen(cmd.c_str(), "r")) {
            char buf[4096];
            while (std::fgets(buf, sizeof buf, p))
                out += buf;
            if (::pclose(p) != 0)
                out.clear();
        }
        std::int64_t params = -1, macs = -1;
        const auto at = out.find(" parameters, ");
        if (at != std::string::npos) {
            const auto start = out.rfind(' ', at - 1) + 1;
            params = std::stoll(out.substr(start, at - start));
            macs = std::stoll(out.substr(at + 13));
        }
        if (params < 0) {
            std::cout << "FAIL export: " << cmd << "\n" << out;
            ++failures;
        }
        return {params, macs};
    };
    for (const auto &n : nets) {
        const std::string t = n.model;
        const std::string file = (dir / (t.substr(t.find(':') + 1) + ".onnx")).string();
        if (export_model(t, file).first < 0)
            continue;
        try {
            const workloads::graph g = workloads::import_onnx(file);
            const workloads::graph ref = workloads::build_workload(n.generator);
            expect(t + " MACs = " + n.generator + "'s", g.total_macs(), ref.total_macs());
            expect(t + " parameters = " + n.generator + "'s", g.total_params(), ref.total_params());
            expect(t + " parameters = published", g.total_params(), n.published_params);
            if (n.published_macs)
                expect(t + " MACs = published", g.total_macs(), n.published_macs);
        } catch (const std::exception &e) {
            std::cout << "FAIL import: " << e.what() << "\n";
            ++failures;
        }
    }
    // Dilated and transposed convolutions against PyTorch's own counts (export_onnx.py).
    // DeepLabV3's atrous convolutions have dilation 2..36 with padding = dilation (less than
    // (d-1)(k-1) for k = 3), FCN-ResNet50's backbone dilations 2 and 4; `upsampler` has
    // ConvTranspose2d with overlapping windows, padding, output_padding, groups, a bias and a
    // dilation. 224 and 64 pixels keep the export quick; every upsampling is a whole factor.
    // `conv1d` (nn.Conv1d strided, dilated, depthwise; 1-D pools; ConvTranspose1d) over [1,3,64]
    // (24,832 MACs: 7680 + 768 + 8192 + 8·32·8·4 = 8192 transposed) and `resampler`
    // (F.interpolate by 0.5 nearest, 1.5 bilinear, 0.75 bicubic between convolutions: their
    // MACs follow from the resized extents 64 -> 32 -> 48 -> 36).
    const std::pair<const char *, int> counted[] = {
        {"torchvision:segmentation.deeplabv3_mobilenet_v3_large", 224},
        {"torchvision:segmentation.fcn_resnet50", 224},
        {"upsampler", 64},
        {"conv1d", 64},
        {"resampler", 64}};
    for (const auto &[model, res] : counted) {
        const std::string t = model;
        const std::string file = (dir / (t.substr(t.rfind('.') + 1) + ".onnx")).string();
        const std::string cmd = py + " " + QCSIM_SOURCE_DIR + "/scripts/export_onnx.py " + t +
                                " -o " + file + " --resolution " + std::to_string(res) + " 2>&1";
        int status = 0;
        const std::string out = run(cmd, status);
        const std::int64_t params = number_before(out, " parameters"),
                           macs = number_before(out, " MACs");
        if (status != 0 || params < 0 || macs < 0) {
            std::cout << "FAIL export: " << cmd << "\n" << out;
            ++failures;
            continue;
        }
        try {
            const workloads::graph g = workloads::import_onnx(file);
            expect(t + " MACs = PyTorch's", g.total_macs(), macs);
            expect(t + " parameters = PyTorch's", g.total_params(), params);
        } catch (const std::exception &e) {
            std::cout << "FAIL import: " << e.what() << "\n";
            ++failures;
        }
    }
    // torchvision models without a generator, checked against PyTorch's own count: ShuffleNet
    // V2 (its channel shuffle is a 5-D Transpose: the graph's N-D transpose) and DenseNet-121
    // (BatchNorm after each Concat: a per-channel mul and add, 2·C parameters as PyTorch's γ and
    // β). The hooks count conv and linear MACs, which are all the graph's MACs here.
    for (const char *t : {"torchvision:shufflenet_v2_x1_0", "torchvision:densenet121"}) {
        const std::string name = t;
        const std::string file = (dir / (name.substr(name.find(':') + 1) + ".onnx")).string();
        const auto [params, macs] = export_model(name, file);
        if (params < 0)
            continue;
        try {
            const workloads::graph g = workloads::import_onnx(file);
            expect(name + " MACs = PyTorch's", g.total_macs(), macs);
            expect(name + " parameters = PyTorch's", g.total_params(), params);
        } catch (const std::exception &e) {
            std::cout << "FAIL import: " << e.what() << "\n";
            ++failures;
        }
    }
    std::filesystem::remove_all(dir);
    return failures ? 1 : 0;
}
