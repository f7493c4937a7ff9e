"""Records in, sourced timeline out (pure): canonical names, the merger and renderers."""
