# RetroVue appliance image. Run it with host networking: Docker's bridge networks swallow the SSDP
# multicast and UDP broadcast that DVRs use to find tuners, and the advertised address must be the
# host's LAN address:
#   docker run -d --network host -v retrovue:/var/lib/retrovue --name retrovue retrovue
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    RETROVUE_DATA_DIR=/var/lib/retrovue

# libcap2-bin: lets the unprivileged user bind port 80, which Jellyfin/Emby auto-detection needs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcap2-bin \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /var/lib/retrovue --create-home --uid 10001 retrovue

WORKDIR /app
COPY pyproject.toml README.md ./
COPY retrovue ./retrovue
COPY migrations ./migrations
COPY packaging ./packaging
RUN pip install -e . \
 && setcap cap_net_bind_service=+ep "$(readlink -f "$(command -v python3)")"

USER retrovue
VOLUME ["/var/lib/retrovue"]
EXPOSE 80/tcp 5004/tcp 65001/udp 65001/tcp 1900/udp 5353/udp

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD python3 -c "import os,urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/discover.json' % os.environ.get('RETROVUE_STREAM_PORT', '5004'), timeout=4)"

ENTRYPOINT ["retrovue"]
CMD ["serve"]
