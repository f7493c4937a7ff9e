"""Command line: parse, build settings, call one function, map errors to a line and an exit code.

Exit codes: 0 success; 1 unexpected error; 2 an input could not be read; 3 configuration
(settings, model not installed, prompt); 4 the LLM failed for an article.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn, TextIO

import typer

from summarizer import __version__
from summarizer.config import FetchLinks, Settings, configured_secrets
from summarizer.errors import ConfigError, InputError, LLMError, SummarizerError
from summarizer.redaction import RedactingFilter

app = typer.Typer(
    name="summarizer",
    help="Turn news articles into typed, source-grounded event records.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
model_app = typer.Typer(help="Install and inspect the embedded local model.", no_args_is_help=True)
app.add_typer(model_app, name="model")


class OutputFormat(StrEnum):
    """Output formats of `summarise`."""

    md = "md"
    json = "json"


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"summarizer: error: {message}", err=True)
    raise typer.Exit(code)


class _LogHandler(logging.StreamHandler[TextIO]):
    """The CLI's stderr handler (a class of its own, so that a second run replaces it)."""


def _setup_logging(verbose: int) -> logging.Handler:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _LogHandler)]:
        root.removeHandler(old)
    handler = _LogHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("summarizer: %(levelname)s: %(message)s"))
    # httpx2 and openai log request URLs (with any user:password@ and query keys) and, at
    # debug, headers: every record is masked before it is written.
    handler.addFilter(RedactingFilter(configured_secrets()))
    root.addHandler(handler)
    root.setLevel(level)
    # instructor logs every failed attempt at ERROR; we report failures ourselves.
    logging.getLogger("instructor").setLevel(logging.DEBUG if verbose > 1 else logging.CRITICAL)
    return handler


def _settings() -> Settings:
    """The settings from the environment; a bad one ends the command with one line."""
    try:
        return Settings.resolve()
    except ConfigError as e:
        _fail(str(e), e.exit_code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"summarizer {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="More logging (-vv: debug).")
    ] = 0,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    handler = _setup_logging(verbose)
    ctx.call_on_close(lambda: logging.getLogger().removeHandler(handler))


FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
]
ExplainOption = Annotated[bool, typer.Option("--explain", help="Say why records were merged.")]
NoCacheOption = Annotated[
    bool, typer.Option("--no-cache", help="Neither read nor write the cache.")
]
BaseUrlOption = Annotated[
    str | None, typer.Option(help="OpenAI-compatible endpoint (env SUMMARIZER_BASE_URL).")
]
ModelOption = Annotated[str | None, typer.Option(help="Model name (env SUMMARIZER_MODEL).")]


class TimelineMode(StrEnum):
    """What `summarise` prints."""

    both = "both"
    records = "records"
    timeline = "timeline"


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


_INTERRUPTED = (
    "summarizer: interrupted; finished articles are in the store, run the same command again "
    "to do the rest\n"
)


def _leave_on_interrupt(*_: object) -> None:
    """Say what is kept and leave at once (exit 130), not waiting for worker threads."""
    sys.stderr.write("\n" + _INTERRUPTED)
    sys.stderr.flush()
    os._exit(130)


@app.command()
def summarise(
    files: Annotated[
        list[str], typer.Argument(help="Article files (.txt, .md, .html); '-' reads stdin.")
    ],
    fmt: FormatOption = OutputFormat.md,
    output: OutputOption = None,
    show: Annotated[
        TimelineMode,
        typer.Option("--show", help="Per-article records, the merged timeline, or both."),
    ] = TimelineMode.both,
    explain: ExplainOption = False,
    published: Annotated[
        str | None, typer.Option(help="Publication date of the input(s): YYYY[-MM[-DD]].")
    ] = None,
    no_cache: NoCacheOption = False,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Cache directory (env SUMMARIZER_CACHE_DIR).")
    ] = None,
    base_url: BaseUrlOption = None,
    model: ModelOption = None,
) -> None:
    """Extract grounded event records from each article and merge them into a timeline."""
    from summarizer.run import summarise_sources
    from summarizer.timeline.merge import merge, sourced_records
    from summarizer.timeline.render import (
        article_markdown,
        failures_markdown,
        results_json,
        timeline_markdown,
    )

    try:
        settings = Settings.resolve(
            use_cache=False if no_cache else None,
            cache_dir=cache_dir,
            base_url=base_url,
            model=model,
        )
        run = summarise_sources(
            files,
            settings,
            published=published,
            on_failure=lambda src, why: typer.echo(f"summarizer: error: {src}: {why}", err=True),
        )
    except SummarizerError as e:
        _fail(str(e), e.exit_code)
    timeline = merge(sourced_records(run.results)) if show is not TimelineMode.records else None
    if fmt is OutputFormat.json:
        results = run.results if show is not TimelineMode.timeline else []
        text = results_json(results, run.failures, timeline)
    else:
        parts = (
            [article_markdown(r) for r in run.results] if show is not TimelineMode.timeline else []
        )
        if timeline is not None:
            parts.append(timeline_markdown(timeline, explain=explain))
        if run.failures:
            parts.append(failures_markdown(run.failures))
        text = "\n".join(parts)
    _write(text, output)
    if run.input_failures:
        raise typer.Exit(InputError.exit_code)
    if run.llm_failures:
        raise typer.Exit(LLMError.exit_code)


@app.command("merge")
def merge_cmd(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Saved outputs: `summarise -f json`, timelines, JSON Lines, batch stores."
        ),
    ],
    fmt: FormatOption = OutputFormat.md,
    output: OutputOption = None,
    explain: ExplainOption = False,
) -> None:
    """Merge saved records into one timeline, without calling a model."""
    from summarizer.batch.store import is_store_file, read_store
    from summarizer.timeline.merge import merge, sourced_records
    from summarizer.timeline.render import timeline_json, timeline_markdown
    from summarizer.timeline.saved import load_saved_records

    records = []
    failed = False
    for path in files:
        try:
            if is_store_file(path):
                records += sourced_records(read_store(path))
                continue
            saved = load_saved_records(path)
        except InputError as e:
            typer.echo(f"summarizer: error: {e}", err=True)
            failed = True
            continue
        records += saved.records
        for error in saved.errors:
            typer.echo(f"summarizer: error: {error}", err=True)
            failed = True
    timeline = merge(records)
    text = (
        timeline_json(timeline)
        if fmt is OutputFormat.json
        else timeline_markdown(timeline, explain=explain)
    )
    _write(text, output)
    if failed:
        raise typer.Exit(InputError.exit_code)


@app.command()
def batch(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Folders (.txt/.md/.html, recursively), .jsonl files, RSS/Atom feed files, "
            "feed or page URLs."
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Also write timeline.json, timeline.md, records.jsonl and report.json here.",
        ),
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option(
            help="SQLite results store; finished articles in it are skipped "
            "(default: OUT/batch.sqlite, else batch.sqlite in SUMMARIZER_DATA_DIR)."
        ),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Articles at once (env SUMMARIZER_CONCURRENCY; default 1 on the embedded "
            "model, 4 on an endpoint).",
        ),
    ] = None,
    fetch_links: Annotated[
        FetchLinks,
        typer.Option(
            help="Read a feed entry's linked page: auto = when the entry's own text is short."
        ),
    ] = FetchLinks.auto,
    prices: Annotated[
        Path | None,
        typer.Option(
            help="Price table, USD per 1M tokens: {model: {prompt: X, completion: Y}} "
            "(env SUMMARIZER_PRICES)."
        ),
    ] = None,
    allow_private_links: Annotated[
        bool,
        typer.Option(
            "--allow-private-links",
            help="Follow links found in feeds to loopback, private and link-local addresses "
            "too (env SUMMARIZER_ALLOW_PRIVATE_LINKS).",
        ),
    ] = False,
    reprocess: Annotated[
        bool,
        typer.Option(
            "--reprocess",
            help="Make again the articles already done in the store and replace their results "
            "(the cache answers for the model, so only the post-processing runs again).",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    no_cache: NoCacheOption = False,
    base_url: BaseUrlOption = None,
    model: ModelOption = None,
) -> None:
    """Process many articles concurrently and resumably, with progress and a token/cost report."""
    from summarizer.batch.progress import BatchProgress
    from summarizer.batch.runner import run_batch, write_outputs

    try:
        settings = Settings.resolve(
            use_cache=False if no_cache else None,
            base_url=base_url,
            model=model,
            concurrency=concurrency,
            prices=prices,
            allow_private_links=True if allow_private_links else None,
        )
        store_path = store or (out / "batch.sqlite" if out else settings.data_dir / "batch.sqlite")
        # Ctrl-C leaves at once, whatever the event loop and the workers are doing: every
        # finished article is already committed on its own, and an answer still outstanding
        # would never be stored. (Left to asyncio, a cancellation can wait on busy workers.)
        previous = signal.signal(signal.SIGINT, _leave_on_interrupt)
        try:
            with BatchProgress(quiet=quiet) as progress:
                report = run_batch(
                    sources,
                    settings,
                    store_path=store_path,
                    fetch_links=fetch_links,
                    observer=progress,
                    reprocess=reprocess,
                )
        finally:
            signal.signal(signal.SIGINT, previous)
        if out is not None:
            write_outputs(report, out)
    except KeyboardInterrupt:
        _leave_on_interrupt()
    except SummarizerError as e:
        _fail(str(e), e.exit_code)
    except OSError as e:
        _fail(f"cannot write the outputs: {e}", 1)
    typer.echo(report.as_text(), nl=False)
    if report.unreadable:
        raise typer.Exit(InputError.exit_code)
    if report.failures:
        raise typer.Exit(LLMError.exit_code)


class EvalFormat(StrEnum):
    """Output formats of `eval`."""

    table = "table"
    json = "json"


@app.command("eval")
def eval_cmd(
    gold: Annotated[Path | None, typer.Argument(help="Gold file (YAML or JSON).")] = None,
    articles: Annotated[
        list[str] | None, typer.Argument(help="Articles; their file stems are the gold ids.")
    ] = None,
    fmt: Annotated[
        EvalFormat, typer.Option("--format", "-f", help="Output format.")
    ] = EvalFormat.table,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    compare: Annotated[
        tuple[Path, Path] | None,
        typer.Option(help="Compare two saved `eval -f json` reports (before, after) instead."),
    ] = None,
) -> None:
    """Score extraction against gold annotations, or compare two saved scores."""
    import json

    from summarizer.evaluation.evaluate import compare_metrics, evaluate, report_table
    from summarizer.evaluation.gold import load_gold
    from summarizer.run import summarise_sources

    if compare is not None:
        try:
            before, after = (json.loads(p.read_text(encoding="utf-8"))["metrics"] for p in compare)
        except (OSError, ValueError, KeyError, TypeError) as e:
            _fail(f"--compare needs two `eval -f json` reports: {e}", InputError.exit_code)
        _write(compare_metrics(before, after), output)
        return
    if gold is None or not articles:
        _fail("give a gold file and the articles to score (or --compare A.json B.json)", 2)
    try:
        gold_file = load_gold(gold)
        run = summarise_sources(
            articles,
            Settings.resolve(),
            on_failure=lambda src, why: typer.echo(f"summarizer: error: {src}: {why}", err=True),
        )
    except SummarizerError as e:
        _fail(str(e), e.exit_code)
    report = evaluate(run.results, gold_file)
    if fmt is EvalFormat.json:
        _write(json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n", output)
    else:
        _write(report_table(report), output)
    if run.failures:
        raise typer.Exit(InputError.exit_code if run.input_failures else LLMError.exit_code)


@model_app.command("install")
def model_install(
    force: Annotated[bool, typer.Option("--force", help="Reinstall even if present.")] = False,
) -> None:
    """Fetch the pinned weights (1.1 GB), join them and verify their SHA-256."""
    from summarizer.extraction.local_model import install_model

    try:
        path = install_model(Settings.resolve(), force=force)
    except SummarizerError as e:
        _fail(str(e), e.exit_code)
    typer.echo(f"model installed and verified: {path}")


@model_app.command("path")
def model_path() -> None:
    """Print the path of the GGUF the tool serves."""
    from summarizer.extraction.local_model import installed_model_path

    settings = _settings()
    typer.echo(str(settings.model_path or installed_model_path(settings)))


@model_app.command("status")
def model_status_cmd(
    verify: Annotated[
        bool, typer.Option("--verify", help="Re-hash the file (a few seconds).")
    ] = False,
) -> None:
    """Report whether the model and its runtime are installed."""
    from summarizer.extraction.local_model import INSTALL_COMMAND, model_status

    status = model_status(_settings(), verify=verify)
    typer.echo(f"path: {status.path}")
    typer.echo(f"installed: {'yes' if status.installed else 'no'}")
    if status.size is not None:
        typer.echo(f"size: {status.size:,} bytes")
    if status.verified is not None:
        typer.echo(f"sha256 verified: {'yes' if status.verified else 'NO'}")
    typer.echo(f"runtime (xllamacpp): {'yes' if status.runtime_available else 'no'}")
    if not status.installed:
        typer.echo(f"run `{INSTALL_COMMAND}` to install it")
        raise typer.Exit(ConfigError.exit_code)
    if status.verified is False:
        raise typer.Exit(ConfigError.exit_code)


@app.command()
def serve(
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on; other than loopback only with SUMMARIZER_API_KEYS set."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    store: Annotated[
        Path | None,
        typer.Option(
            help="SQLite results store, the one `batch` writes (default: batch.sqlite in "
            "SUMMARIZER_DATA_DIR)."
        ),
    ] = None,
    base_url: BaseUrlOption = None,
    model: ModelOption = None,
) -> None:
    """Serve the HTTP API (OpenAPI at /openapi.json) and the web timeline."""
    from summarizer.service.server import serve as run_server
    from summarizer.service.settings import ServiceSettings

    try:
        settings = Settings.resolve(base_url=base_url, model=model)
        service_settings = ServiceSettings.resolve()
        run_server(
            settings,
            service_settings,
            host=host,
            port=port,
            store_path=store or settings.data_dir / "batch.sqlite",
        )
    except SummarizerError as e:
        _fail(str(e), e.exit_code)


@app.command("schemas")
def schemas_cmd(
    directory: Annotated[Path, typer.Argument(help="Where the schema files live.")] = Path(
        "schemas"
    ),
    check: Annotated[
        bool, typer.Option("--check", help="Fail if the files differ from the models.")
    ] = False,
) -> None:
    """Export the JSON Schemas of the outputs and the service's OpenAPI (or check them)."""
    from summarizer.schema_export import drifted_schemas, write_schemas
    from summarizer.service.openapi import openapi_drifted, write_openapi

    if check:
        drifted = drifted_schemas(directory) + openapi_drifted(directory)
        if drifted:
            _fail(f"schemas out of date: {', '.join(drifted)}; run `summarizer schemas`", 1)
        typer.echo("schemas up to date")
        return
    for path in [*write_schemas(directory), write_openapi(directory)]:
        typer.echo(f"wrote {path}")


@app.command("prompts")
def prompts_cmd() -> None:
    """List prompts with their version and content hash."""
    from summarizer.extraction.prompts import list_prompts

    try:
        for prompt in list_prompts():
            typer.echo(
                f"{prompt.name}\tv{prompt.version}\t{prompt.sha256[:16]}\t{prompt.description}"
            )
    except SummarizerError as e:
        _fail(str(e), e.exit_code)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("summarizer: interrupted", err=True)
        sys.exit(130)
