#include "http/builtin_routes.h"

#include <utility>

#include "http/json_io.h"
#include "http/openapi.h"

namespace lockbox::http {

Status AddBuiltinRoutes(Router& router, const Metrics& metrics, HealthCheck health) {
  LOCKBOX_RETURN_IF_ERROR(router.Add({
      .method = Method::kGet,
      .pattern = "/healthz",
      .summary = "Health check",
      .description = "200 when the server can reach its store, 503 otherwise. For load "
                     "balancers and monitoring; needs no credentials.",
      .response_schema = {{"type", "object"},
                          {"properties", {{"status", {{"type", "string"}, {"enum", {"ok"}}}}}}},
      .handler =
          [health = std::move(health)](Request&) {
            const Status status = health();
            if (!status.ok()) return ErrorResponse(503, "unavailable", status.message());
            return JsonResponse(200, {{"status", "ok"}});
          },
  }));
  LOCKBOX_RETURN_IF_ERROR(router.Add({
      .method = Method::kGet,
      .pattern = "/metrics",
      .summary = "Prometheus metrics",
      .description = "Requests by route and status, a latency histogram and open connections, "
                     "in the Prometheus text format 0.0.4.",
      .response_content_type = "text/plain; version=0.0.4",
      .handler =
          [&metrics](Request&) {
            return Response{.status = 200,
                            .content_type = "text/plain; version=0.0.4; charset=utf-8",
                            .body = metrics.RenderPrometheus()};
          },
  }));
  return router.Add({
      .method = Method::kGet,
      .pattern = "/api/v1/openapi.json",
      .summary = "This API's OpenAPI 3.0 document",
      .response_schema = {{"type", "object"}},
      .handler =
          [&router](Request&) { return JsonResponse(200, BuildOpenApiDocument(router, "1")); },
  });
}

}  // namespace lockbox::http
