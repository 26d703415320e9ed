"""`stance train` in a subprocess that slows down once it has a checkpoint, so a test can interrupt it (SIGINT)
mid-epoch: prints `SLOW <step>` after each step from `--slow-from` on. Used by tests/test_trainer.py only."""

import sys
import time

from transformers import TrainerCallback


class SlowDown(TrainerCallback):
    def __init__(self, start: int) -> None:
        self.start = start

    def on_step_end(self, args, state, control, **kwargs):  # noqa: ANN001
        if state.global_step >= self.start:
            print(f"SLOW {state.global_step}", flush=True)
            time.sleep(0.5)


if __name__ == "__main__":
    from training.train import train

    config, start = sys.argv[1], int(sys.argv[2])
    try:
        train(config, progress=False, callbacks=(SlowDown(start),))
    except KeyboardInterrupt:
        print("INTERRUPTED", flush=True)
        sys.exit(130)
