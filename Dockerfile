# bulk in a container, for a Kubernetes CronJob or docker run:
#
#   docker build -t bulk .
#   docker run --rm -e WHOP_API_KEY -v "$PWD:/data" bulk --state /data/.bulk /data/nov-outage.csv
#
# The build stage compiles a static binary (no cgo) with the commit it was
# built from (bulk --version); the image holds that binary alone on
# distroless's static base, and runs it as an unprivileged user.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=true -ldflags="-s -w" -o /out/bulk ./cmd/bulk

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/bulk /usr/local/bin/bulk
USER nonroot:nonroot
WORKDIR /data
ENTRYPOINT ["/usr/local/bin/bulk"]
