# The emulator as a container: `docker run -p 8080:8080 plivo-mpc-emulator`.
# BASE_IMAGE is overridable for machines that cannot pull python:3.12-slim.
ARG BASE_IMAGE=python:3.12-slim
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY emulator ./emulator
COPY scenarios ./scenarios
RUN python3 -m venv /opt/emulator && /opt/emulator/bin/pip install --quiet . && rm -rf /app/build

ENV PATH=/opt/emulator/bin:$PATH \
    PLIVO_EMULATOR_HOST=0.0.0.0 \
    PLIVO_EMULATOR_PORT=8080
EXPOSE 8080
USER nobody

# Follows PLIVO_EMULATOR_PORT, so `-e PLIVO_EMULATOR_PORT=9000` keeps the check right.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/__emulator__/health' % os.environ.get('PLIVO_EMULATOR_PORT', '8080'), timeout=2)"]

ENTRYPOINT ["plivo-mpc-emulator"]
CMD ["serve"]
