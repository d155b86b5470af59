"""Framework back ends of check_model_init: collect tensors, compute facts, run the probe."""
