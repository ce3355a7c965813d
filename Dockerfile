# The emulator as a container: `docker run -p 8080:8080 plivo-mpc-emulator`.
# BASE_IMAGE is overridable for machines that cannot pull python:3.12-slim.
ARG BASE_IMAGE=python:3.12-slim
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY emulator ./emulator
COPY scenarios ./scenarios
RUN python3 -m venv /opt/emulator && /opt/emulator/bin/pip install --quiet . && rm -rf /app/build \
    && mkdir -p /var/lib/plivo-mpc-emulator && chown nobody /var/lib/plivo-mpc-emulator

# With PLIVO_EMULATOR_TLS=1 the CA is kept in PLIVO_EMULATOR_TLS_DIR: mount a volume there to trust it once.
ENV PATH=/opt/emulator/bin:$PATH \
    PLIVO_EMULATOR_HOST=0.0.0.0 \
    PLIVO_EMULATOR_PORT=8080 \
    PLIVO_EMULATOR_TLS_DIR=/var/lib/plivo-mpc-emulator/tls
EXPOSE 8080
USER nobody

# Follows PLIVO_EMULATOR_PORT and PLIVO_EMULATOR_TLS, so the check stays right when they change.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 CMD ["plivo-mpc-emulator", "health"]

ENTRYPOINT ["plivo-mpc-emulator"]
CMD ["serve"]
