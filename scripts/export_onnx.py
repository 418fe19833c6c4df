#!/usr/bin/env python3
"""Exports a network to ONNX for `qcsim run --workload FILE.onnx`, so that qcsim's import can be
checked against PyTorch (docs/workloads.md "ONNX models").

    scripts/export_onnx.py torchvision:resnet50 -o resnet50.onnx
    scripts/export_onnx.py mobilenext -o mobilenext.onnx [--width 1.0] [--resolution 224]
    scripts/export_onnx.py torchvision:segmentation.deeplabv3_mobilenet_v3_large -o d.onnx
    scripts/export_onnx.py upsampler -o up.onnx
    scripts/export_onnx.py conv1d -o c1.onnx --resolution 64     # input [1,3,64]
    scripts/export_onnx.py resampler -o rs.onnx --resolution 64
    scripts/export_onnx.py --list

Models: `torchvision:NAME` (any classifier of torchvision.models, built with weights=None: no
download, randomly initialised weights, whose values qcsim ignores; `torchvision:segmentation.NAME`
for torchvision.models.segmentation, e.g. its DeepLabV3 and FCN with dilated convolutions) and the
project's own generator networks as PyTorch modules: `mobilenetv2` and `resnet50` (torchvision's,
which the generators follow) and `mobilenext` (the official mnext.py structure, identity_div 1);
`upsampler`, a small decoder of nn.ConvTranspose2d layers (overlapping windows, padding,
output_padding, groups, bias, dilation) for checking the import of transposed convolutions;
`conv1d`, a small 1-D CNN over [1,3,L] (L = --resolution: nn.Conv1d strided, dilated and
depthwise, BatchNorm1d, MaxPool1d, AvgPool1d, nn.ConvTranspose1d); `resampler`, convolutions between
F.interpolate calls that downscale (scale_factor 0.5, nearest), upscale by a fraction (1.5,
bilinear) and resize bicubically (0.75).

The script prints PyTorch's parameter count and its multiply-accumulates, counted by forward
hooks as qcsim counts them
(docs/workloads.md): Conv2d output elements · Cin/groups · kh·kw, ConvTranspose2d input elements
· Cout/groups · kh·kw, Linear rows · in · out (not the attention matmuls of `bert`).

The export keeps BatchNorm as its own node (training=PRESERVE on a model in eval mode), so the
importer folds it into the convolution as the generators do (2·C parameters per BN); with the
default EVAL mode PyTorch would fold it into a conv bias of C parameters. The batch axis is
symbolic ("batch"); qcsim imports batch 1 unless the spec says FILE.onnx:batch=N.

It prints PyTorch's own count of the model: "FILE: MODEL, N parameters, M MACs", N the sum of
the parameter elements (BatchNorm's weight and bias included, running statistics not), M the
conv and linear MACs of one batch-1 forward pass counted by forward hooks (what qcsim counts as
MACs for a CNN); tests/torch compares them with the imported graph.

Needs Debian's python3-torch and python3-torchvision (about 825 MB installed, see README):
`scripts/setup.sh --with-torch` installs them. Exit status 2 with a message when they are
missing or the model name is unknown.
"""

import argparse
import math
import sys


def fail(msg):
    print("export_onnx.py: " + msg, file=sys.stderr)
    sys.exit(2)


try:
    import torch
    from torch import nn
    import torch.nn.functional as F
    import torchvision
except ImportError as e:  # pragma: no cover - depends on the machine
    fail("needs PyTorch and torchvision (%s); install Debian's python3-torch and "
         "python3-torchvision with scripts/setup.sh --with-torch (about 825 MB), and run this "
         "script with Debian's python3 (/usr/bin/python3)" % e)


def make_divisible(v, divisor=8):
    """The TF/PyTorch channel rounding (workloads::make_divisible)."""
    n = max(divisor, int(v + divisor / 2) // divisor * divisor)
    if n < 0.9 * v:
        n += divisor
    return n


def conv_bn(cin, cout, k, s, groups=1, act=True):
    layers = [nn.Conv2d(cin, cout, k, s, (k - 1) // 2, groups=groups, bias=False),
              nn.BatchNorm2d(cout)]
    if act:
        layers.append(nn.ReLU6(inplace=True))
    return nn.Sequential(*layers)


class SandGlass(nn.Module):
    """MobileNeXt's SGBlock, variants A-D as workloads/generators.cpp (mobilenext_body)."""

    def __init__(self, cin, cout, s, t, keep_3x3):
        super().__init__()
        hidden = cin // t
        if hidden < cout / 6.0:
            hidden = make_divisible(math.ceil(cout / 6.0), 16)
        variant_a = t == 2
        variant_b = not variant_a and cin != cout and s == 1 and not keep_3x3
        variant_c = not variant_a and cin != cout and s == 2 and not keep_3x3
        layers = []
        if variant_a or (not variant_b and not variant_c):
            layers.append(conv_bn(cin, cin, 3, 1, groups=cin))
        layers.append(conv_bn(cin, hidden, 1, 1, act=False))
        layers.append(conv_bn(hidden, cout, 1, 1))
        if not variant_b:
            layers.append(conv_bn(cout, cout, 3, s, groups=cout, act=False))
        self.conv = nn.Sequential(*layers)
        self.identity = (not variant_a and not variant_b and not variant_c and not keep_3x3
                         and cin == cout and s == 1)

    def forward(self, x):
        y = self.conv(x)
        return y + x if self.identity else y


class MobileNeXt(nn.Module):
    def __init__(self, width=1.0, classes=1000):
        super().__init__()
        rows = [(2, 96, 1, 2), (6, 144, 1, 1), (6, 192, 3, 2), (6, 288, 3, 2), (6, 384, 4, 1),
                (6, 576, 4, 2), (6, 960, 3, 1), (6, 1280, 1, 1)]
        cin = make_divisible(32 * width)
        layers = [conv_bn(3, cin, 3, 2)]
        for t, c, n, s in rows:
            cout = (make_divisible(1280 * max(1.0, width)) if c == 1280
                    else make_divisible(c * width))
            for i in range(n):
                keep_3x3 = n == 1 and s == 1 and i == 0
                layers.append(SandGlass(cin, cout, s if i == 0 else 1, t, keep_3x3))
                cin = cout
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(cin, classes)

    def forward(self, x):
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


class BertLayer(nn.Module):
    """One post-norm encoder layer as the `bert` generator builds it (Hugging Face BertLayer)."""

    def __init__(self, d, heads, ffn):
        super().__init__()
        self.heads, self.hd = heads, d // heads
        self.query, self.key, self.value = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.output, self.norm1 = nn.Linear(d, d), nn.LayerNorm(d)
        self.ffn_in, self.ffn_out, self.norm2 = nn.Linear(d, ffn), nn.Linear(ffn, d), nn.LayerNorm(d)

    def split(self, x):  # [B, T, d] -> [B, heads, T, hd]
        b, t, _ = x.shape
        return x.reshape(b, t, self.heads, self.hd).permute(0, 2, 1, 3)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        p = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(self.hd), dim=-1)
        c = (p @ v).permute(0, 2, 1, 3).reshape(b, t, d)
        x = self.norm1(self.output(c) + x)
        return self.norm2(self.ffn_out(nn.functional.gelu(self.ffn_in(x))) + x)


class Bert(nn.Module):
    """The `bert` generator's encoder with embeddings and pooler (no mask, no pooler tanh)."""

    def __init__(self, preset, layers):
        super().__init__()
        d, heads, ffn, n = {"small": (512, 8, 2048, 4), "base": (768, 12, 3072, 12)}[preset]
        self.word, self.position = nn.Embedding(30522, d), nn.Embedding(512, d)
        self.token_type, self.norm = nn.Embedding(2, d), nn.LayerNorm(d)
        self.layers = nn.ModuleList(BertLayer(d, heads, ffn) for _ in range(layers or n))
        self.pooler = nn.Linear(d, d)

    def forward(self, input_ids, token_type_ids):
        t = input_ids.shape[1]
        pos = torch.arange(t)
        x = self.norm(self.word(input_ids) + self.position(pos) + self.token_type(token_type_ids))
        for layer in self.layers:
            x = layer(x)
        return x, self.pooler(x[:, 0])


class Upsampler(nn.Module):
    """A small decoder of transposed convolutions in the forms ONNX ConvTranspose takes."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(3, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(inplace=True),
            # kernel 3, stride 2, padding 1, output_padding 1: overlapping, 2x upsampling
            nn.ConvTranspose2d(16, 16, 3, 2, 1, output_padding=1, bias=False),
            nn.BatchNorm2d(16), nn.ReLU(inplace=True),
            # kernel 4, stride 2, padding 1 (DCGAN's), grouped, with a bias
            nn.ConvTranspose2d(16, 8, 4, 2, 1, groups=2),
            nn.ReLU(inplace=True),
            # stride 1, dilation 2 (grows the map by 4), and kernel = stride (no overlap)
            nn.ConvTranspose2d(8, 8, 3, 1, 0, dilation=2, bias=False),
            nn.ConvTranspose2d(8, 4, 2, 2))

    def forward(self, x):
        return self.body(x)


class Conv1dNet(nn.Module):
    """A small 1-D CNN (Conv1d and ConvTranspose1d in the forms ONNX takes on [N,C,L])."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(3, 16, 5, 2, 2, bias=False), nn.BatchNorm1d(16), nn.ReLU(inplace=True),
            nn.MaxPool1d(2),
            nn.Conv1d(16, 16, 3, 1, 2, dilation=2, groups=16),  # depthwise, dilated
            nn.Conv1d(16, 32, 1), nn.ReLU(inplace=True),
            nn.AvgPool1d(3, 2, 1),
            nn.ConvTranspose1d(32, 8, 4, 2, 1, output_padding=1))

    def forward(self, x):
        return self.body(x)


class Resampler(nn.Module):
    """Convolutions between F.interpolate calls: down by 0.5 (nearest), up by 1.5 (bilinear),
    bicubic by 0.75."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 8, 3, 1, 1)
        self.c2 = nn.Conv2d(8, 8, 3, 1, 1)
        self.c3 = nn.Conv2d(8, 8, 1)
        self.c4 = nn.Conv2d(8, 4, 1)

    def forward(self, x):
        x = F.interpolate(self.c1(x), scale_factor=0.5, mode="nearest")
        x = F.interpolate(self.c2(x), scale_factor=1.5, mode="bilinear", align_corners=False)
        x = F.interpolate(self.c3(x), scale_factor=0.75, mode="bicubic", align_corners=False)
        return self.c4(x)


def build(name, width):
    if name.startswith("torchvision:segmentation."):
        tv = name[len("torchvision:segmentation."):]
        if not callable(getattr(torchvision.models.segmentation, tv, None)):
            fail("unknown torchvision segmentation model \"%s\"" % tv)
        return getattr(torchvision.models.segmentation, tv)(weights=None, weights_backbone=None)
    if name == "upsampler":
        return Upsampler()
    if name == "conv1d":
        return Conv1dNet()
    if name == "resampler":
        return Resampler()
    if name.startswith("torchvision:"):
        tv = name[len("torchvision:"):]
        if tv not in torchvision.models.list_models() if hasattr(torchvision.models, "list_models") \
                else not callable(getattr(torchvision.models, tv, None)):
            fail("unknown torchvision model \"%s\"" % tv)
        return getattr(torchvision.models, tv)(weights=None)
    if name == "mobilenext":
        return MobileNeXt(width)
    if name == "mobilenetv2":
        return torchvision.models.mobilenet_v2(weights=None, width_mult=width)
    if name == "resnet50":
        return torchvision.models.resnet50(weights=None)
    if name.startswith("bert"):
        preset = name.split(":", 1)[1] if ":" in name else "base"
        if preset not in ("small", "base"):
            fail("unknown bert preset \"%s\": expected bert:small or bert:base" % preset)
        return Bert(preset, 0)
    fail("unknown model \"%s\": expected torchvision:NAME, torchvision:segmentation.NAME, "
         "mobilenext, mobilenetv2, resnet50, upsampler, conv1d, resampler, bert:small or bert:base"
         % name)


def hooked_macs(model, args):
    """MACs of one forward pass (batch 1) counted by forward hooks on the convolution and linear
    modules: Conv out elements x Cin/groups x kh x kw, ConvTranspose in elements x Cout/groups x
    kh x kw, Linear out elements x in_features. Other work (elementwise, pools, attention's
    matmuls written as torch.matmul) is not counted."""
    total = [0]

    def conv(m, inp, out):
        k = 1
        for d in m.weight.shape[2:]:
            k *= d
        if isinstance(m, nn.modules.conv._ConvTransposeNd):
            total[0] += inp[0].numel() * m.weight.shape[1] * k
        else:
            total[0] += out.numel() * m.weight.shape[1] * k

    def linear(m, inp, out):
        total[0] += out.numel() * m.in_features

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.modules.conv._ConvNd):
            hooks.append(m.register_forward_hook(conv))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear))
    with torch.no_grad():
        model(*args)
    for h in hooks:
        h.remove()
    return total[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", nargs="?",
                    help="torchvision:NAME | torchvision:segmentation.NAME | mobilenext | "
                    "mobilenetv2 | resnet50 | upsampler | conv1d | resampler | bert:small | bert:base")
    ap.add_argument("-o", "--output", help="the ONNX file to write")
    ap.add_argument("--width", type=float, default=1.0, help="width multiplier (mobilenext, "
                    "mobilenetv2)")
    ap.add_argument("--resolution", type=int, default=224, help="input height and width")
    ap.add_argument("--seq", type=int, default=128, help="sequence length (bert)")
    ap.add_argument("--opset", type=int, default=13, help="ONNX opset (libonnx 1.12 reads <= 17)")
    ap.add_argument("--list", action="store_true", help="list the torchvision model names")
    ap.add_argument("--macs", action="store_true",
                    help="accepted for compatibility: the MACs are always printed")
    a = ap.parse_args()
    if a.list:
        names = sorted(n for n in dir(torchvision.models)
                       if n[0].islower() and callable(getattr(torchvision.models, n)))
        seg = sorted(n for n in dir(torchvision.models.segmentation)
                     if n[0].islower() and callable(getattr(torchvision.models.segmentation, n)))
        print("\n".join(["mobilenext", "mobilenetv2", "resnet50", "upsampler", "conv1d",
                         "resampler", "bert:small", "bert:base"] + ["torchvision:" + n for n in names] +
                        ["torchvision:segmentation." + n for n in seg]))
        return
    if not a.model or not a.output:
        fail("expected MODEL and -o FILE (see --help)")
    torch.manual_seed(0)
    model = build(a.model, a.width).eval()
    params = sum(p.numel() for p in model.parameters())
    if isinstance(model, Bert):
        ids = torch.zeros(1, a.seq, dtype=torch.long)
        args, inputs, outputs = (ids, ids.clone()), ["input_ids", "token_type_ids"], ["sequence", "pooled"]
    elif isinstance(model, Conv1dNet):
        args, inputs, outputs = (torch.zeros(1, 3, a.resolution),), ["input"], ["logits"]
    else:
        args, inputs, outputs = (torch.zeros(1, 3, a.resolution, a.resolution),), ["input"], ["logits"]
    macs = hooked_macs(model, args)
    with torch.no_grad():
        torch.onnx.export(model, args, a.output, opset_version=a.opset,
                          training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False,
                          input_names=inputs, output_names=outputs,
                          dynamic_axes={n: {0: "batch"} for n in inputs + outputs})
    print("%s: %s, %d parameters, %d MACs (PyTorch count: sum of parameter elements; conv and "
          "linear MACs by forward hooks)" % (a.output, a.model, params, macs))


if __name__ == "__main__":
    main()
