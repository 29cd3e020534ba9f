# syntax=docker/dockerfile:1
#
# One image for every service of docker-compose.yml (the chain node, the seed step, the worker,
# the workbench service, the demo devices): they differ only by their command.
#
#   docker build -t iot-data-market-workbench .
#
# Stages: deps (npm ci, with a C++ toolchain for the native modules), build (compile the
# contracts, build the UI), runtime (the result, non-root). Hardhat and tsx stay installed: the
# chain service runs `hardhat node`; every other service runs its TypeScript from source with tsx's
# loader (`node --import tsx`).

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# better-sqlite3, keccak and msgpackr-extract download prebuilt binaries when they can and compile
# otherwise; the lockfile was made with npm 11 (node 20 ships npm 10).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && npm install -g npm@11.19.1 --no-audit --no-fund
# With the workspaces' manifests: npm ci links each part's package (@iotdm/recipes, …).
COPY package.json package-lock.json ./
COPY contracts/client/package.json contracts/client/
COPY recipes/package.json recipes/
COPY worker/package.json worker/
COPY workbench/package.json workbench/
COPY bench/package.json bench/
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
# The compiler is the solc npm package (hardhat.config.ts), so this works offline too.
RUN ./node_modules/.bin/hardhat compile --quiet \
 && npm run build:ui

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    STATE_DIR=/state \
    UI_DIR=workbench/ui/dist
WORKDIR /app
COPY --from=build --chown=node:node /app /app
# /state is the shared volume (deployment record, the service's SQLite store); a new named volume
# takes the ownership of the directory it is mounted on, so the non-root user can write to it.
RUN mkdir -p /state && chown node:node /state
USER node
EXPOSE 8787 8545
CMD ["node", "--import", "tsx", "workbench/server/main.ts"]
