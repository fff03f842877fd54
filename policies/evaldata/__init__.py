"""Evaluation data written apart from the code it judges, labelled by reading."""
