# Tasker: one image for every role (api, scheduler, worker, all).
#   docker build -t tasker .
#   docker run -p 3333:3333 -v tasker-data:/app/data tasker            # embedded SQLite, one process
# See docker-compose.yml for MariaDB + Redis with separate roles.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
# better-sqlite3 is built from source when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    TASKER_HOST=0.0.0.0 \
    TASKER_PORT=3333 \
    TASKER_DB_URL=sqlite:/app/data/tasker.db
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3333
ENTRYPOINT ["node", "bin/tasker.js"]
CMD ["serve"]
