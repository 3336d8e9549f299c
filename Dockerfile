# One image for api, worker, agent and kube-sim; the command picks the process.
# `--target agent` builds the same image with the outbound agent as its default command.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=optional
COPY . .
RUN npm run build && npm prune --omit=dev --omit=optional

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/bin ./bin
USER node
EXPOSE 4000
# --max-semi-space-size: API_NODE_FLAGS (apps/api/src/runtime-flags.ts) says why.
CMD ["node", "--max-semi-space-size=32", "dist/apps/api/src/main.js"]

# The outbound agent (a Deployment in each private cluster; attach --agent applies it).
FROM runtime AS agent
CMD ["node", "dist/apps/agent/src/main.js"]

# The default target: the API.
FROM runtime AS api
CMD ["node", "--max-semi-space-size=32", "dist/apps/api/src/main.js"]
