# Headless POS load generator: `docker run brewline` runs `brewline simulate`, configured by BREWLINE_*
# environment variables or flags (README "Load generator"), e.g.
#   docker run --rm brewline --orders 1000 --speed max > orders.ndjson
#   docker run --rm -p 9464:9464 brewline --rate 500 --status-port 9464   # Prometheus scrapes :9464/metrics
# The image bakes no pace (rate/speed) and no volume, so every flag works as documented.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts off: `prepare`/`prepack` would build before the sources are copied.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-info.mjs ./scripts/build-info.mjs
COPY src ./src
COPY bench ./bench
# .git is not in the build context: pass the commit, e.g. --build-arg BREWLINE_COMMIT=$(git rev-parse --short HEAD)
ARG BREWLINE_COMMIT=unknown
RUN npx tsc -p tsconfig.build.json && BREWLINE_COMMIT=$BREWLINE_COMMIT node scripts/build-info.mjs \
    && npm prune --omit=dev --ignore-scripts

FROM node:24-bookworm-slim
WORKDIR /app
# Orders to stdout; a --status-port listens on every interface of the container (loopback would be
# unreachable from outside it). Nothing else is baked in.
ENV NODE_ENV=production \
    BREWLINE_SINK=stdout \
    BREWLINE_STATUS_HOST=0.0.0.0
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
EXPOSE 9464
USER node
ENTRYPOINT ["node","bin/brewline.js","simulate"]
