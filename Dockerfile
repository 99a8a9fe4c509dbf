# Kunnskapsgrunnlag: one image for the app replicas and the refresh job (compose.yaml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KG_DB_PATH=/data/kunnskapsgrunnlag.duckdb \
    KG_PUBLIC=1 \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none

WORKDIR /app
# Every transitive dependency pinned with its hashes (see README, "Dependency notes").
COPY requirements.lock .
RUN pip install --require-hashes -r requirements.lock

COPY . .
RUN useradd --uid 10001 --create-home kg && mkdir -p /data && chown kg /data
USER kg

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"
# A container is reached through the proxy, so it listens on all its interfaces.
CMD ["streamlit", "run", "serve.py", "--server.address=0.0.0.0", "--server.port=8501"]
