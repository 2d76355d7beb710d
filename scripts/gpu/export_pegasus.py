"""Exports Pegasus-large (PegasusConfig() defaults, random weights, seed 0) to ONNX at opset 14 with the
TorchScript exporter, the way fixtures/models/pegasus-small-o14-*.onnx were made: the encoder
(input_ids, attention_mask -> last_hidden_state) and the decoder with lm_head
(input_ids, encoder_hidden_states, encoder_attention_mask -> logits).

usage: python3 export_pegasus.py OUT_DIR   (writes OUT_DIR/enc-fp32.onnx, OUT_DIR/dec-fp32.onnx)
"""
import json
import os
import sys
import time

import torch
from torch import nn
import transformers
from transformers import PegasusConfig, PegasusForConditionalGeneration

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
torch.set_num_threads(max(1, os.cpu_count() or 1))
t0 = time.time()
cfg = PegasusConfig()
model = PegasusForConditionalGeneration(cfg).eval()
print(f"built Pegasus-large: d_model {cfg.d_model}, layers {cfg.encoder_layers}+{cfg.decoder_layers}, vocab "
      f"{cfg.vocab_size}, {sum(p.numel() for p in model.parameters()) / 1e6:.0f}M params, {time.time() - t0:.1f} s",
      flush=True)


class Enc(nn.Module):
    def __init__(self, e):
        super().__init__()
        self.e = e

    def forward(self, input_ids, attention_mask):
        return self.e(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state


class Dec(nn.Module):
    def __init__(self, d, h, bias):
        super().__init__()
        self.d = d
        self.h = h
        self.register_buffer("b", bias.detach().clone())

    def forward(self, input_ids, encoder_hidden_states, encoder_attention_mask):
        x = self.d(input_ids=input_ids, encoder_hidden_states=encoder_hidden_states,
                   encoder_attention_mask=encoder_attention_mask, use_cache=False).last_hidden_state
        return self.h(x) + self.b


B, S, T = 2, 16, 8
ids = torch.randint(0, cfg.vocab_size, (B, S))
mask = torch.ones(B, S, dtype=torch.int64)
tgt = torch.randint(0, cfg.vocab_size, (B, T))
hid = torch.randn(B, S, cfg.d_model)

with torch.no_grad():
    t0 = time.time()
    torch.onnx.export(Enc(model.model.encoder), (ids, mask), f"{out}/enc-fp32.onnx", opset_version=14,
                      dynamo=False, do_constant_folding=True,
                      input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                      dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                                    "last_hidden_state": {0: "batch", 1: "seq"}})
    print(f"encoder exported in {time.time() - t0:.1f} s", flush=True)
    t0 = time.time()
    torch.onnx.export(Dec(model.model.decoder, model.lm_head, model.final_logits_bias), (tgt, hid, mask),
                      f"{out}/dec-fp32.onnx", opset_version=14, dynamo=False, do_constant_folding=True,
                      input_names=["input_ids", "encoder_hidden_states", "encoder_attention_mask"],
                      output_names=["logits"],
                      dynamic_axes={"input_ids": {0: "batch", 1: "tgt"},
                                    "encoder_hidden_states": {0: "batch", 1: "seq"},
                                    "encoder_attention_mask": {0: "batch", 1: "seq"},
                                    "logits": {0: "batch", 1: "tgt"}})
    print(f"decoder exported in {time.time() - t0:.1f} s", flush=True)

with open(f"{out}/export.json", "w") as f:
    json.dump({"torch": torch.__version__, "transformers": transformers.__version__, "d_model": cfg.d_model,
               "layers": [cfg.encoder_layers, cfg.decoder_layers], "vocab": cfg.vocab_size}, f)
for n in ("enc-fp32.onnx", "dec-fp32.onnx"):
    print(n, os.path.getsize(f"{out}/{n}") / 1e6, "MB", flush=True)
