// Metrics: the server's counters, rendered in Prometheus' text format for GET /metrics.
//
//   lockbox_http_requests_total{route,method,status}    requests answered
//   lockbox_http_request_duration_seconds{route}        histogram: time from the end of the
//                                                       request to the end of the response
//   lockbox_http_open_connections                       connections open now
//   lockbox_http_connections_rejected_total             closed at once (max_connections)
//
// `route` is the matched pattern ("/api/v1/keys/{key_id}", never the raw path, so the number
// of series stays bounded), or "none" when no route matched. Safe to use from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace lockbox::http {

class Metrics {
 public:
  void RecordRequest(std::string_view route, std::string_view method, int status,
                     double duration_seconds);
  void ConnectionOpened();
  void ConnectionClosed();
  void ConnectionRejected();

  std::string RenderPrometheus() const;

 private:
  static constexpr std::array<double, 12> kBucketsSeconds = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
  struct Histogram {
    std::array<uint64_t, kBucketsSeconds.size()> buckets{};  // non-cumulative counts
    uint64_t count = 0;
    double sum_seconds = 0;
  };

  // Orders request keys (route, method, status) held as strings or as views alike, so that a
  // request already counted is found by its views, not copies.
  struct RequestKeyLess {
    using is_transparent = void;
    using View = std::tuple<std::string_view, std::string_view, int>;
    static View AsView(const auto& key) {
      const auto& [route, method, status] = key;
      return View{route, method, status};
    }
    bool operator()(const auto& a, const auto& b) const { return AsView(a) < AsView(b); }
  };

  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t, RequestKeyLess> requests_;
  std::map<std::string, Histogram, std::less<>> durations_;
  int64_t open_connections_ = 0;
  uint64_t rejected_connections_ = 0;
};

}  // namespace lockbox::http
