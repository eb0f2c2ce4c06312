"""Validation for the Wuqing paired-assistance data package."""
