"""Running the app with uvicorn: the ``summarizer serve`` command's one function."""

from __future__ import annotations

from pathlib import Path

from summarizer.config import Settings
from summarizer.service.settings import ServiceSettings, check_listen


def serve(
    settings: Settings,
    service_settings: ServiceSettings,
    *,
    host: str,
    port: int,
    store_path: Path,
) -> None:
    """Serve until interrupted.

    Raises:
        ConfigError: A non-loopback address without API keys, or a store that cannot be used.

    """
    import uvicorn

    from summarizer.service.app import create_app

    check_listen(host, service_settings)
    app = create_app(settings, service_settings, store_path)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=10,
    )
