"""Many inputs, resumable and accounted: the runner, its SQLite store, prices and progress."""
