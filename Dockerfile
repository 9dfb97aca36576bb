# syntax=docker/dockerfile:1
# Build: the same script CI runs (.ci/build), a static cgo binary.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN .ci/build /out/icare && mkdir -p /out/data

# Run: a small image with no shell, as a non-root user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/icare /usr/local/bin/icare
COPY --from=build --chown=65532:65532 /out/data /data
ENV ICARE_ADDR=:8080 \
    ICARE_DATABASE_URL=sqlite:/data/icare.db
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/icare", "healthcheck", "--url", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/usr/local/bin/icare"]
CMD ["serve"]
