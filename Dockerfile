# Headless POS load generator: `docker run brewline` runs `brewline simulate`, configured by BREWLINE_*
# environment variables (README "Load generator"), e.g.
#   docker run --rm -e BREWLINE_RATE=500 -e BREWLINE_FAULTS=duplicate=0.01 brewline > orders.ndjson
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts off: `prepare` would build before the sources are copied.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    BREWLINE_SINK=stdout \
    BREWLINE_RATE=100
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
USER node
ENTRYPOINT ["node","bin/brewline.js","simulate"]
