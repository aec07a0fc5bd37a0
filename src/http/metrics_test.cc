#include "http/metrics.h"

#include <gtest/gtest.h>

namespace lockbox::http {
namespace {

TEST(MetricsTest, CountsRequestsByRouteMethodAndStatus) {
  Metrics metrics;
  metrics.RecordRequest("/healthz", "GET", 200, 0.002);
  metrics.RecordRequest("/healthz", "GET", 200, 0.2);
  metrics.RecordRequest("", "GET", 404, 20);
  const std::string text = metrics.RenderPrometheus();
  EXPECT_NE(
      text.find(
          "lockbox_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 2\n"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("lockbox_http_requests_total{route=\"none\",method=\"GET\",status=\"404\"} 1\n"),
      std::string::npos);
  // Buckets are cumulative: 0.002 s falls in le=0.0025, 0.2 s in le=0.25.
  EXPECT_NE(text.find("duration_seconds_bucket{route=\"/healthz\",le=\"0.001\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("duration_seconds_bucket{route=\"/healthz\",le=\"0.0025\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("duration_seconds_bucket{route=\"/healthz\",le=\"0.25\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("duration_seconds_bucket{route=\"none\",le=\"10\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("duration_seconds_bucket{route=\"none\",le=\"+Inf\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("lockbox_http_request_duration_seconds_count{route=\"/healthz\"} 2\n"),
            std::string::npos);
}

TEST(MetricsTest, TracksOpenAndRejectedConnections) {
  Metrics metrics;
  metrics.ConnectionOpened();
  metrics.ConnectionOpened();
  metrics.ConnectionClosed();
  metrics.ConnectionRejected();
  const std::string text = metrics.RenderPrometheus();
  EXPECT_NE(text.find("lockbox_http_open_connections 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lockbox_http_connections_rejected_total 1\n"), std::string::npos);
}

}  // namespace
}  // namespace lockbox::http
