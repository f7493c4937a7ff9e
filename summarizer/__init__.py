"""summarizer: news articles in, typed source-grounded event records out."""

__version__ = "0.1.0"
