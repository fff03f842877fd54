"""Evaluation data written independently of the detectors and classifier it judges."""
