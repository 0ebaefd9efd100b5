# Berth: the bot image. Node 24 runs the TypeScript sources directly (type stripping),
# so there is no build step; only production dependencies are installed.
#   docker build -t berth .
#   docker run -p 3000:3000 -e REDIS_URL=redis://host:6379 berth

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json app.yml ./
COPY bin ./bin
COPY src ./src
# The image's `node` user, by number so Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 3000
ENTRYPOINT ["node", "bin/berth.js"]
CMD ["serve"]
