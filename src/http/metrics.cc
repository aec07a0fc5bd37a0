#include "http/metrics.h"

#include <sstream>

namespace lockbox::http {
namespace {

// A label value in the text format: backslash, quote and newline escaped.
std::string Label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void Metrics::RecordRequest(std::string_view route, std::string_view method, int status,
                            double duration_seconds) {
  const std::string_view route_label = route.empty() ? "none" : route;
  std::lock_guard lock(mutex_);
  const std::tuple<std::string_view, std::string_view, int> key{route_label, method, status};
  auto counted = requests_.find(key);
  if (counted == requests_.end()) {
    counted =
        requests_.emplace(std::tuple(std::string(route_label), std::string(method), status), 0)
            .first;
  }
  ++counted->second;
  auto timed = durations_.find(route_label);
  if (timed == durations_.end())
    timed = durations_.emplace(std::string(route_label), Histogram{}).first;
  Histogram& h = timed->second;
  size_t bucket = 0;
  while (bucket < kBucketsSeconds.size() && duration_seconds > kBucketsSeconds[bucket]) ++bucket;
  if (bucket < kBucketsSeconds.size()) ++h.buckets[bucket];
  ++h.count;
  h.sum_seconds += duration_seconds;
}

void Metrics::ConnectionOpened() {
  std::lock_guard lock(mutex_);
  ++open_connections_;
}

void Metrics::ConnectionClosed() {
  std::lock_guard lock(mutex_);
  --open_connections_;
}

void Metrics::ConnectionRejected() {
  std::lock_guard lock(mutex_);
  ++rejected_connections_;
}

std::string Metrics::RenderPrometheus() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  out << "# HELP lockbox_http_requests_total HTTP requests answered.\n"
      << "# TYPE lockbox_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, status] = key;
    out << "lockbox_http_requests_total{route=\"" << Label(route) << "\",method=\"" << Label(method)
        << "\",status=\"" << status << "\"} " << count << "\n";
  }
  out << "# HELP lockbox_http_request_duration_seconds Time to handle and answer a request.\n"
      << "# TYPE lockbox_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : durations_) {
    const std::string labels = "route=\"" + Label(route) + "\"";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
      cumulative += h.buckets[i];
      out << "lockbox_http_request_duration_seconds_bucket{" << labels << ",le=\""
          << kBucketsSeconds[i] << "\"} " << cumulative << "\n";
    }
    out << "lockbox_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << h.count
        << "\n"
        << "lockbox_http_request_duration_seconds_sum{" << labels << "} " << h.sum_seconds << "\n"
        << "lockbox_http_request_duration_seconds_count{" << labels << "} " << h.count << "\n";
  }
  out << "# HELP lockbox_http_open_connections Connections open now.\n"
      << "# TYPE lockbox_http_open_connections gauge\n"
      << "lockbox_http_open_connections " << open_connections_ << "\n"
      << "# HELP lockbox_http_connections_rejected_total Connections closed at once because "
         "max_connections were open.\n"
      << "# TYPE lockbox_http_connections_rejected_total counter\n"
      << "lockbox_http_connections_rejected_total " << rejected_connections_ << "\n";
  return out.str();
}

}  // namespace lockbox::http
