"""stance: directed stance and actor sentiment in international-politics news.

Nothing heavy is imported here: torch, transformers and mlflow load inside the functions that need them,
so `stance --help` and the record validation stay fast.
"""

__version__ = "0.1.0"
