# Production-like image: API, websocket and web app on one port, running compiled JavaScript
# (`npm run build`: the SvelteKit app to web/build, the server bundle to server/dist).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY db/package.json db/
COPY server/package.json server/
COPY web/package.json web/
COPY test/package.json test/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/server/package.json server/
COPY --from=build /app/server/dist server/dist
# Read at run time: the migrations and the seed's CSV (found through @opvangatlas/db).
COPY --from=build /app/db db
COPY --from=build /app/shared/package.json shared/
COPY --from=build /app/web/package.json web/
COPY --from=build /app/web/build web/build
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
CMD ["node", "server/dist/server.js"]
