"""``Article`` in, grounded ``ArticleResult`` out: the only place that talks to a model."""
