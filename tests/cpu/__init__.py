"""Outputs held true across CPUs: kernel fingerprints, measured CPU-dependent cells, claims."""
