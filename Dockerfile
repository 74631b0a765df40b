# Workforce Pathways: a slim, non-root image. Build: docker build -t workforce-pathways .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATA_DIR=/data \
    PORT=8080

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY bench ./bench
COPY content ./content
COPY templates ./templates
RUN pip install '.[postgres]' \
    && useradd --system --uid 10001 --home /app bot \
    && mkdir -p /data && chown bot /data

USER bot
VOLUME ["/data"]
EXPOSE 8080
# In webhook mode /healthz answers on PORT; in polling mode the check validates the content.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os,sys,urllib.request; u=os.environ.get('WEBHOOK_URL'); sys.exit(0 if not u else (0 if urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"8080\")}/healthz', timeout=4).status == 200 else 1))"
CMD ["python", "-m", "bot", "run"]
