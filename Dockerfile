# syntax=docker/dockerfile:1
# Activation Lab image. CPU torch by default; a CUDA build with:
#   docker build --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128 -t actlab:cuda .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv/actlab
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# torch first and pinned, as in scripts/setup.sh: any other spec pulls a different (CUDA) build.
RUN python -m pip install --index-url "${TORCH_INDEX_URL}" --extra-index-url https://pypi.org/simple torch==2.13.0
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY templates ./templates
RUN python -m pip install -e .

FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    ACTLAB_HOST=0.0.0.0 \
    ACTLAB_PORT=8000 \
    ACTLAB_DATABASE_URL=sqlite:////data/actlab.db
RUN groupadd --system --gid 10001 actlab \
    && useradd --system --uid 10001 --gid actlab --home-dir /srv/actlab --shell /usr/sbin/nologin actlab \
    && mkdir -p /data && chown actlab:actlab /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=actlab:actlab /srv/actlab /srv/actlab
WORKDIR /srv/actlab
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"ACTLAB_PORT\", \"8000\")}/healthz', timeout=4)"]
# `actlab serve` applies migrations and loads the reference data before it serves.
CMD ["actlab", "serve"]
