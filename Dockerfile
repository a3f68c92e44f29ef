# Phlare: the server (bin/phlare, whose TypeScript sources run through tsx) and its web UI.
#
#   docker build -t phlare:0.1.0 .
#   docker run -p 4100:4100 -v phlare-data:/data phlare:0.1.0
#
# With no arguments the image runs -target=all with examples/phlare.yaml (it profiles itself)
# and keeps its data in /data. Arguments replace the default command: pass
# -phlaredb.data-path=/data along with your own. docs/deploy.md has the details.

ARG NODE_IMAGE=node:20-bookworm-slim

# The web UI. Vite and the React packages are needed only to build web/dist, which is all the
# final image takes from this stage.
FROM ${NODE_IMAGE} AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# The server's runtime packages. tsx is one of them: bin/phlare loads src/*.ts through it.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# uid and gid 10001, as the Helm chart's podSecurityContext expects.
RUN groupadd --system --gid 10001 phlare \
 && useradd --system --uid 10001 --gid phlare --home-dir /data --no-create-home --shell /usr/sbin/nologin phlare \
 && mkdir -p /data /etc/phlare \
 && chown phlare:phlare /data
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin/ ./bin/
COPY src/ ./src/
COPY api/ ./api/
COPY examples/ ./examples/
COPY --from=web /src/web/dist ./web/dist
COPY examples/phlare.yaml /etc/phlare/config.yaml
USER 10001:10001
EXPOSE 4100
VOLUME ["/data"]
ENTRYPOINT ["node", "bin/phlare"]
CMD ["-config.file=/etc/phlare/config.yaml", "-phlaredb.data-path=/data"]
