# The ReformKG API (and CLI) as an image; docker-compose.yml runs it against Neo4j.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    REFORMKG_HOME=/data

WORKDIR /app
COPY . /app
RUN pip install . \
    && useradd --create-home --uid 10001 reformkg \
    && mkdir -p /data && chown reformkg /data

USER reformkg
EXPOSE 8000
# Settings come from the environment (REFORMKG_BACKEND=neo4j, REFORMKG_NEO4J_URI, ...).
CMD ["reformkg", "serve", "--host", "0.0.0.0", "--port", "8000"]
