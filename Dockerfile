# iam-emulator: multi-stage build to a minimal runtime image.
# The binary is linked statically against musl, so the runtime stage is
# `scratch` plus the binary: nothing else to patch.
FROM rust:1.95-alpine AS build
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
RUN cargo build --release -p iam-emulator --locked \
 && cp target/release/iam-emulator /iam-emulator

FROM scratch
COPY --from=build /iam-emulator /iam-emulator
ENV IAM_EMULATOR_LISTEN=0.0.0.0:4566
EXPOSE 4566
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s --retries=3 \
  CMD ["/iam-emulator", "health", "--endpoint", "http://127.0.0.1:4566"]
ENTRYPOINT ["/iam-emulator"]
CMD ["serve"]
