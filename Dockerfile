# One image for every Kubernaut component; the first argument picks it:
#   docker build -t ghcr.io/kubernaut-ts/kubernaut:0.1.0 .
#   docker run --rm ghcr.io/kubernaut-ts/kubernaut:0.1.0 gateway --help
# deploy/kubernetes runs it as gateway, datastorage, controllers, investigator, alerting, mock-llm.
# Nothing in these components runs an external binary (no kubectl: they reach the cluster through
# @kubernetes/client-node; workflow Jobs bring their own image, deploy/images/workflow-base).

# --- build: compile src/ to dist/ (scripts/build.js: esbuild, SQL migrations, the PGlite template).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (the build) needs the sources, which are not here yet.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY bin ./bin
COPY scripts/build.js ./scripts/build.js
COPY tsconfig.json ./
COPY src ./src
RUN node scripts/build.js --force

# --- runtime: production dependencies, the compiled JavaScript and the files read at run time.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOME=/tmp
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY --from=build /app/dist ./dist
# Read at run time relative to dist/: the CRDs (installed by `kubernaut up` and the alerting's
# PrometheusRule check) and the shipped workflows DataStorage registers in its catalog at start.
COPY deploy/crds ./deploy/crds
COPY workflows ./workflows
# No src/ in the image: bin/kubernaut.js then runs dist/ (bin/source-fingerprint.js treats a
# missing src/ as "dist is current"), never tsx.
# A numeric non-root user (the Deployments also set runAsNonRoot and runAsUser 65532); the
# root filesystem may be read-only: everything written goes to mounted volumes or /tmp.
USER 65532:65532
ENTRYPOINT ["node", "bin/kubernaut.js"]
CMD ["--help"]
