"""Service statistics, the satisfaction index (IKM), public transparency and the SPBE export."""
