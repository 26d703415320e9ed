"""The `stance` command line: the one package above `stance/`, `training/` and `serving/` that may import all three."""
