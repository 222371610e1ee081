# lc-health in a container. The image is built by exactly the steps CI proves:
# scripts/install-wheel.sh (build the wheel, install it with constraints.txt into a fresh
# virtualenv), which scripts/wheel-check.sh runs in every CI run before serving the result.
# Data (SQLite database, .env, secrets.toml) lives in the volume /data (LC_HEALTH_HOME).
FROM python:3.11-slim AS build
WORKDIR /src
COPY . .
RUN scripts/install-wheel.sh /opt/lc-health

FROM python:3.11-slim
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home lc-health \
    && mkdir /data && chown lc-health:lc-health /data
COPY --from=build /opt/lc-health /opt/lc-health
ENV PATH=/opt/lc-health/bin:$PATH \
    LC_HEALTH_HOME=/data \
    PYTHONUNBUFFERED=1
USER lc-health
WORKDIR /data
VOLUME /data
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]
# Outside demo mode the app refuses to start without LC_HEALTH_COOKIE_SECRET and an https
# LC_HEALTH_PUBLIC_URL (see compose.yaml). Migrations run when the app starts.
CMD ["lc-health", "serve", "--address", "0.0.0.0", "--port", "8501"]
