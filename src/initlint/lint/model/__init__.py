"""What a file says, without verdicts: scopes and bindings, resolved names, paths of
targets, literal values. Built on one libcst walk."""
