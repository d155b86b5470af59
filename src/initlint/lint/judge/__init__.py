"""One judgement for every framework: roles, context, dead layers, intent, messages."""
