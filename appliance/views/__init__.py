"""The box's own pages."""

from .health import healthz

__all__ = ["healthz"]
