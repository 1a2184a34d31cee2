package main

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
)

// setupTracing exports traces over OTLP/HTTP when the standard OpenTelemetry variables name an
// endpoint, and does nothing otherwise. The exporter reads the other OTEL_* variables itself.
func setupTracing(ctx context.Context, e *env) (*sdktrace.TracerProvider, error) {
	if e.getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && e.getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
		return nil, nil
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("set up tracing: %w", err)
	}
	name := e.envOr("OTEL_SERVICE_NAME", "trendgraph")
	return sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName(name))),
	), nil
}
