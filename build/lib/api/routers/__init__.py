"""One router per resource; ``api.app`` includes them in order (lineage before the details it extends)."""
