"""Exports one architecture of the GPU matrix (docs/gpu-matrix.md) to ONNX with torch + transformers, random
weights (seed 0), TorchScript exporter at opset 14 (the exporter the project's fixtures come from), eager
attention so that Softmax and the norms appear as the ops a user's export has.

usage: python3 export_arch.py ARCH OUT_DIR     -> OUT_DIR/fp32.onnx (+ .data when over 2 GB) and OUT_DIR/meta.json
ARCH: bert-base bert-large distilbert gpt2 llama bart vit resnet50 whisper-enc unet (the matrix), and
      t5, clip (CLIP text encoder, the optimizer's model type "clip"), pegasus-large-enc (the bf16 table)
CW_TINY=1 shrinks every config to two layers (pipeline development and the optimizer fixtures, never for
figures); CW_TINY_H sets the tiny width (default 128; the fixtures use 64 to stay small).

meta.json says how to feed the model (symbolic dims for the small and the large input) and which
model_type / num_heads / hidden_size onnxruntime's transformer optimizer gets.
"""
import json
import math
import os
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F
import transformers

arch, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
TINY = os.environ.get("CW_TINY") == "1"
torch.manual_seed(0)
torch.set_num_threads(4)


def hf(cls, cfg):
    # eager attention: the explicit MatMul/Softmax graph a plain export gives (what the BERT-large had)
    try:
        return cls._from_config(cfg, attn_implementation="eager").eval()
    except Exception:
        return cls(cfg).eval()


def L(n):
    return 2 if TINY else n


def H(n):
    # hidden size: 128 when tiny (4 heads of 32), so tiny files stay small enough to bring back
    return int(os.environ.get("CW_TINY_H", "128")) if TINY else n


def V(n):
    return 1000 if TINY else n


def NH(n):
    return 4 if TINY else n


class LastHidden(nn.Module):
    """Returns last_hidden_state only, so every model has one float output to compare against fp32."""

    def __init__(self, m, names):
        super().__init__()
        self.m = m
        self.names = names

    def forward(self, *args):
        kw = dict(zip(self.names, args))
        r = self.m(**kw, **({"use_cache": False} if getattr(getattr(self.m, "config", None), "use_cache", None) is not None else {}))
        return r.last_hidden_state if hasattr(r, "last_hidden_state") else r[0]


def text(model, names, model_type, heads, hidden, vocab, large=(8, 512), extra_dims=None):
    B, S = 2, 16
    ids = torch.randint(0, vocab, (B, S))
    mask = torch.ones(B, S, dtype=torch.int64)
    args, inputs, axes = [], [], {}
    for n in names:
        if n == "decoder_input_ids":
            args.append(torch.randint(0, vocab, (B, 8)))
            axes[n] = {0: "batch", 1: "tgt"}
            inputs.append({"name": n, "kind": "ids"})
        elif "mask" in n:
            args.append(mask)
            axes[n] = {0: "batch", 1: "seq"}
            inputs.append({"name": n, "kind": "ones"})
        else:
            args.append(ids)
            axes[n] = {0: "batch", 1: "seq"}
            inputs.append({"name": n, "kind": "ids"})
    axes["last_hidden_state"] = {0: "batch", 1: "tgt" if "decoder_input_ids" in names else "seq"}
    small = {"batch": 1, "seq": 128, "tgt": 128}
    big = {"batch": large[0], "seq": large[1], "tgt": large[1]}
    return (LastHidden(model, names), tuple(args), names, axes,
            {"vocab": vocab, "inputs": inputs, "small": small, "large": big, "model_type": model_type,
             "num_heads": heads, "hidden_size": hidden})


def image(model, heads, hidden, model_type, large_batch, size=224, channels=3, name="pixel_values"):
    x = torch.randn(2, channels, size, size)
    axes = {name: {0: "batch"}, "output": {0: "batch"}}
    return (model, (x,), [name], axes,
            {"inputs": [{"name": name, "kind": "normal"}], "small": {"batch": 1}, "large": {"batch": large_batch},
             "model_type": model_type, "num_heads": heads, "hidden_size": hidden})


# ---- a small Stable-Diffusion-shaped UNet (diffusers is not installed there): ResNet blocks with GroupNorm,
# SiLU and a timestep embedding, transformer blocks (LayerNorm, self-attention with Softmax, GELU FFN) at the
# two lower resolutions, skip connections, nearest upsampling.
class ResBlock(nn.Module):
    def __init__(self, cin, cout, temb):
        super().__init__()
        self.norm1, self.conv1 = nn.GroupNorm(32, cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.temb = nn.Linear(temb, cout)
        self.norm2, self.conv2 = nn.GroupNorm(32, cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, t):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.temb(F.silu(t))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


class AttnBlock(nn.Module):
    def __init__(self, c, heads=8):
        super().__init__()
        self.heads = heads
        self.norm = nn.GroupNorm(32, c)
        self.proj_in, self.proj_out = nn.Linear(c, c), nn.Linear(c, c)
        self.layer_norm1, self.layer_norm2 = nn.LayerNorm(c), nn.LayerNorm(c)
        self.qkv, self.o = nn.Linear(c, 3 * c, bias=False), nn.Linear(c, c)
        self.ff1, self.ff2 = nn.Linear(c, 4 * c), nn.Linear(4 * c, c)

    def forward(self, x):
        b, c, hh, ww = x.shape
        h = self.norm(x).flatten(2).transpose(1, 2)
        h = self.proj_in(h)
        q, k, v = self.qkv(self.layer_norm1(h)).chunk(3, dim=-1)
        sh = lambda t: t.reshape(b, -1, self.heads, c // self.heads).transpose(1, 2)
        a = torch.softmax(sh(q) @ sh(k).transpose(-1, -2) / math.sqrt(c // self.heads), dim=-1) @ sh(v)
        h = h + self.o(a.transpose(1, 2).reshape(b, -1, c))
        h = h + self.ff2(F.gelu(self.ff1(self.layer_norm2(h))))
        return x + self.proj_out(h).transpose(1, 2).reshape(b, c, hh, ww)


class UNet(nn.Module):
    def __init__(self, ch=(128, 256, 512), attn=(False, True, True)):
        super().__init__()
        self.ch0 = ch[0]
        temb = 4 * ch[0]
        self.time1, self.time2 = nn.Linear(ch[0], temb), nn.Linear(temb, temb)
        self.conv_in = nn.Conv2d(4, ch[0], 3, padding=1)
        self.down, self.up = nn.ModuleList(), nn.ModuleList()
        c, skips = ch[0], [ch[0]]
        for i, co in enumerate(ch):
            blocks = nn.ModuleList()
            for _ in range(2):
                blocks.append(nn.ModuleList([ResBlock(c, co, temb), AttnBlock(co) if attn[i] else nn.Identity()]))
                c = co
                skips.append(c)
            ds = nn.Conv2d(c, c, 3, stride=2, padding=1) if i < len(ch) - 1 else nn.Identity()
            if i < len(ch) - 1:
                skips.append(c)
            self.down.append(nn.ModuleList([blocks, ds]))
        self.mid1, self.mid_attn, self.mid2 = ResBlock(c, c, temb), AttnBlock(c), ResBlock(c, c, temb)
        for i, co in reversed(list(enumerate(ch))):
            blocks = nn.ModuleList()
            for _ in range(3):
                blocks.append(nn.ModuleList([ResBlock(c + skips.pop(), co, temb), AttnBlock(co) if attn[i] else nn.Identity()]))
                c = co
            us = nn.Conv2d(c, c, 3, padding=1) if i > 0 else nn.Identity()
            self.up.append(nn.ModuleList([blocks, us]))
        self.norm_out, self.conv_out = nn.GroupNorm(32, c), nn.Conv2d(c, 4, 3, padding=1)

    def forward(self, sample, timestep):
        half = self.ch0 // 2
        f = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
        e = timestep[:, None] * f[None]
        t = self.time2(F.silu(self.time1(torch.cat([e.sin(), e.cos()], dim=-1))))
        h = self.conv_in(sample)
        hs = [h]
        for i, (blocks, ds) in enumerate(self.down):
            for rb, at in blocks:
                h = at(rb(h, t))
                hs.append(h)
            if i < len(self.down) - 1:
                h = ds(h)
                hs.append(h)
        h = self.mid2(self.mid_attn(self.mid1(h, t)), t)
        for i, (blocks, us) in enumerate(self.up):
            for rb, at in blocks:
                h = at(rb(torch.cat([h, hs.pop()], dim=1), t))
            if i < len(self.up) - 1:
                h = us(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        return self.conv_out(F.silu(self.norm_out(h)))


def build():
    T = transformers
    if arch == "bert-base":
        c = T.BertConfig(num_hidden_layers=L(12), hidden_size=H(768), num_attention_heads=NH(12), intermediate_size=4 * H(768), vocab_size=V(30522))
        return text(hf(T.BertModel, c), ["input_ids", "attention_mask"], "bert", NH(12), H(768), c.vocab_size)
    if arch == "bert-large":
        c = T.BertConfig(hidden_size=H(1024), num_hidden_layers=L(24), num_attention_heads=NH(16), intermediate_size=4 * H(1024), vocab_size=V(30522))
        return text(hf(T.BertModel, c), ["input_ids", "attention_mask"], "bert", NH(16), H(1024), c.vocab_size)
    if arch == "distilbert":
        c = T.DistilBertConfig(n_layers=L(6), dim=H(768), n_heads=NH(12), hidden_dim=4 * H(768), vocab_size=V(30522))
        return text(hf(T.DistilBertModel, c), ["input_ids", "attention_mask"], "bert", NH(12), H(768), c.vocab_size)
    if arch == "gpt2":
        c = T.GPT2Config(n_layer=L(12), n_embd=H(768), n_head=NH(12), vocab_size=V(50257))
        return text(hf(T.GPT2Model, c), ["input_ids", "attention_mask"], "gpt2", NH(12), H(768), c.vocab_size)
    if arch == "llama":
        # Llama structure (RMSNorm, rotary, SwiGLU, grouped-query attention) at a small size
        c = T.LlamaConfig(hidden_size=H(1024), intermediate_size=H(2816), num_hidden_layers=L(8), num_attention_heads=NH(16),
                          num_key_value_heads=NH(16) // 4, vocab_size=V(32000), max_position_embeddings=2048)
        return text(hf(T.LlamaModel, c), ["input_ids", "attention_mask"], "gpt2", NH(16), H(1024), c.vocab_size)
    if arch == "bart":
        # bart-base sizes: 6+6 layers, d_model 768
        c = T.BartConfig(d_model=H(768), encoder_layers=L(6), decoder_layers=L(6), encoder_attention_heads=NH(12),
                         decoder_attention_heads=NH(12), encoder_ffn_dim=4 * H(768), decoder_ffn_dim=4 * H(768), vocab_size=V(50265))
        return text(hf(T.BartModel, c), ["input_ids", "attention_mask", "decoder_input_ids"], "bart", NH(12), H(768), c.vocab_size)
    if arch == "t5":
        # t5-small sizes: 6+6 layers, d_model 512, 8 heads of 64; relative position buckets, RMS-style T5LayerNorm
        c = T.T5Config(d_model=H(512), d_kv=H(512) // NH(8), d_ff=4 * H(512), num_layers=L(6), num_decoder_layers=L(6),
                       num_heads=NH(8), vocab_size=V(32128), decoder_start_token_id=0)
        return text(hf(T.T5Model, c), ["input_ids", "attention_mask", "decoder_input_ids"], "t5", NH(8), H(512), c.vocab_size)
    if arch == "clip":
        # CLIP's text encoder (what Stable Diffusion runs; the optimizer's "clip" model type): 77 positions
        c = T.CLIPTextConfig(hidden_size=H(512), intermediate_size=4 * H(512), num_hidden_layers=L(12), num_attention_heads=NH(8),
                             vocab_size=V(49408), max_position_embeddings=77)
        r = text(hf(T.CLIPTextModel, c), ["input_ids", "attention_mask"], "clip", NH(8), H(512), c.vocab_size)
        r[4]["small"], r[4]["large"] = {"batch": 1, "seq": 77}, {"batch": 8, "seq": 77}
        return r
    if arch == "pegasus-large-enc":
        # PegasusConfig()'s defaults are pegasus-large (16+16 layers, d_model 1024, vocab 96103): its encoder
        # (transformers' PegasusConfig() vocabulary is 50265, not the released checkpoint's 96103)
        pc = T.PegasusConfig(**({"encoder_layers": 2, "decoder_layers": 2, "d_model": H(1024), "vocab_size": V(96103),
                                 "encoder_ffn_dim": 4 * H(1024), "decoder_ffn_dim": 4 * H(1024)} if TINY else {}))
        enc = hf(T.PegasusModel, pc).encoder

        class Enc(nn.Module):  # no config attribute: the encoder takes no use_cache
            def __init__(self):
                super().__init__()
                self.e = enc

            def forward(self, input_ids, attention_mask):
                return self.e(input_ids=input_ids, attention_mask=attention_mask)
        return text(Enc().eval(), ["input_ids", "attention_mask"], "bart", NH(16), H(1024), pc.vocab_size)
    if arch == "vit":
        c = T.ViTConfig(num_hidden_layers=L(12), hidden_size=H(768), num_attention_heads=NH(12), intermediate_size=4 * H(768))
        m = T.ViTModel(c, add_pooling_layer=False)
        try:
            m = T.ViTModel._from_config(c, attn_implementation="eager", add_pooling_layer=False)
        except Exception:
            pass

        class Vit(nn.Module):
            def __init__(self):
                super().__init__()
                self.m = m.eval()

            def forward(self, pixel_values):
                return self.m(pixel_values=pixel_values).last_hidden_state
        return image(Vit().eval(), NH(12), H(768), "vit", 32)
    if arch == "resnet50":
        import torchvision
        # no transformer pattern for the optimizer to fuse: model_type bert runs onnxruntime's own graph
        # optimizations and finds nothing else
        return image((torchvision.models.resnet18 if TINY else torchvision.models.resnet50)(weights=None).eval(), 0, 0, "bert", 64)
    if arch == "whisper-enc":
        # whisper-base sizes; the encoder takes exactly 3000 mel frames, so only the batch is dynamic
        c = T.WhisperConfig(d_model=H(512), encoder_layers=L(6), decoder_layers=L(6), encoder_attention_heads=NH(8),
                            decoder_attention_heads=NH(8), encoder_ffn_dim=4 * H(512), decoder_ffn_dim=4 * H(512), num_mel_bins=80, vocab_size=V(51865), pad_token_id=0, bos_token_id=0, eos_token_id=0, decoder_start_token_id=0)
        enc = hf(T.WhisperModel, c).encoder

        class W(nn.Module):
            def __init__(self):
                super().__init__()
                self.e = enc

            def forward(self, input_features):
                return self.e(input_features=input_features).last_hidden_state
        x = torch.randn(2, 80, 3000)
        return (W().eval(), (x,), ["input_features"], {"input_features": {0: "batch"}, "output": {0: "batch"}},
                {"inputs": [{"name": "input_features", "kind": "normal"}], "small": {"batch": 1}, "large": {"batch": 8},
                 "model_type": "bart", "num_heads": NH(8), "hidden_size": H(512)})
    if arch == "unet":
        # tiny: width 32 throughout when CW_TINY_H < 128 (the optimizer fixture, ~2 MB)
        m = (UNet((32, 32, 32) if H(0) < 128 else (32, 64, 64)) if TINY else UNet()).eval()
        x, t = torch.randn(2, 4, 64, 64), torch.tensor([10.0, 500.0])
        return (m, (x, t), ["sample", "timestep"], {"sample": {0: "batch"}, "timestep": {0: "batch"}, "output": {0: "batch"}},
                {"inputs": [{"name": "sample", "kind": "normal"}, {"name": "timestep", "kind": "timestep"}],
                 "small": {"batch": 1}, "large": {"batch": 8}, "model_type": "unet", "num_heads": 0, "hidden_size": 0})
    raise SystemExit(f"unknown arch {arch}")


t0 = time.time()
model, args, names, axes, meta = build()
params = sum(p.numel() for p in model.parameters())
out_names = ["last_hidden_state"] if "last_hidden_state" in axes else ["output"]
path = f"{out}/fp32.onnx"
with torch.no_grad():
    kw = dict(opset_version=14, do_constant_folding=True, input_names=names, output_names=out_names, dynamic_axes=axes)
    try:
        torch.onnx.export(model, args, path, dynamo=False, **kw)
        meta["exporter"] = "torchscript, opset 14"
    except Exception as e:  # the TorchScript exporter cannot trace every model of transformers 5: say so, use dynamo
        print(f"{arch}: TorchScript export failed ({type(e).__name__}: {str(e)[:300]}); trying dynamo", flush=True)
        torch.onnx.export(model, args, path, dynamo=True, opset_version=18, input_names=names, output_names=out_names,
                          dynamic_axes=axes, external_data=params * 4 > 1.8e9)
        meta["exporter"] = f"dynamo (TorchScript failed: {type(e).__name__}), opset 18"
meta.update({"arch": arch, "params_m": round(params / 1e6, 1), "torch": torch.__version__,
             "transformers": transformers.__version__, "tiny": TINY, "export_s": round(time.time() - t0, 1),
             "bytes": os.path.getsize(path)})
# the issue #15490 block list (every op type but Identity, Constant, Gather, Shape), for Castaway's --op-block-list
import onnx  # noqa: E402

ops = sorted({n.op_type for n in onnx.load(path, load_external_data=False).graph.node} - {"Identity", "Constant", "Gather", "Shape"})
with open(f"{out}/block.txt", "w") as f:
    f.write(",".join(ops))
json.dump(meta, open(f"{out}/meta.json", "w"), indent=1)
print(f"{arch}: {meta['params_m']}M params, {meta['bytes'] / 1e6:.0f} MB, {meta['export_s']} s, {meta['exporter']}", flush=True)
