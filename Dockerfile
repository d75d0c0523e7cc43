# campaignbot container image: a static binary (CGO_ENABLED=0) on Alpine,
# which adds what the binary needs from outside: CA certificates for the
# platforms' HTTPS APIs, tzdata for the plan's time zone (Asia/Shanghai),
# and busybox wget for the health check.
#
#   docker build -t campaignbot .
#   docker buildx build --platform linux/amd64,linux/arm64,linux/loong64 -t campaignbot .
#   docker run -d --name campaignbot -v campaignbot-data:/data -p 127.0.0.1:8080:8080 \
#       --env-file /etc/campaignbot/campaignbot.env campaignbot
#
# The build stage runs on the builder's own platform and cross-compiles
# for the target, so arm64 and loong64 images need no emulation.
FROM --platform=$BUILDPLATFORM golang:1.26-alpine AS build
ARG TARGETOS=linux
ARG TARGETARCH
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# -buildvcs=false: the build context has no .git (.dockerignore).
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -buildvcs=false -ldflags="-s -w" -o /out/campaignbot ./cmd/campaignbot

FROM alpine:3.22
RUN apk add --no-cache ca-certificates tzdata \
 && addgroup -S -g 10001 campaignbot \
 && adduser -S -D -H -u 10001 -G campaignbot -h /data campaignbot \
 && mkdir -p /data && chown campaignbot:campaignbot /data && chmod 0750 /data
COPY --from=build /out/campaignbot /usr/local/bin/campaignbot
COPY LICENSE /usr/share/doc/campaignbot/LICENSE
COPY chart/font/OFL.txt /usr/share/doc/campaignbot/font-OFL.txt
ENV TZ=Asia/Shanghai \
    CAMPAIGNBOT_DB=/data/campaignbot.db \
    CAMPAIGNBOT_LISTEN=:8080 \
    CAMPAIGNBOT_LOG_FORMAT=json
USER 10001:10001
WORKDIR /data
VOLUME /data
EXPOSE 8080
# /healthz answers 200 "ok" or "degraded" (the process still keeps every
# message); the check fails only when the process does not answer.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD wget -q -O /dev/null http://127.0.0.1:8080/healthz || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/campaignbot"]
CMD ["run"]
