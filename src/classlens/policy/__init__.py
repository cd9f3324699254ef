"""School policy: presets drawn from real school policies, and their settings."""

from classlens.policy.presets import PRESETS, Policy, PostingWindow, policy_for

__all__ = ["PRESETS", "Policy", "PostingWindow", "policy_for"]
