# syntax=docker/dockerfile:1
# The production image: one image for every process type (serve, worker, migrate).
# Build stage: uv installs exactly what uv.lock pins, then the project itself as a wheel
# (non-editable), so the virtual environment alone is the application.
FROM python:3.11-slim AS build

RUN pip install --no-cache-dir "uv==0.13.9"

# Use the image's own Python (the runtime stage has the same one at the same path) and copy
# files out of the cache, since the cache is a separate mount.
ENV UV_PYTHON=3.11 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy

WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when pyproject.toml or uv.lock change.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --no-install-project

# Then the project. Building its wheel needs the readme named in pyproject.toml, the package
# under src/ and the core SQL migrations, which the wheel carries as serang_app/core_migrations.
COPY README.md ./
COPY src ./src
COPY migrations ./migrations
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable


FROM python:3.11-slim AS runtime

RUN groupadd --system --gid 10001 serang \
    && useradd --system --uid 10001 --gid serang --no-create-home --home-dir /app serang

WORKDIR /app
COPY --from=build /app/.venv /app/.venv
# The data folder (SERANG_DATA_DIR, default ./var) holds the Prometheus files shared by the
# HTTP worker processes, so it must be writable by the app's user.
RUN mkdir -p /app/var && chown serang:serang /app/var

ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SERANG_ENV=production \
    SERANG_HOST=0.0.0.0 \
    PORT=8000

USER serang
EXPOSE 8000

# Liveness only (/healthz); slim images have no curl. compose.yaml gives each service its own
# check instead (the API's asks /readyz, the worker's runs `serang-app worker-health`).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"

ENTRYPOINT ["serang-app"]
CMD ["serve"]
