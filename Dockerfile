# The workflow image of one Promise. Build the context first, then the image:
#   npm run build -- postgres
#   docker build --build-arg PROMISE=postgres -t "$(cat dist/images/postgres/image.txt)" .
# The image holds Node 20, Terraform, a filesystem mirror of exactly the providers the Promise's
# stack uses (so `terraform init` downloads nothing at run time) and the bundled workflow with its
# startup snapshot; no node_modules.
ARG NODE_IMAGE=node:20-bookworm-slim
ARG TERRAFORM_IMAGE=hashicorp/terraform:1.11

FROM ${TERRAFORM_IMAGE} AS terraform

FROM ${NODE_IMAGE} AS providers
ARG PROMISE
COPY --from=terraform /bin/terraform /usr/local/bin/terraform
COPY dist/images/${PROMISE}/providers.tf.json /mirror/providers.tf.json
RUN cd /mirror && terraform providers mirror /opt/terraform/providers

FROM ${NODE_IMAGE}
ARG PROMISE
COPY --from=terraform /bin/terraform /usr/local/bin/terraform
COPY --from=providers /opt/terraform/providers /opt/terraform/providers
COPY docker/terraformrc /opt/terraform/terraformrc
COPY dist/images/${PROMISE}/app/ /app/
# A V8 startup snapshot of the workflow with every module loaded: a container start then costs
# little more than starting Node. It must be built by the Node that runs it, so it is built here.
RUN node --snapshot-blob /app/workflow.blob --build-snapshot /app/workflow.cjs
ENV TF_CLI_CONFIG_FILE=/opt/terraform/terraformrc \
    TF_IN_AUTOMATION=1 \
    CHECKPOINT_DISABLE=1 \
    HOME=/tmp
# A numeric user, so Kubernetes can verify runAsNonRoot.
USER 1000:1000
ENTRYPOINT ["node", "--snapshot-blob", "/app/workflow.blob"]
