"""The network: a pretrained encoder shared by two small heads.

- stance head, one of two kinds (`ModelCard.pair_head`):
  - `directed`: reads [state at holder marker ; state at target marker] -> (neutral, supportive, hostile); reading
    the same two states in the other order gives the other direction. Each direction is decided on its own.
  - `joint`: scores the pair's nine (a->b, b->a) label combinations at once, from both marker states and their
    product, and gives each direction its marginal. It can learn what the directions say about each other (in most
    news one side of a pair acts and the other is acted on; a war noun makes both hostile). The score of (i, j) is
    g(a, b)[i, j] + g(b, a)[j, i], so swapping the two actors transposes the table: no direction is privileged and
    what is learnt about p->q serves q->p.
  Both kinds return each direction's scores as `stance_ab` / `stance_ba` (logits for `directed`, the marginals'
  log-probabilities for `joint`: a softmax of either gives the probabilities the Predictor, the ONNX export and
  calibration read); `joint` also returns the 3x3 table as `stance_pair` for the training loss.
- sentiment head: reads [state at target marker ; mean of the sentence] -> (negative, neutral, positive).

Saved as a plain folder: the encoder and tokenizer in Hugging Face format, the heads in `heads.safetensors`, and
`stance_model.json` with the label sets and the encoding settings, so a folder is self-describing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from stance.labels import Task, label_names

CONFIG_FILE = "stance_model.json"
HEADS_FILE = "heads.safetensors"
PAIR_HEADS = ("directed", "joint")


@dataclass
class ModelCard:
    """What a saved model folder needs to be used: written at save, checked at load."""

    base_model: str
    max_length: int = 128
    labels: dict[str, list[str]] = field(
        default_factory=lambda: {task.value: label_names(task) for task in Task}
    )
    format_version: int = 1
    # log-odds shift per stance label (label order), fitted on a calibration split; zeros: the trained boundary
    stance_bias: list[float] = field(default_factory=lambda: [0.0] * len(label_names(Task.STANCE)))
    pair_head: str = "directed"  # folders saved before the joint head existed are directed

    def check_labels(self) -> None:
        if self.pair_head not in PAIR_HEADS:
            raise ValueError(f"the model was saved with pair_head {self.pair_head!r}; this code knows {PAIR_HEADS}")
        for task in Task:
            if self.labels.get(task.value) != label_names(task):
                raise ValueError(
                    f"the model was saved with {task.value} labels {self.labels.get(task.value)}, "
                    f"this code expects {label_names(task)}"
                )


def build_model(encoder: Any, dropout: float = 0.1, pair_head: str = "directed") -> Any:
    import torch
    from torch import nn

    if pair_head not in PAIR_HEADS:
        raise ValueError(f"pair_head must be one of {PAIR_HEADS}, got {pair_head!r}")
    n_stance = len(label_names(Task.STANCE))

    class JointPairHead(nn.Module):
        """(a, b) -> log-probabilities of the 3x3 table (a->b label, b->a label), symmetric under swapping a and b."""

        def __init__(self, hidden: int) -> None:
            super().__init__()
            self.score = nn.Sequential(nn.Linear(3 * hidden, hidden), nn.GELU(), nn.Dropout(dropout),
                                       nn.Linear(hidden, n_stance * n_stance))

        def oriented(self, a: Any, b: Any) -> Any:  # (not `half`: that is nn.Module's fp16 cast)
            return self.score(torch.cat([a, b, a * b], dim=-1)).view(-1, n_stance, n_stance)

        def forward(self, a: Any, b: Any) -> Any:
            table = self.oriented(a, b) + self.oriented(b, a).transpose(1, 2)
            return table.flatten(1).log_softmax(-1).view(-1, n_stance, n_stance)

    class StanceModel(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            hidden = encoder.config.hidden_size
            self.dropout = nn.Dropout(dropout)
            if pair_head == "joint":
                self.joint_head = JointPairHead(hidden)
            else:
                self.stance_head = nn.Linear(2 * hidden, n_stance)
            self.sentiment_head = nn.Linear(2 * hidden, len(label_names(Task.SENTIMENT)))

        def forward(self, input_ids, attention_mask, pos_a, pos_b):  # noqa: ANN001 - tensors
            states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            rows = torch.arange(states.size(0), device=states.device)
            state_a = states[rows, pos_a]
            state_b = states[rows, pos_b.clamp(min=0)]
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            mean = (states * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            state_a, state_b, mean = self.dropout(state_a), self.dropout(state_b), self.dropout(mean)
            sentiment = self.sentiment_head(torch.cat([state_a, mean], dim=-1))
            if pair_head == "joint":
                table = self.joint_head(state_a, state_b)  # log p(a->b = i, b->a = j)
                return {"stance_ab": table.logsumexp(2), "stance_ba": table.logsumexp(1),
                        "stance_pair": table.flatten(1), "sentiment": sentiment}
            return {
                "stance_ab": self.stance_head(torch.cat([state_a, state_b], dim=-1)),
                "stance_ba": self.stance_head(torch.cat([state_b, state_a], dim=-1)),
                "sentiment": sentiment,
            }

        def heads_state(self) -> dict[str, Any]:
            return {k: v for k, v in self.state_dict().items() if not k.startswith("encoder.")}

    return StanceModel()


def save_model(model: Any, tokenizer: Any, card: ModelCard, directory: str | Path) -> Path:
    from safetensors.torch import save_file

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    model.encoder.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    save_file({k: v.detach().contiguous().float() for k, v in model.heads_state().items()}, str(directory / HEADS_FILE))
    (directory / CONFIG_FILE).write_text(json.dumps(asdict(card), indent=2) + "\n", encoding="utf-8")
    return directory


def load_card_and_tokenizer(directory: str | Path) -> tuple[Any, ModelCard]:
    """The card and the tokenizer of a saved folder, without the network (what an ONNX backend needs)."""
    from transformers import AutoTokenizer

    directory = Path(directory)
    card_path = directory / CONFIG_FILE
    if not card_path.is_file():
        raise FileNotFoundError(f"{directory} is not a stance model folder: {CONFIG_FILE} is missing")
    card = ModelCard(**json.loads(card_path.read_text(encoding="utf-8")))
    card.check_labels()
    return AutoTokenizer.from_pretrained(str(directory)), card


def load_model(directory: str | Path) -> tuple[Any, Any, ModelCard]:
    """Load a folder written by `save_model`; errors say what is missing."""
    from safetensors.torch import load_file
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a bar per load is noise in a service log
    directory = Path(directory)
    tokenizer, card = load_card_and_tokenizer(directory)
    encoder = AutoModel.from_pretrained(str(directory), add_pooling_layer=False)
    model = build_model(encoder, pair_head=card.pair_head)
    missing, unexpected = model.load_state_dict(load_file(str(directory / HEADS_FILE)), strict=False)
    missing_heads = [k for k in missing if not k.startswith("encoder.")]
    if missing_heads or unexpected:
        raise ValueError(f"{directory / HEADS_FILE} does not match the model: missing {missing_heads}, unexpected {unexpected}")
    model.eval()
    return model, tokenizer, card
