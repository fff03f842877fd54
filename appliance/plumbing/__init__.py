"""The plumbing: Redis clients, the versioned cache, the broker transport and the stack runner.

It imports no app (devices, policies, gateway, or the box's models and pages); make lint
checks that (import-linter, pyproject.toml).
"""
