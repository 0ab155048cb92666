"""Progressive delivery as tested code: the canary gate, its Azure adapter and the scripts
the deploy, monitor, refresh-index and template-update workflows call."""
