"""The faces users meet: the command line, its output formats, the flake8 plugin."""
