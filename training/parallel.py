"""The processes of one training: one, or N under `torchrun --nproc-per-node N` (DDP; gloo on CPU, nccl on GPUs).

Rank 0 owns the MLflow run, evaluates and logs; the other ranks train and wait. The process group is started here,
before the Trainer, because rank 0 must tell the others the run id (their checkpoint folder) before training starts;
accelerate then finds the group already there and uses it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Processes:
    rank: int = 0
    world_size: int = 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    def broadcast(self, value: Any) -> Any:
        """Rank 0's `value` on every rank (any picklable object)."""
        if not self.distributed:
            return value
        import torch.distributed as dist

        box = [value if self.is_main else None]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def barrier(self) -> None:
        if self.distributed:
            import torch.distributed as dist

            dist.barrier()


def processes() -> Processes:
    """This process's place in the job, from the variables torchrun sets; starts the process group when N > 1."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        return Processes()
    import torch
    import torch.distributed as dist

    if not dist.is_initialized():
        if torch.cuda.is_available():
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
        dist.init_process_group(backend="nccl" if torch.cuda.is_available() else "gloo")
    return Processes(rank=dist.get_rank(), world_size=world_size)


def ddp_backend() -> str:
    import torch

    return "nccl" if torch.cuda.is_available() else "gloo"
