"""genaiops: scaffold, assess and update GenAI workload repositories."""

__version__ = "0.1.0"
