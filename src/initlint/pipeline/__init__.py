"""The file pipeline: files -> findings, shared by the CLI, the pre-commit hook and flake8."""
