"""Helpers for the training script."""
