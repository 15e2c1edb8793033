# cloudrift in a container: slim Python, the wheel built from this tree, a user that is not root.
#   docker build -t cloudrift .
#   docker run --rm -v "$PWD:/work" -e AWS_REGION cloudrift scan --from tfstate://terraform.tfstate
#   docker run -p 8785:8785 cloudrift watch --every 1h --listen 0.0.0.0:8785 ...
# (a watch's liveness is GET /healthz: docs/watch.md)
# EXTRAS picks the clouds: aws, gcp, azure, tofu, postgres or all (the default).
ARG PYTHON_VERSION=3.12

FROM python:${PYTHON_VERSION}-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY cloudrift ./cloudrift
COPY providers ./providers
RUN python -m pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:${PYTHON_VERSION}-slim
ARG EXTRAS=all
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# MALLOC_ARENA_MAX: a long-running watch starts threads for every scan; fewer malloc arenas keep
# its resident memory smaller and steadier (docs/watch.md)
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MALLOC_ARENA_MAX=2
COPY --from=build /wheels /wheels
COPY requirements/requirements-dev.txt /tmp/lock.txt
# the dependencies at the versions the tests ran with: the lock's pins, without its hashes (a
# hash in a constraints file would demand one for the wheel built above too)
# hadolint ignore=DL3013
RUN grep -E '^[A-Za-z0-9]' /tmp/lock.txt | sed 's/ *\\$//' > /tmp/constraints.txt \
    && wheel="$(ls /wheels/cloudrift_scanner-*.whl)" \
    && python -m pip install --no-cache-dir --constraint /tmp/constraints.txt "${wheel}[${EXTRAS}]" \
    && rm -rf /wheels /tmp/lock.txt /tmp/constraints.txt \
    && useradd --create-home --uid 10001 --user-group cloudrift
USER 10001:10001
WORKDIR /work
EXPOSE 8785
ENTRYPOINT ["cloudrift"]
CMD ["--help"]
