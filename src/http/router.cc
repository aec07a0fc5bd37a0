#include "http/router.h"

#include <algorithm>
#include <optional>

#include "http/json_io.h"

namespace lockbox::http {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  path.remove_prefix(1);  // the leading '/'
  for (;;) {
    const size_t slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return parts;
    path.remove_prefix(slash + 1);
  }
}

}  // namespace

Status Router::Add(Route route) {
  const std::string& pattern = route.pattern;
  const auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("route pattern \"" + pattern + "\" " + why);
  };
  if (pattern.empty() || pattern.front() != '/') return bad("must start with '/'");
  if (!route.handler) return bad("has no handler");
  std::vector<Segment> segments;
  for (std::string_view part : SplitPath(pattern)) {
    const bool opens = part.find('{') != std::string_view::npos;
    const bool closes = part.find('}') != std::string_view::npos;
    if (!opens && !closes) {
      segments.push_back({std::string(part), false});
      continue;
    }
    if (part.size() < 3 || part.front() != '{' || part.back() != '}' ||
        part.substr(1, part.size() - 2).find_first_of("{}") != std::string_view::npos) {
      return bad("has a malformed parameter \"" + std::string(part) +
                 "\" (a parameter is a whole segment: {name})");
    }
    const std::string name(part.substr(1, part.size() - 2));
    for (const Segment& s : segments) {
      if (s.parameter && s.text == name) return bad("repeats the parameter {" + name + "}");
    }
    segments.push_back({name, true});
  }
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (routes_[i].method != route.method || segments_[i].size() != segments.size()) continue;
    bool same_shape = true;
    for (size_t j = 0; j < segments.size() && same_shape; ++j) {
      const Segment& a = segments_[i][j];
      const Segment& b = segments[j];
      same_shape = a.parameter == b.parameter && (a.parameter || a.text == b.text);
    }
    if (same_shape) {
      return bad("duplicates " + std::string(MethodName(route.method)) + " " + routes_[i].pattern);
    }
  }
  routes_.push_back(std::move(route));
  segments_.push_back(std::move(segments));
  return Status::Ok();
}

std::variant<const Route*, Response> Router::Match(Request& request) const {
  if (request.path.empty() || request.path.front() != '/') {
    return ErrorResponse(400, "bad_request", "the request target must be a path starting with /");
  }
  const std::vector<std::string_view> parts = SplitPath(request.path);
  std::vector<std::string> decoded;
  for (std::string_view part : parts) {
    std::optional<std::string> d = PercentDecode(part);
    if (!d) {
      return ErrorResponse(400, "bad_request",
                           "the path has a malformed percent-escape (% must be followed by two "
                           "hex digits)");
    }
    decoded.push_back(std::move(*d));
  }

  const Route* best = nullptr;
  size_t best_index = 0;
  size_t best_parameters = 0;
  std::vector<std::string> allowed;
  for (size_t i = 0; i < routes_.size(); ++i) {
    const std::vector<Segment>& segments = segments_[i];
    if (segments.size() != parts.size()) continue;
    bool match = true;
    size_t parameters = 0;
    for (size_t j = 0; j < segments.size() && match; ++j) {
      if (segments[j].parameter) {
        match = !decoded[j].empty();
        ++parameters;
      } else {
        match = segments[j].text == parts[j];
      }
    }
    if (!match) continue;
    if (routes_[i].method != request.method) {
      const std::string name = MethodName(routes_[i].method);
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) allowed.push_back(name);
      continue;
    }
    if (best == nullptr || parameters < best_parameters) {
      best = &routes_[i];
      best_index = i;
      best_parameters = parameters;
    }
  }
  if (best == nullptr && allowed.empty()) {
    return ErrorResponse(404, "not_found",
                         "no API endpoint has this path; see /api/v1/openapi.json");
  }
  if (best == nullptr) {
    std::string allow;
    for (const std::string& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    Response response =
        ErrorResponse(405, "method_not_allowed",
                      "this path does not answer " + std::string(MethodName(request.method)) +
                          "; it answers " + allow);
    response.headers.emplace_back("Allow", allow);
    return response;
  }
  request.route = best->pattern;
  request.params.clear();
  const std::vector<Segment>& segments = segments_[best_index];
  for (size_t j = 0; j < segments.size(); ++j) {
    if (segments[j].parameter) request.params.emplace_back(segments[j].text, decoded[j]);
  }
  return best;
}

Response Router::Dispatch(Request& request) const {
  auto matched = Match(request);
  if (auto* answer = std::get_if<Response>(&matched)) return std::move(*answer);
  return std::get<const Route*>(matched)->handler(request);
}

std::optional<Response> Router::DispatchQuick(Request& request) const {
  auto matched = Match(request);
  if (auto* answer = std::get_if<Response>(&matched)) return std::move(*answer);
  const Route* route = std::get<const Route*>(matched);
  if (!route->quick) return std::nullopt;
  return route->quick(request);
}

}  // namespace lockbox::http
