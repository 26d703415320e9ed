"""A tiny randomly initialised model built locally (no hub): for tests and smoke runs of the whole pipeline.

It reuses the tokenizer shipped with the MiniLM package when installed (vocabulary only, no weights), else builds a
small word-level vocabulary, so tests never need a download.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stance.encoding import add_markers
from stance.model import ModelCard, build_model, save_model


def tiny_tokenizer() -> Any:
    """A word-piece tokenizer over a small vocabulary: a few news words plus single characters (so any text
    tokenises into known pieces), built in memory."""
    from transformers import BertTokenizerFast

    chars = [chr(c) for c in range(33, 127) if not chr(c).isupper()]
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + chars + [f"##{c}" for c in chars]
    words += ["the", "a", "of", "to", "and", "in", "on", "with", "was", "is", "said", "accused", "backed", "praised", "condemned", "met", "iran", "israel", "russia", "turkey", "baku", "tehran", "azerbaijan", "moscow", "ankara"]
    vocab = {word: index for index, word in enumerate(dict.fromkeys(words))}
    return BertTokenizerFast(vocab=vocab, do_lower_case=True)


def build_tiny(directory: str | Path, *, seed: int = 0, max_length: int = 64, pair_head: str = "directed") -> Path:
    """Write a tiny stance model folder (2 layers, hidden 32) and return its path."""
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(seed)
    tokenizer = tiny_tokenizer()
    add_markers(tokenizer)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=max(128, max_length))
    model = build_model(BertModel(config, add_pooling_layer=False), pair_head=pair_head)
    card = ModelCard(base_model="tiny-random-bert", max_length=max_length, pair_head=pair_head)
    return save_model(model, tokenizer, card, directory)
