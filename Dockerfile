# 掌上职工之家 API image: the Flask app under gunicorn. The same image runs the RQ worker and the
# one-shot schema migration (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 zhigong \
 && useradd --system --uid 10001 --gid zhigong --home-dir /app --no-create-home \
            --shell /usr/sbin/nologin zhigong

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. Every pinned package ships a wheel.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY backend/ backend/
COPY config/ config/
COPY migrations/ migrations/
COPY scripts/ scripts/

# instance/ is only written in embedded mode, which production refuses; owned by the app user anyway.
RUN mkdir -p instance && chown zhigong:zhigong instance

USER zhigong

ENV APP_ENV=production \
    FLASK_APP=backend:create_app \
    GUNICORN_BIND=0.0.0.0:8000 \
    GUNICORN_WORKERS=4

EXPOSE 8000

# Equivalent to: gunicorn -w 4 -b 0.0.0.0:8000 'backend:create_app()', with timeouts and logging
# from config/gunicorn.conf.py (tune with GUNICORN_WORKERS, GUNICORN_TIMEOUT, …).
CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "backend:create_app()"]
