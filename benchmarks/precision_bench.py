"""fp32 vs bf16 autocast on this CPU: time of one training step (forward + backward) and of inference, MiniLM,
batch 16 x 48 tokens. Prints figures; decides nothing.

    python benchmarks/precision_bench.py --steps 10
"""

from __future__ import annotations

import argparse
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()

    from training.tracking import quiet_environment

    quiet_environment()
    import torch
    from transformers import AutoModel

    from stance.model import build_model
    from training.finetune import base_model_path

    encoder = AutoModel.from_pretrained(str(base_model_path("minilm")), add_pooling_layer=False)
    model = build_model(encoder)
    batch = {"input_ids": torch.randint(1000, 20000, (16, 48)), "attention_mask": torch.ones(16, 48, dtype=torch.long),
             "pos_a": torch.full((16,), 2), "pos_b": torch.full((16,), 9)}
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"bf16 supported: {torch.backends.mkldnn.is_available()} (mkldnn)")
    for bf16 in (False, True):
        model.train()
        for phase in ("warm-up", "timed"):
            started = time.perf_counter()
            for _ in range(2 if phase == "warm-up" else args.steps):
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                    out = model(**batch)
                loss = sum(v.float().sum() for v in out.values())
                loss.backward()
                model.zero_grad()
            train_step = (time.perf_counter() - started) / args.steps
        model.eval()
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            model(**batch)
            started = time.perf_counter()
            for _ in range(args.steps):
                model(**batch)
            infer = (time.perf_counter() - started) / args.steps
        print(f"{'bf16' if bf16 else 'fp32'}: train step {train_step * 1000:.0f} ms, inference batch {infer * 1000:.0f} ms")


if __name__ == "__main__":
    main()
