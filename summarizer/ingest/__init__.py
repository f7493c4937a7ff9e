"""Bytes and URLs in, ``Article`` out: files, feeds, JSON Lines, pages; decoding and metadata."""
