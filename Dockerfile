# Activation Lab image. CPU torch by default; a CUDA build with:
#   docker build --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128 -t actlab:cuda .
# torch from a local wheel instead of an index (a file, or a folder of wheels, under wheels/):
#   docker build --build-arg TORCH_WHEEL=wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl -t actlab .
# PYTHON_IMAGE may be any Debian-based image with Python 3.11 and venv, also one with only `python3`
# (scripts/docker_base.sh builds such a base without a registry). No `# syntax=` line: the builder's own
# Dockerfile frontend is used, so a build needs no registry beyond the base image.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG TORCH_WHEEL=
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv/actlab
# `python3`, not `python`: a Debian base has only the former. The venv's own `python` is used from here on.
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# wheels/ is always in the context (its README is committed); only a TORCH_WHEEL build reads from it, and
# only this build stage holds it (the runtime stage copies the venv alone).
COPY wheels/ /tmp/wheels/
# torch first and pinned, as in scripts/setup.sh: any other spec pulls a different (CUDA) build. From
# TORCH_WHEEL when given (its dependencies from PyPI), else from TORCH_INDEX_URL.
RUN case "${TORCH_WHEEL}" in \
      "") export PIP_INDEX_URL="${TORCH_INDEX_URL}" PIP_EXTRA_INDEX_URL=https://pypi.org/simple ;; \
      wheels|wheels/*) test -e "/tmp/${TORCH_WHEEL}" \
          || { echo "TORCH_WHEEL=${TORCH_WHEEL}: no such file or folder in the build context" >&2; exit 1; }; \
        export PIP_FIND_LINKS="/tmp/${TORCH_WHEEL}" ;; \
      *) echo "TORCH_WHEEL=${TORCH_WHEEL}: must be a file or folder under wheels/" >&2; exit 1 ;; \
    esac \
    && python -m pip install torch==2.13.0
# The project's dependencies install before its code is copied, so a change to the code (or the README)
# rebuilds neither this layer nor the runtime stage's copy of the venv: the editable install is made with a
# placeholder package, which the real one then replaces (the install points at /srv/actlab/app).
COPY pyproject.toml ./
RUN mkdir app && touch app/__init__.py README.md \
    && python -m pip install -e .
COPY README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY templates ./templates

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
