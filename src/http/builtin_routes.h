// The routes every Lockbox server answers, whatever else it serves:
//
//   GET /healthz               200 {"status":"ok"} when `health` passes, else 503
//   GET /metrics               Prometheus text (metrics.h)
//   GET /api/v1/openapi.json   the OpenAPI document of every route in `router`
//
// `router` and `metrics` must outlive the server that uses them.
#pragma once

#include <functional>

#include "http/metrics.h"
#include "http/router.h"
#include "util/status.h"

namespace lockbox::http {

// Checks that the server can do its work (the store answers). Its message goes to clients of
// /healthz, so it must not hold secrets.
using HealthCheck = std::function<Status()>;

Status AddBuiltinRoutes(Router& router, const Metrics& metrics, HealthCheck health);

}  // namespace lockbox::http
