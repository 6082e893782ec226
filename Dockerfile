# One image for every Kubernaut service: `kubernaut gateway`, `kubernaut datastorage`, ...
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY deploy/crds ./deploy/crds
COPY workflows ./workflows
COPY tsconfig.json ./
USER 1000
ENTRYPOINT ["node", "bin/kubernaut.js"]
