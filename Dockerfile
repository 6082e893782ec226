# One image for every Kubernaut service: `kubernaut gateway`, `kubernaut datastorage`, ...
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# The sources are not here yet: dependencies only, the build (the `prepare` script) runs below.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY bin ./bin
COPY scripts/build.js ./scripts/build.js
COPY src ./src
COPY deploy/crds ./deploy/crds
COPY workflows ./workflows
COPY tsconfig.json ./
# Compiled JavaScript in dist/: `kubernaut` starts without transpiling anything.
RUN node scripts/build.js --force
USER 1000
ENTRYPOINT ["node", "bin/kubernaut.js"]
