# Build: docker build -t orderbot .
# Run:   docker run -p 8080:8080 -v orderbot-data:/data orderbot
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Pure Go (the embedded SQLite needs no cgo), so the binary runs anywhere.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /orderbot ./cmd/orderbot

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /orderbot /orderbot
WORKDIR /data
# No demo by default: a shop's image must not ship a known staff login. To
# try it: docker run -e ORDERBOT_DEMO=true ... (seeds an empty database once).
ENV ORDERBOT_ADDR=:8080 ORDERBOT_DB=sqlite:/data/orderbot.db
EXPOSE 8080
ENTRYPOINT ["/orderbot"]
CMD ["serve"]
